"""The client's options: their defaults, named once, and what happens to an unusable value.

A monitoring client must not stop an application from starting, so an unusable value is reported
(naming the option and the rule) and replaced by its default, instead of raising.
"""

from __future__ import annotations

import math
import os
import urllib.parse
from typing import Any, Callable, Optional

DEFAULT_URL = "http://127.0.0.1:9464/v1/events"
URL_VARIABLE = "SIDECAR_EVENTS_URL"
DEFAULT_BATCH_SIZE = 100
DEFAULT_FLUSH_INTERVAL_S = 1.0
DEFAULT_MAX_QUEUE = 10_000
DEFAULT_TIMEOUT_S = 2.0
DEFAULT_RETRY_WINDOW_S = 60.0
DEFAULT_EXIT_TIMEOUT_S = 5.0
# Half the sidecar's default INGEST_MAX_BODY_BYTES; a smaller limit is found by halving on 413.
MAX_BATCH_BYTES = 512 * 1024

Report = Callable[[str], None]


def number(report: Report, name: str, value: Any, default: float, low: float, high: float = math.inf,
           integer: bool = False) -> float:
    """`value` when it is a number within [low, high] (an integer if asked), else `default`."""
    usable = (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
              and low <= value <= high and (not integer or float(value).is_integer()))
    if usable:
        return float(value)
    upper = f" to {high:g}" if high != math.inf else ""
    report(f"SidecarEvents({name}={value!r}): must be {'an integer' if integer else 'a number'} "
           f"from {low:g}{upper}; using {default:g}")
    return default


def endpoint(report: Report, url: Optional[str]) -> str:
    """The ingest URL: `url`, else $SIDECAR_EVENTS_URL, else the sidecar's admin port on loopback."""
    chosen = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    try:
        parts = urllib.parse.urlsplit(chosen)
        parts.port  # raises ValueError for a port that is not a number in range
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        usable = False
    if usable:
        return chosen
    source = "url" if url else URL_VARIABLE
    report(f"SidecarEvents: {source}={chosen!r} is not an http(s)://host[:port]/path URL; using {DEFAULT_URL}")
    return DEFAULT_URL
