"""One POST of a batch to /v1/events, and what the answer means for the events in it.

http.client rather than urllib: one kept-alive connection instead of a handshake per batch, and
no HTTP_PROXY from the environment, which would send loopback traffic to a corporate proxy.
"""

from __future__ import annotations

import gzip
import http.client
import json
import urllib.parse
from typing import Any, Dict, List, Optional, Union

from ._version import __version__

# What the sender does with a batch after an answer.
SETTLED = "settled"  # the sidecar answered for every event (accepted, duplicate or rejected)
RETRY = "retry"  # network error, timeout, 429 or 5xx: the same events, later
REFUSED = "refused"  # 400, 401, 403, 415...: the same request would fail again
TOO_LARGE = "too_large"  # 413: the sidecar's limits are smaller than the batch

Connection = Union[http.client.HTTPConnection, http.client.HTTPSConnection]


class Answer:
    __slots__ = ("outcome", "status", "accepted", "duplicates", "rejected", "retry_after_s", "message")

    def __init__(self, outcome: str, status: int = 0, message: str = "") -> None:
        self.outcome = outcome
        self.status = status
        self.accepted = 0
        self.duplicates = 0
        self.rejected: List[Dict[str, Any]] = []
        self.retry_after_s: Optional[float] = None
        self.message = message


class Transport:
    def __init__(self, url: str, token: Optional[str], timeout_s: float, use_gzip: bool) -> None:
        parts = urllib.parse.urlsplit(url)  # checked by options.endpoint()
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout_s = timeout_s
        self._use_gzip = use_gzip
        self._headers = {"Content-Type": "application/json", "User-Agent": f"sidecar-events-python/{__version__}"}
        if use_gzip:
            self._headers["Content-Encoding"] = "gzip"
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._connection: Optional[Connection] = None

    def post(self, body: bytes) -> Answer:
        if self._use_gzip:
            body = gzip.compress(body, compresslevel=5)
        reused = self._connection is not None
        try:
            return self._exchange(body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
            self.close()
            if not reused:
                return Answer(RETRY, message=f"sending events failed: {error!r}")
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Answer(RETRY, message=f"sending events failed: {error!r}")
        # The sidecar closed an idle kept-alive connection just as it was reused (Node closes them
        # after 5 s): one attempt on a new connection. Event ids make a repeat harmless.
        try:
            return self._exchange(body)
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Answer(RETRY, message=f"sending events failed: {error!r}")

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass

    def _connect(self) -> Connection:
        if self._connection is None:
            if self._https:
                self._connection = http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout_s)
            else:
                self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout_s)
        return self._connection

    def _exchange(self, body: bytes) -> Answer:
        connection = self._connect()
        connection.request("POST", self._path, body=body, headers=self._headers)
        response = connection.getresponse()
        raw = response.read()
        if response.will_close:
            self.close()
        return interpret(response.status, raw, response.getheader("Retry-After"))


def interpret(status: int, raw: bytes, retry_after: Optional[str]) -> Answer:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    message = str(data.get("message") or data.get("error") or "")
    if 200 <= status < 300 or (status == 400 and data.get("error") == "no_valid_events"):
        answer = Answer(SETTLED, status)
        answer.accepted = _int(data.get("accepted"))
        answer.duplicates = _int(data.get("duplicates"))
        rejected = data.get("rejected")
        answer.rejected = [r for r in rejected if isinstance(r, dict)] if isinstance(rejected, list) else []
        return answer
    if status == 429 or status >= 500:
        answer = Answer(RETRY, status, f"the sidecar answered {status} {message}".rstrip())
        answer.retry_after_s = _seconds(retry_after)
        return answer
    if status == 413:
        return Answer(TOO_LARGE, status, f"the sidecar answered 413 {message}".rstrip())
    return Answer(REFUSED, status, f"the sidecar answered {status} {message}".rstrip())


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _seconds(value: Optional[str]) -> Optional[float]:
    """Retry-After in its delay-seconds form; an HTTP date is rare enough to ignore."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
