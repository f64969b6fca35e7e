"""How the client tells the application about its own problems without flooding its log.

Two kinds of problems: a call the application got wrong (a misspelled argument), reported once per
call site so a hot loop logs one line, not a million; and delivery trouble (the sidecar away,
events refused), reported at most once a minute per kind. Reports go to the `on_error` hook when
the application gave one, else to the ``sidecar_events`` logger. They never raise.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Callable, Dict, Optional, Set, Tuple

logger = logging.getLogger("sidecar_events")

# Enough call sites for any application; past it a new site is still counted, just not logged.
_MAX_CALL_SITES = 1_000
_DELIVERY_REPORT_INTERVAL_S = 60.0


def call_site(depth: int) -> Tuple[str, int]:
    """The file and line `depth` frames above the caller."""
    try:
        frame = sys._getframe(depth + 1)
        return frame.f_code.co_filename, frame.f_lineno
    except (ValueError, AttributeError):
        return "<unknown>", 0


class Reporter:
    def __init__(self, on_error: Optional[Callable[[str], None]]) -> None:
        self._on_error = on_error
        self._lock = threading.Lock()
        self._call_sites: Set[Tuple[str, int, str]] = set()
        self._last_delivery_report: Dict[str, float] = {}

    def misuse(self, site: Tuple[str, int], message: str) -> None:
        """A wrong call: logged the first time this call site makes this mistake."""
        key = (site[0], site[1], message)
        with self._lock:
            if key in self._call_sites or len(self._call_sites) >= _MAX_CALL_SITES:
                return
            self._call_sites.add(key)
        self._emit(f"{message} (at {site[0]}:{site[1]}; reported once per call site)")

    def delivery(self, kind: str, message: str) -> None:
        """Delivery trouble of one kind: at most one report a minute."""
        now = time.monotonic()
        with self._lock:
            last = self._last_delivery_report.get(kind)
            if last is not None and now - last < _DELIVERY_REPORT_INTERVAL_S:
                return
            self._last_delivery_report[kind] = now
        self._emit(message)

    def forget_delivery(self, kind: str) -> None:
        """The trouble is over: the next occurrence is reported at once."""
        with self._lock:
            self._last_delivery_report.pop(kind, None)

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()

    def _emit(self, message: str) -> None:
        try:
            if self._on_error is not None:
                self._on_error(message)
            else:
                logger.warning("%s", message)
        except Exception:  # a failing hook or log handler must not reach the application
            pass
