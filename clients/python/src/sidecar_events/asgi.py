"""``install(app)``: exceptions escaping a Starlette or FastAPI app (or any ASGI app) become error
events carrying the request's X-Request-Id and trace ids, so the sidecar joins them to the 5xx it
saw for that request.

A pure ASGI middleware, so it works without Starlette's BaseHTTPMiddleware (which buffers and
runs the app in a separate task) and adds no dependency. It re-raises what it reports: the app's
error handling, its 500 page and its server's log are what they were. While a request is served,
its ids are the current request's (``current_request()``), so ``events.capture_exception()`` in a
route and the logging handler link handled errors to the request too.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, MutableMapping, Optional

from .client import SidecarEvents, default_client
from .reporting import logger
from .request_context import RequestIds, enter, ids_from_headers, leave

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SidecarMiddleware:
    def __init__(self, app: ASGIApp, events: Optional[SidecarEvents] = None, component: Optional[str] = None) -> None:
        self.app = app
        self.events = events
        self.component = component

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            ids = ids_from_headers(scope.get("headers") or ())
        except Exception:
            ids = RequestIds()
        token = enter(ids)
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            (self.events or default_client()).capture_exception(
                exc, component=self.component, request_id=ids.request_id, trace_id=ids.trace_id, span_id=ids.span_id
            )
            raise
        finally:
            leave(token)


def install(app: Any, events: Optional[SidecarEvents] = None, *, component: Optional[str] = None) -> Any:
    """Report the exceptions that escape `app`, linked to their request.

    A Starlette or FastAPI app gets the middleware added and is returned; any other ASGI app is
    returned wrapped (use the return value). `events` defaults to ``default_client()``.
    """
    try:
        add_middleware = getattr(app, "add_middleware", None)
        if callable(add_middleware):
            add_middleware(SidecarMiddleware, events=events, component=component)
            return app
        return SidecarMiddleware(app, events, component)
    except Exception as error:  # e.g. Starlette refuses middleware once the app has started
        logger.warning("sidecar_events.install(): %r; exceptions of this app are not reported", error)
        return app
