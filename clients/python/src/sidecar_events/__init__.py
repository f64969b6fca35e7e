"""Send application events and errors to the observability sidecar's ingest API (POST /v1/events).

Standard library only. Events are queued and sent in batches by a background thread, so a call
such as ``events.db_query(...)`` costs microseconds and never raises: a wrong argument is logged
once per call site and the event dropped, and while the sidecar is away (a restart) events wait in
a bounded buffer and are retried for up to ``retry_window_s``. Every drop is counted in ``stats()``.

    from sidecar_events import SidecarEvents, install

    events = SidecarEvents(token=os.environ.get("INGEST_TOKEN"))
    events.db_query(system="postgresql", operation="SELECT", collection="users", duration_s=0.012)
    install(app, events)  # FastAPI / Starlette: unhandled exceptions, linked to their request

The catalog (every event type and field) is documented in docs/INGEST_API.md and served by the
sidecar at GET /v1/events/schema.
"""

from ._version import __version__
from .asgi import SidecarMiddleware, install
from .client import SidecarEvents, default_client
from .logging_handler import SidecarLogHandler
from .options import DEFAULT_URL
from .request_context import RequestIds, current_request, ids_from_headers, request_scope
from .stats import Stats

__all__ = [
    "DEFAULT_URL",
    "RequestIds",
    "SidecarEvents",
    "SidecarLogHandler",
    "SidecarMiddleware",
    "Stats",
    "__version__",
    "current_request",
    "default_client",
    "ids_from_headers",
    "install",
    "request_scope",
]
