"""Send application events to the observability sidecar's ingest API (POST /v1/events).

Standard library only. Events are queued and sent in batches by a background thread, so a call
such as ``events.db_query(...)`` costs microseconds and never raises: when the sidecar is slow
or away, the bounded queue fills and further events are dropped and counted in ``stats()``.

    from sidecar_events import SidecarEvents

    events = SidecarEvents(token=os.environ.get("INGEST_TOKEN"))
    events.db_query(system="postgresql", operation="SELECT", collection="users", duration_s=0.012)
    events.llm_request(provider="openai", model="gpt-4o", duration_s=2.4,
                       input_tokens=812, output_tokens=240)

The catalog (every event type and field) is documented in docs/INGEST_API.md and served by the
sidecar at GET /v1/events/schema.
"""

from __future__ import annotations

import atexit
import gzip
import json
import queue
import threading
import traceback
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, List, Optional

DEFAULT_URL = "http://127.0.0.1:9464/v1/events"

_LABEL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/@+-")


def _label(value: str) -> str:
    """Make a class name usable as a label value: unsupported characters become underscores."""
    return "".join(c if c in _LABEL_SAFE else "_" for c in value)[:100] or "Error"


class SidecarEvents:
    """Batches events to the sidecar. Thread-safe; one instance per process is enough."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: Optional[str] = None,
        batch_size: int = 100,
        flush_interval: float = 1.0,
        max_queue: int = 10_000,
        timeout: float = 2.0,
        max_retries: int = 2,
        use_gzip: bool = False,
        flush_on_exit: bool = True,
        on_error: Optional[Callable[[str], None]] = None,
    ) -> None:
        self._url = url
        self._token = token
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._timeout = timeout
        self._max_retries = max_retries
        self._use_gzip = use_gzip
        self._on_error = on_error
        self._queue: "queue.Queue[Dict[str, Any]]" = queue.Queue(maxsize=max_queue)
        self._retry: Optional[List[Dict[str, Any]]] = None
        self._retry_attempts = 0
        self._lock = threading.Lock()
        self._stats = {"accepted": 0, "duplicates": 0, "rejected": 0, "dropped": 0, "failed_requests": 0}
        self._waiters: List[threading.Event] = []
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="sidecar-events", daemon=True)
        self._thread.start()
        if flush_on_exit:
            atexit.register(self.close)

    # -- queueing -----------------------------------------------------------------------------

    def send(self, event: Dict[str, Any]) -> None:
        """Queue one event (a dict with a "type"). Adds an event_id so retries count once."""
        try:
            if self._closed:
                self._count("dropped")
                return
            event = {k: v for k, v in event.items() if v is not None}
            event.setdefault("event_id", str(uuid.uuid4()))
            self._queue.put_nowait(event)
            if self._queue.qsize() >= self._batch_size:
                self._wake.set()
        except queue.Full:
            self._count("dropped")
        except Exception as error:  # never raise into the application
            self._report(f"could not queue an event: {error!r}")

    def flush(self, timeout: float = 5.0) -> bool:
        """Send everything queued now. True when the attempt finished within `timeout` seconds."""
        done = threading.Event()
        with self._lock:
            self._waiters.append(done)
        self._wake.set()
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Flush and stop the background thread. Later events are dropped."""
        if self._closed:
            return
        self.flush(timeout)
        self._closed = True
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout)

    def stats(self) -> Dict[str, int]:
        with self._lock:
            queued = self._queue.qsize() + (len(self._retry) if self._retry else 0)
            return {"queued": queued, **self._stats}

    # -- one builder per event type (see docs/INGEST_API.md for every field) -------------------

    def db_query(self, system: str, operation: str, duration_s: float, collection: Optional[str] = None,
                 error_type: Optional[str] = None, rows: Optional[int] = None, **extra: Any) -> None:
        self.send({"type": "db.query", "system": system, "operation": operation, "duration_s": duration_s,
                   "collection": collection, "error_type": error_type, "rows": rows, **extra})

    def db_pool(self, used: int, idle: int, pool: Optional[str] = None, max: Optional[int] = None,
                pending: Optional[int] = None, timeouts: Optional[int] = None, **extra: Any) -> None:
        self.send({"type": "db.pool", "pool": pool, "used": used, "idle": idle, "max": max,
                   "pending": pending, "timeouts": timeouts, **extra})

    def cache_operation(self, operation: str, result: str, cache: Optional[str] = None,
                        duration_s: Optional[float] = None, **extra: Any) -> None:
        self.send({"type": "cache.operation", "cache": cache, "operation": operation, "result": result,
                   "duration_s": duration_s, **extra})

    def storage_operation(self, operation: str, backend: str, outcome: str, duration_s: float,
                          bytes: Optional[int] = None, **extra: Any) -> None:
        self.send({"type": "storage.operation", "operation": operation, "backend": backend, "outcome": outcome,
                   "duration_s": duration_s, "bytes": bytes, **extra})

    def speech_request(self, operation: str, provider: str, outcome: str, duration_s: float,
                       audio_s: Optional[float] = None, providers_attempted: Optional[List[str]] = None,
                       **extra: Any) -> None:
        self.send({"type": "speech.request", "operation": operation, "provider": provider, "outcome": outcome,
                   "duration_s": duration_s, "audio_s": audio_s, "providers_attempted": providers_attempted,
                   **extra})

    def llm_request(self, provider: str, model: str, duration_s: float, operation: Optional[str] = None,
                    input_tokens: Optional[int] = None, output_tokens: Optional[int] = None,
                    time_to_first_chunk_s: Optional[float] = None, error_type: Optional[str] = None,
                    **extra: Any) -> None:
        self.send({"type": "llm.request", "operation": operation, "provider": provider, "model": model,
                   "duration_s": duration_s, "input_tokens": input_tokens, "output_tokens": output_tokens,
                   "time_to_first_chunk_s": time_to_first_chunk_s, "error_type": error_type, **extra})

    def rag_pipeline(self, outcome: str, duration_s: float, pipeline: Optional[str] = None,
                     documents_retrieved: Optional[int] = None,
                     stages: Optional[List[Dict[str, Any]]] = None, **extra: Any) -> None:
        self.send({"type": "rag.pipeline", "pipeline": pipeline, "outcome": outcome, "duration_s": duration_s,
                   "documents_retrieved": documents_retrieved, "stages": stages, **extra})

    def document_processing(self, document_type: str, outcome: str, duration_s: float,
                            stage: Optional[str] = None, pages: Optional[int] = None, **extra: Any) -> None:
        self.send({"type": "document.processing", "document_type": document_type, "stage": stage,
                   "outcome": outcome, "pages": pages, "duration_s": duration_s, **extra})

    def auth_attempt(self, method: str, outcome: str, reason: Optional[str] = None, **extra: Any) -> None:
        self.send({"type": "auth.attempt", "method": method, "outcome": outcome, "reason": reason, **extra})

    def chat_message(self, role: Optional[str] = None, channel: Optional[str] = None,
                     outcome: Optional[str] = None, **extra: Any) -> None:
        self.send({"type": "chat.message", "role": role, "channel": channel, "outcome": outcome, **extra})

    def voice_interaction(self, kind: Optional[str] = None, channel: Optional[str] = None,
                          outcome: Optional[str] = None, duration_s: Optional[float] = None,
                          **extra: Any) -> None:
        self.send({"type": "voice.interaction", "kind": kind, "channel": channel, "outcome": outcome,
                   "duration_s": duration_s, **extra})

    def document_upload(self, document_type: str, channel: Optional[str] = None, outcome: Optional[str] = None,
                        bytes: Optional[int] = None, **extra: Any) -> None:
        self.send({"type": "document.upload", "document_type": document_type, "channel": channel,
                   "outcome": outcome, "bytes": bytes, **extra})

    def transaction(self, transaction_type: str, outcome: str, channel: Optional[str] = None,
                    amount: Optional[float] = None, currency: Optional[str] = None, **extra: Any) -> None:
        self.send({"type": "transaction", "transaction_type": transaction_type, "channel": channel,
                   "outcome": outcome, "amount": amount, "currency": currency, **extra})

    def error(self, message: str, error_type: str, component: Optional[str] = None,
              level: Optional[str] = None, stack: Optional[str] = None,
              context: Optional[Dict[str, Any]] = None, **extra: Any) -> None:
        self.send({"type": "error", "message": message[:8192] or error_type, "error_type": _label(error_type),
                   "component": component, "level": level, "stack": stack, "context": context, **extra})

    def capture_exception(self, exc: BaseException, component: Optional[str] = None,
                          level: Optional[str] = None, context: Optional[Dict[str, Any]] = None) -> None:
        """An `error` event from an exception: its class as error_type, its message and traceback."""
        try:
            stack = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-65_536:]
            self.error(str(exc) or type(exc).__name__, type(exc).__name__, component=component, level=level,
                       stack=stack, context=context)
        except Exception as error:
            self._report(f"could not capture an exception: {error!r}")

    # -- background thread --------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            self._wake.wait(self._flush_interval)
            self._wake.clear()
            try:
                self._drain()
            except Exception as error:  # the thread must survive anything
                self._report(f"sending events failed: {error!r}")
            with self._lock:
                waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                waiter.set()
            if self._stopping.is_set():
                return

    def _drain(self) -> None:
        while True:
            if self._retry is None:
                # Taken off the queue and parked in _retry under the lock, so stats() counts a
                # batch on its way as queued until it is settled, never as nowhere.
                with self._lock:
                    batch = []
                    while len(batch) < self._batch_size:
                        try:
                            batch.append(self._queue.get_nowait())
                        except queue.Empty:
                            break
                    if not batch:
                        return
                    self._retry = batch
            batch = self._retry
            if self._post(batch):
                self._retry, self._retry_attempts = None, 0
                continue
            if self._retry_attempts >= self._max_retries:
                self._count("dropped", len(batch))
                self._retry, self._retry_attempts = None, 0
            else:
                # Kept for the next round, one flush interval later, instead of a tight loop.
                self._retry, self._retry_attempts = batch, self._retry_attempts + 1
            return

    def _post(self, batch: List[Dict[str, Any]]) -> bool:
        """True when the batch is settled (recorded or refused for good), False to retry it."""
        body = json.dumps(batch, separators=(",", ":"), allow_nan=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self._use_gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                answer = json.loads(response.read() or b"{}")
                self._settle(answer)
                return True
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read() or b"{}")
            except ValueError:
                answer = {}
            if error.code == 400 and answer.get("error") == "no_valid_events":
                self._settle(answer)
                return True
            self._count("failed_requests")
            self._report(f"sidecar answered {error.code}: {answer.get('message', '')}")
            if error.code == 429 or error.code >= 500:
                return False
            self._count("dropped", len(batch))  # 400, 401, 403, 413, 415 would fail again
            return True
        except (OSError, ValueError) as error:  # refused, timed out, unreadable answer
            self._count("failed_requests")
            self._report(f"sending events failed: {error!r}")
            return False

    def _settle(self, answer: Dict[str, Any]) -> None:
        rejected = answer.get("rejected") or []
        with self._lock:
            self._stats["accepted"] += int(answer.get("accepted", 0))
            self._stats["duplicates"] += int(answer.get("duplicates", 0))
            self._stats["rejected"] += len(rejected)
        if rejected:
            self._report(f"sidecar rejected {len(rejected)} event(s): {rejected[0].get('reason')}")

    def _count(self, name: str, by: int = 1) -> None:
        with self._lock:
            self._stats[name] += by

    def _report(self, message: str) -> None:
        if self._on_error is not None:
            try:
                self._on_error(message)
            except Exception:
                pass
