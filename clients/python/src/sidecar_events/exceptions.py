"""An exception as Sentry's exception interface: the chain of causes, each with its stack trace.

The list is in Sentry's order: the first cause first, the exception that was raised last, following
``raise ... from`` (``__cause__``) and exceptions raised while handling another (``__context__``)
as Python's own traceback does. Frames within each are oldest first, the raising frame last.
"""

from __future__ import annotations

import traceback
from typing import Any, Callable, Dict, List

from .frames import traceback_frames
from .wire import encode

MAX_CHAIN = 10
MAX_FRAMES = 50
MAX_VALUE_CHARS = 2_048
# The sidecar takes `stack` up to 65,536 UTF-16 code units; characters outside the BMP count twice.
MAX_STACK_CHARS = 32_000
# One error event stays far below the ingest body limit (INGEST_MAX_BODY_BYTES, 1 MiB by default)
# and below what Sentry takes in one event once the sidecar has added the request to it.
MAX_ERROR_EVENT_BYTES = 128 * 1024


def safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = ""
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def chain_of(exc: BaseException) -> List[BaseException]:
    """The raised exception and its causes, the first cause first."""
    chain: List[BaseException] = []
    seen = set()
    current: Any = exc
    while isinstance(current, BaseException) and id(current) not in seen and len(chain) < MAX_CHAIN:
        seen.add(id(current))
        chain.append(current)
        cause = current.__cause__
        if cause is None and not current.__suppress_context__:
            cause = current.__context__
        current = cause
    chain.reverse()
    return chain


def describe_exception(exc: BaseException, include_locals: bool = True) -> List[Dict[str, Any]]:
    described = []
    for item in chain_of(exc):
        entry: Dict[str, Any] = {
            "type": type(item).__name__,
            "value": safe_str(item),
            "module": type(item).__module__,
        }
        frames = traceback_frames(item.__traceback__, include_locals, MAX_FRAMES)
        if frames:  # an exception that was never raised has no stack trace
            entry["stacktrace"] = {"frames": frames}
        described.append(entry)
    return described


def stack_text(exc: BaseException) -> str:
    """The traceback as Python prints it; its end (where the failure is) when too long."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return text if len(text) <= MAX_STACK_CHARS else "…" + text[-(MAX_STACK_CHARS - 1) :]


# -- fitting an error event into MAX_ERROR_EVENT_BYTES -----------------------------------------------


def _strip(frame: Dict[str, Any], *keys: str) -> None:
    for key in keys:
        frame.pop(key, None)


def _frames(exception: Dict[str, Any]) -> List[Dict[str, Any]]:
    frames: List[Dict[str, Any]] = exception.get("stacktrace", {}).get("frames", [])
    return frames


def _library_details(exceptions: List[Dict[str, Any]]) -> None:
    for exception in exceptions:
        for frame in _frames(exception):
            if not frame.get("in_app"):
                _strip(frame, "vars", "pre_context", "post_context")


def _outer_details(exceptions: List[Dict[str, Any]]) -> None:
    for exception in exceptions:
        for frame in _frames(exception)[:-1]:
            _strip(frame, "vars", "pre_context", "post_context")


def _outer_frames(exceptions: List[Dict[str, Any]]) -> None:
    for exception in exceptions:
        frames = _frames(exception)
        del frames[:-10]
        for frame in frames:
            _strip(frame, "vars", "pre_context", "post_context")


def _causes(exceptions: List[Dict[str, Any]]) -> None:
    del exceptions[:-1]


# From the least useful detail to the most: library frames' variables go first, the raised
# exception's innermost frame last.
_SHRINKS: List[Callable[[List[Dict[str, Any]]], None]] = [_library_details, _outer_details, _outer_frames, _causes]


def encode_error_event(event: Dict[str, Any], limit: int = MAX_ERROR_EVENT_BYTES) -> bytes:
    """The event as JSON of at most `limit` bytes, trimmed of detail as needed."""
    body = encode(event)
    exceptions = event.get("exception")
    for shrink in _SHRINKS:
        if len(body) <= limit or not isinstance(exceptions, list):
            break
        shrink(exceptions)
        body = encode(event)
    if len(body) > limit:
        event.pop("exception", None)
        if isinstance(event.get("stack"), str):
            event["stack"] = "…" + event["stack"][-4_000:]
        body = encode(event)
    return body
