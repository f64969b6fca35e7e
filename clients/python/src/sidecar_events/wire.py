"""How events become the bytes POST /v1/events takes.

Each event is serialized once, in the caller's thread, when it is queued: an event that cannot be
serialized is refused there (and only that event), and the sender knows each event's exact size
when it fills a request up to the body limit.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional

# Fields of `error` events that link them to the request that failed. A sidecar older than these
# refuses them by name ("events[0].exception: is not a field of error"); the sender then sends the
# event again without them, so a newer client loses no error against an older sidecar.
LINK_FIELDS = ("request_id", "trace_id", "span_id", "exception")
_UNKNOWN_FIELD = "is not a field of error"


def _coerce(value: Any) -> Any:
    """Numbers that are not int or float (numpy scalars, Decimal) as JSON numbers."""
    if hasattr(value, "__index__"):
        return value.__index__()
    if hasattr(value, "__float__"):
        return float(value)
    raise TypeError(f"a value of type {type(value).__name__} is not JSON: use str, int, float, bool, list or dict")


# One encoder for every event: json.dumps() with options builds a new one on each call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_coerce)


def encode(event: Mapping[str, Any]) -> bytes:
    """One event as compact JSON. Raises ValueError or TypeError for what JSON cannot carry (NaN, objects)."""
    return _ENCODER.encode(event).encode("utf-8")


def batch_body(events: Iterable[bytes]) -> bytes:
    return b"[" + b",".join(events) + b"]"


def refuses_link_fields(reason: str) -> bool:
    """True when a rejection names a link field as unknown: the sidecar predates them."""
    return _UNKNOWN_FIELD in reason and any(f".{field}: {_UNKNOWN_FIELD}" in reason for field in LINK_FIELDS)


def without_link_fields(body: bytes) -> Optional[bytes]:
    """The event without its link fields, or None when it has none (nothing to retry)."""
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not isinstance(event, dict) or not any(field in event for field in LINK_FIELDS):
        return None
    for field in LINK_FIELDS:
        event.pop(field, None)
    return encode(event)
