"""Which request the code is serving: the ids that link an error event to what the sidecar saw.

The sidecar puts an `X-Request-Id` on every request it forwards and, when it traces, `sentry-trace`
and `traceparent` naming its own span. An error event carrying them is joined on the sidecar to the
request's 5xx and trace. The ASGI middleware sets the current request for the duration of each
request; `request_scope(headers)` does the same for any other framework (a Flask before_request,
a Django middleware). A context variable rather than a thread-local, so it follows asyncio tasks
and Starlette's threadpool.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Iterable, Iterator, Mapping, NamedTuple, Optional, Tuple, Union

# The sidecar's own rule for an incoming X-Request-Id (src/proxy/request-id.ts).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@=+/-]{1,128}")
_SENTRY_TRACE = re.compile(r"\s*([0-9a-f]{32})-([0-9a-f]{16})(?:-[01])?\s*")
_TRACEPARENT = re.compile(r"\s*[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}\s*")


class RequestIds(NamedTuple):
    request_id: Optional[str] = None
    trace_id: Optional[str] = None
    span_id: Optional[str] = None


_current: ContextVar[Optional[RequestIds]] = ContextVar("sidecar_events_request", default=None)

Headers = Union[Mapping[str, str], Iterable[Tuple[Union[str, bytes], Union[str, bytes]]]]


def _text(value: Union[str, bytes]) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _header_map(headers: Headers) -> Mapping[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = ("x-request-id", "sentry-trace", "traceparent")
    found = {}
    for name, value in items:
        key = _text(name).lower()
        if key in wanted and key not in found:
            found[key] = _text(value)
    return found


def ids_from_headers(headers: Headers) -> RequestIds:
    """The request id and trace context of a request's headers (ASGI pairs or a mapping).

    `sentry-trace` wins over `traceparent`, as on the sidecar. The span id is the span the sidecar
    propagated: the parent of whatever the backend does for this request.
    """
    found = _header_map(headers)
    request_id = found.get("x-request-id")
    if request_id is not None and not _REQUEST_ID.fullmatch(request_id):
        request_id = None
    trace_id = span_id = None
    for name, pattern in (("sentry-trace", _SENTRY_TRACE), ("traceparent", _TRACEPARENT)):
        match = pattern.fullmatch(found.get(name, ""))
        if match and match.group(1) != "0" * 32 and match.group(2) != "0" * 16:
            trace_id, span_id = match.group(1), match.group(2)
            break
    return RequestIds(request_id, trace_id, span_id)


def current_request() -> Optional[RequestIds]:
    """The ids of the request being served in this context, if any."""
    return _current.get()


@contextmanager
def request_scope(headers: Headers) -> Iterator[RequestIds]:
    """Error events sent inside the block carry this request's ids."""
    token = _current.set(ids_from_headers(headers))
    try:
        yield _current.get() or RequestIds()
    finally:
        _current.reset(token)


def enter(ids: RequestIds) -> Token[Optional[RequestIds]]:
    return _current.set(ids)


def leave(token: Token[Optional[RequestIds]]) -> None:
    _current.reset(token)
