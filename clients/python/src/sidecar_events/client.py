"""SidecarEvents: queue events in memory, send them in batches from a background thread.

A call costs microseconds and never raises or blocks: the event is serialized, put in a bounded
buffer under a lock held for a few instructions, and the sender thread does the network. The
client is safe in pre-forking servers (a forked worker starts with an empty buffer and its own
sender thread, started on its first event) and flushes at interpreter exit within a time limit.
"""

from __future__ import annotations

import random
import sys
import threading
import time
import uuid
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from . import process
from .buffer import EventBuffer
from .events import EventMethods
from .exceptions import describe_exception, encode_error_event, safe_str, stack_text
from .options import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EXIT_TIMEOUT_S,
    DEFAULT_FLUSH_INTERVAL_S,
    DEFAULT_MAX_QUEUE,
    DEFAULT_RETRY_WINDOW_S,
    DEFAULT_TIMEOUT_S,
    MAX_BATCH_BYTES,
    endpoint,
    number,
)
from .reporting import Reporter, call_site
from .request_context import current_request
from .sender import Sender
from .stats import Counters, Stats
from .transport import Transport
from .wire import encode

MAX_MESSAGE_UNITS = 8_192  # the sidecar counts a message's length in UTF-16 code units, as JavaScript does
_LABEL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/@+-")
_EXCEPTION_MARK = "_sidecar_event_id"


def new_event_id() -> str:
    """A random (version 4) UUID as 32 hex digits, as Sentry's event ids are. Drawn from `random`
    rather than uuid4()'s system call per id: these ids need to be unique, not unguessable, and
    `random` is reseeded in a forked child."""
    return uuid.UUID(int=random.getrandbits(128), version=4).hex


def _utf16_prefix(text: str, units: int) -> str:
    """The longest start of `text` that is at most `units` UTF-16 code units, no pair cut in half."""
    if len(text) * 2 <= units:
        return text
    return text.encode("utf-16-le", "surrogatepass")[: units * 2].decode("utf-16-le", "ignore")


def _label(value: Any) -> str:
    """An exception class name usable as a label: other characters become underscores."""
    return "".join(c if c in _LABEL_SAFE else "_" for c in str(value))[:100] or "Error"


