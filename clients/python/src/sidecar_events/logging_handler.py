"""A logging handler that turns error records carrying an exception into error events.

``logger.exception("payment failed")`` in an except block, or a framework logging an unhandled
exception, becomes an error event with the log message, the exception's frames and, inside a
request (see ``install``), the request's ids. Records without an exception are left to the other
handlers: a log line is not an error report.
"""

from __future__ import annotations

import logging
from typing import Optional, Union

from .client import SidecarEvents, default_client


def _sentry_level(levelno: int) -> str:
    if levelno >= logging.CRITICAL:
        return "fatal"
    return "error" if levelno >= logging.ERROR else "warning"


class SidecarLogHandler(logging.Handler):
    def __init__(
        self,
        events: Optional[SidecarEvents] = None,
        level: Union[int, str] = logging.ERROR,
        component: Optional[str] = None,
    ) -> None:
        super().__init__(level)
        self.events = events
        self.component = component

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if not record.exc_info or record.name.split(".", 1)[0] == "sidecar_events":
                return  # no exception to report; or the client's own warnings, which must not loop back
            exc = record.exc_info[1]
            if exc is None:
                return
            try:
                message = record.getMessage()
            except Exception:  # a message whose arguments do not fit its format string
                message = str(record.msg)
            (self.events or default_client()).capture_exception(
                exc,
                message=message,
                level=_sentry_level(record.levelno),
                component=self.component,
                context={"logger": record.name[:1024]},
            )
        except Exception:  # a log call must never fail because of this handler
            pass
