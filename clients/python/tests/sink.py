"""A stand-in for the sidecar's ingest endpoint, on a real socket, for the client's tests.

It answers like POST /v1/events (accepted, duplicates by event_id, rejected with reasons), records
every event it received, and can answer 429 or 503, hang, refuse the error events' link fields as
an older sidecar does, or be stopped and started again on the same port as a restarting sidecar.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Set


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer (a cut connection, a test ending) is expected here


class Sink:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mode = "ok"  # ok, 429, 503, 401, 413, hang, old_sidecar
        self.retry_after: Optional[str] = None
        self.received: List[Dict[str, Any]] = []  # every event of every request that was answered 200
        self.accepted_ids: List[str] = []
        self.requests = 0
        self.release = threading.Event()  # ends every hanging request
        self._seen: Set[str] = set()
        self._connections: Set[socket.socket] = set()
        self._server: Optional[_Server] = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/events"

    def start(self) -> None:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the sidecar does

            def setup(self) -> None:
                super().setup()
                # As Node's HTTP server does; without it, headers and body written apart meet
                # the client's delayed ACK and every request waits 40 ms.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with sink.lock:
                    sink._connections.add(self.connection)

            def finish(self) -> None:
                with sink.lock:
                    sink._connections.discard(self.connection)
                super().finish()

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                status, answer = sink._answer(json.loads(body), self.headers)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if status in (429, 503) and sink.retry_after is not None:
                    self.send_header("Retry-After", sink.retry_after)
                self.end_headers()
                self.wfile.write(payload)

        self._server = _Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        """Like a sidecar that exits: the port refuses connections and open ones are cut."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self.lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _answer(self, events: List[Dict[str, Any]], headers: Any) -> "tuple[int, Dict[str, Any]]":
        with self.lock:
            self.requests += 1
            mode = self.mode
        if mode == "hang":
            self.release.wait(60)
            return 503, {"error": "released"}
        if mode in ("429", "503", "401", "413"):
            return int(mode), {"error": f"status_{mode}", "message": "as asked"}
        accepted = duplicates = 0
        rejected = []
        with self.lock:
            for index, event in enumerate(events):
                if mode == "old_sidecar" and event.get("type") == "error":
                    unknown = [f for f in ("request_id", "trace_id", "span_id", "exception") if f in event]
                    if unknown:
                        reason = "; ".join(f"events[{index}].{f}: is not a field of error" for f in unknown[:3])
                        rejected.append({"index": index, "reason": reason})
                        continue
                if event.get("type") == "invalid":
                    rejected.append({"index": index, "reason": f"events[{index}].type: unknown event type"})
                    continue
                self.received.append(event)
                event_id = str(event.get("event_id"))
                if event_id in self._seen:
                    duplicates += 1
                    continue
                self._seen.add(event_id)
                self.accepted_ids.append(event_id)
                accepted += 1
        answer = {"accepted": accepted, "duplicates": duplicates, "rejected": rejected}
        if not accepted and not duplicates:
            return 400, {"error": "no_valid_events", "message": "no valid event", **answer}
        return 200, answer

    def events_of_type(self, event_type: str) -> List[Dict[str, Any]]:
        with self.lock:
            return [event for event in self.received if event.get("type") == event_type]

    def close(self) -> None:
        self.release.set()
        self.stop()