class SidecarEvents(EventMethods):
    """Batches events to the sidecar's ingest API. Thread-safe; one instance per process is enough.

    `url` defaults to $SIDECAR_EVENTS_URL, else the sidecar's admin port on loopback.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        token: Optional[str] = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        flush_interval: float = DEFAULT_FLUSH_INTERVAL_S,
        max_queue: int = DEFAULT_MAX_QUEUE,
        timeout: float = DEFAULT_TIMEOUT_S,
        retry_window_s: float = DEFAULT_RETRY_WINDOW_S,
        use_gzip: bool = False,
        flush_on_exit: bool = True,
        exit_timeout_s: float = DEFAULT_EXIT_TIMEOUT_S,
        include_locals: bool = True,
        on_error: Optional[Callable[[str], None]] = None,
        max_retries: Optional[int] = None,
    ) -> None:
        self._reporter = Reporter(on_error)
        site = call_site(1)

        def report(message: str) -> None:
            self._reporter.misuse(site, message)

        self._batch_size = int(number(report, "batch_size", batch_size, DEFAULT_BATCH_SIZE, 1, 10_000, True))
        self._flush_interval_s = number(report, "flush_interval", flush_interval, DEFAULT_FLUSH_INTERVAL_S, 0.001)
        self._max_queue = int(number(report, "max_queue", max_queue, DEFAULT_MAX_QUEUE, 1, 10_000_000, True))
        self._timeout_s = number(report, "timeout", timeout, DEFAULT_TIMEOUT_S, 0.001)
        self._retry_window_s = number(report, "retry_window_s", retry_window_s, DEFAULT_RETRY_WINDOW_S, 0)
        self._exit_timeout_s = number(report, "exit_timeout_s", exit_timeout_s, DEFAULT_EXIT_TIMEOUT_S, 0)
        self._url = endpoint(report, url)
        self._token, self._use_gzip = token, bool(use_gzip)
        self._flush_on_exit = bool(flush_on_exit)
        self._include_locals = bool(include_locals)
        if max_retries is not None:
            report("SidecarEvents(max_retries=...) is ignored: failed requests are retried for up to "
                   "retry_window_s seconds (default 60)")
        self._closed = False
        self._thread: Optional[threading.Thread] = None
        self._counters = Counters()
        self._buffer = EventBuffer(self._max_queue)
        self._transport = self._new_transport()
        self._sender = self._new_sender()
        process.track(self)

    # -- sending ----------------------------------------------------------------------------------

    def send(self, event: Mapping[str, Any]) -> None:
        """Queue any event: a mapping with a ``type`` and that type's fields. None values are left out."""
        try:
            if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
                self._misuse("send(): an event is a dict with a string 'type'; the event was dropped", call_site(1))
                return
            fields = {k: v for k, v in event.items() if k != "type"}
            self._event(event["type"], fields)
        except Exception as error:
            self._misuse(f"send(): {error}; the event was dropped", call_site(1))

    def flush(self, timeout: float = 5.0) -> bool:
        """Block until everything queued before the call is settled; False after `timeout` seconds.

        Blocks: from async code use ``await events.flush_async()``.
        """
        try:
            if threading.current_thread() is self._thread:
                return False
            buffer = self._buffer
            with buffer.lock:
                if not len(buffer):
                    return True
                target = buffer.last_seq
                self._start_sender()
                self._sender.request_flush(target)
                return buffer.settled.wait_for(lambda: buffer.settled_up_to(target), max(0.0, timeout))
        except Exception:
            return False

    async def flush_async(self, timeout: float = 5.0) -> bool:
        """flush() for async code: waits in a worker thread, so the event loop keeps running."""
        import asyncio  # here, not at the top: most processes never need it, and it is slow to import

        return await asyncio.get_running_loop().run_in_executor(None, self.flush, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Flush for up to `timeout` seconds and stop. Events left, or sent later, are dropped and counted."""
        try:
            if self._closed:
                return
            self.flush(timeout)
            with self._buffer.lock:
                if self._closed:
                    return
                self._closed = True
                self._sender.stopping = True
                self._counters.drop("closed", self._buffer.clear())
                self._buffer.wake.notify_all()
                self._buffer.settled.notify_all()
        except Exception:
            pass

    def stats(self) -> Stats:
        with self._buffer.lock:
            return self._counters.snapshot(len(self._buffer))

    # -- how events get into the buffer -----------------------------------------------------------

    def _event(self, event_type: str, fields: Dict[str, Any]) -> None:
        event: Dict[str, Any] = {"type": event_type}
        for key, value in fields.items():
            if key != "self" and value is not None:
                event[key] = value
        if not event.get("event_id"):
            event["event_id"] = new_event_id()
        try:
            body = self._error_body(event) if event_type == "error" else encode(event)
        except (ValueError, TypeError) as error:
            raise ValueError(f"a field holds a value JSON cannot carry ({error})") from None
        self._enqueue(body)

    def _error_body(self, event: Dict[str, Any]) -> bytes:
        ids = current_request()
        if ids is not None and not any(event.get(k) for k in ("request_id", "trace_id", "span_id")):
            event.update((k, v) for k, v in ids._asdict().items() if v is not None)
        error_type = _label(event.get("error_type", "Error"))
        event["error_type"] = error_type
        event["message"] = _utf16_prefix(str(event.get("message") or ""), MAX_MESSAGE_UNITS) or error_type
        event.setdefault("ts", round(time.time(), 3))
        return encode_error_event(event)

    def _capture(self, exc: Optional[BaseException], fields: Dict[str, Any]) -> Optional[str]:
        if exc is None:
            exc = sys.exc_info()[1]
        if not isinstance(exc, BaseException):
            self._misuse("capture_exception(): no exception given and none being handled; nothing sent", call_site(3))
            return None
        already = getattr(exc, _EXCEPTION_MARK, None)
        if isinstance(already, str):
            return already
        event_id = new_event_id()
        try:
            setattr(exc, _EXCEPTION_MARK, event_id)
        except Exception:  # an exception type with __slots__: it may be sent twice, that is all
            pass
        event = {k: v for k, v in fields.items() if k not in ("self", "exc")}
        event.update(
            message=fields.get("message") or safe_str(exc) or type(exc).__name__,
            error_type=type(exc).__name__,
            stack=stack_text(exc),
            exception=describe_exception(exc, self._include_locals),
            event_id=event_id,
        )
        self._event("error", event)
        return event_id

    def _enqueue(self, body: bytes) -> None:
        buffer = self._buffer
        with buffer.lock:
            if self._closed:
                self._counters.drop("closed")
                return
            if not buffer.put(body):
                self._counters.drop("buffer_full")
                full = True
            else:
                full = False
                self._start_sender()
                if len(buffer) == 1 or len(buffer) == self._batch_size:
                    buffer.wake.notify()
        if full:
            self._reporter.delivery(
                "buffer_full",
                f"the buffer holds max_queue={self._max_queue} events waiting for the sidecar: new events "
                "are dropped (counted in stats()['dropped_buffer_full'])",
            )

    def _misuse(self, message: str, site: Tuple[str, int]) -> None:
        with self._buffer.lock:
            self._counters.drop("invalid")
        self._reporter.misuse(site, message)

    # -- the sender thread, forks and exit -----------------------------------------------------------

    def _start_sender(self) -> None:
        """Starts the sender on first use (expects the lock held): a client made before a fork costs
        the parent no thread."""
        if self._thread is not None:
            return
        thread = threading.Thread(target=self._sender.run, name="sidecar-events", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # interpreter shutting down: the events stay queued, as stats() says
            return
        self._thread = thread

    def _new_transport(self) -> Transport:
        return Transport(self._url, self._token, self._timeout_s, self._use_gzip)

    def _new_sender(self) -> Sender:
        return Sender(
            self._buffer, self._transport, self._counters, self._reporter, self._batch_size, MAX_BATCH_BYTES,
            self._flush_interval_s, self._retry_window_s,
        )

    def _close_at_exit(self) -> None:
        if self._flush_on_exit:
            self.close(self._exit_timeout_s)

    def _after_fork_in_child(self) -> None:
        """The parent's events are the parent's to send; the child counts and sends its own."""
        self._buffer.reset_after_fork()
        self._counters.reset()
        self._reporter.reset_after_fork()
        self._transport.close()  # this process's copy of the parent's socket only
        self._transport = self._new_transport()
        self._sender = self._new_sender()
        self._thread = None


_default: Optional[SidecarEvents] = None
_default_lock = threading.Lock()


def default_client() -> SidecarEvents:
    """The client ``install()`` and ``SidecarLogHandler`` use when given none: ``SidecarEvents()``
    with its defaults ($SIDECAR_EVENTS_URL or the sidecar on loopback, no token), made on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = SidecarEvents()
        return _default
