"""install(app) on a real FastAPI app served by uvicorn on a real socket."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, Tuple

import pytest
from sink import Sink

fastapi = pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from fastapi.responses import JSONResponse  # noqa: E402

from sidecar_events import SidecarEvents, current_request, install  # noqa: E402

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN_ID = "00f067aa0ba902b7"


def _raise_in_route() -> None:
    raise RuntimeError("the route failed")


def _app(events: SidecarEvents) -> Any:
    app = fastapi.FastAPI()

    @app.get("/boom")
    async def boom() -> None:
        _raise_in_route()

    @app.get("/boom-sync")
    def boom_sync() -> None:  # runs in Starlette's threadpool
        _raise_in_route()

    @app.get("/handled")
    async def handled() -> Dict[str, Any]:
        try:
            int("not a number")
        except ValueError:
            events.capture_exception(component="handled")
        return {"ids": current_request()}

    @app.get("/misspelled")
    async def misspelled() -> Dict[str, str]:
        events.db_query(system="postgresql", operation="SELECT", duraton_s=0.01)  # type: ignore[call-arg]
        return {"status": "ok"}

    @app.get("/not-found")
    async def not_found() -> None:
        raise fastapi.HTTPException(status_code=404)

    @app.exception_handler(LookupError)
    async def conflict_answer(request: Any, exc: LookupError) -> Any:
        return JSONResponse({"detail": "conflict"}, status_code=409)

    @app.get("/conflict")
    async def conflict() -> None:
        raise LookupError("already exists")

    install(app, events, component="api")
    return app


@pytest.fixture
def served(sink: Sink, make_client) -> Iterator[Tuple[str, SidecarEvents]]:
    events = make_client(sink.url, flush_interval=0.01)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(_app(events), log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", events
    server.should_exit = True
    thread.join(5)


def _get(url: str, headers: Dict[str, str]) -> Tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("path", ["/boom", "/boom-sync"])
def test_an_exception_escaping_a_route_is_posted_once_with_the_request_ids(
    sink: Sink, served: Tuple[str, SidecarEvents], path: str
) -> None:
    base, events = served
    status, _ = _get(
        base + path, {"X-Request-Id": "req-42", "traceparent": f"00-{TRACE_ID}-{SPAN_ID}-01"}
    )
    assert status == 500  # the app's own answer, unchanged
    assert events.flush(5)
    [event] = sink.events_of_type("error")
    assert event["request_id"] == "req-42"
    assert event["trace_id"] == TRACE_ID and event["span_id"] == SPAN_ID
    assert event["error_type"] == "RuntimeError" and event["component"] == "api"
    raised = event["exception"][-1]
    assert raised["type"] == "RuntimeError" and raised["value"] == "the route failed"
    innermost = raised["stacktrace"]["frames"][-1]
    assert innermost["function"] == "_raise_in_route" and innermost["in_app"] is True
    assert any(not f["in_app"] for f in raised["stacktrace"]["frames"])  # Starlette's own frames


def test_sentry_trace_wins_over_traceparent(sink: Sink, served: Tuple[str, SidecarEvents]) -> None:
    base, events = served
    other_trace = "a" * 32
    _get(
        base + "/boom",
        {
            "X-Request-Id": "req-43",
            "sentry-trace": f"{TRACE_ID}-{SPAN_ID}-1",
            "traceparent": f"00-{other_trace}-{'b' * 16}-01",
        },
    )
    assert events.flush(5)
    [event] = sink.events_of_type("error")
    assert (event["trace_id"], event["span_id"]) == (TRACE_ID, SPAN_ID)


def test_a_handled_exception_in_a_route_is_linked_to_the_request(sink: Sink, served: Tuple[str, SidecarEvents]) -> None:
    base, events = served
    status, body = _get(base + "/handled", {"X-Request-Id": "req-44"})
    assert status == 200
    assert json.loads(body)["ids"] == ["req-44", None, None]
    assert events.flush(5)
    [event] = sink.events_of_type("error")
    assert event["request_id"] == "req-44" and event["component"] == "handled"
    assert "trace_id" not in event
    assert event["exception"][-1]["stacktrace"]["frames"][-1]["function"] == "handled"


def test_a_misspelled_argument_does_not_break_the_route(sink: Sink, served: Tuple[str, SidecarEvents]) -> None:
    base, events = served
    status, body = _get(base + "/misspelled", {})
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert events.flush(5)
    assert events.stats()["dropped_invalid"] == 1
    assert sink.events_of_type("error") == []


def test_http_errors_the_app_handles_are_not_reported(sink: Sink, served: Tuple[str, SidecarEvents]) -> None:
    base, events = served
    assert _get(base + "/not-found", {})[0] == 404
    assert _get(base + "/conflict", {})[0] == 409
    assert events.flush(5)
    assert sink.events_of_type("error") == []


def test_install_wraps_a_plain_asgi_app(sink: Sink, make_client) -> None:
    events = make_client(sink.url, flush_interval=0.01)

    async def bare_app(scope: Any, receive: Any, send: Any) -> None:
        raise KeyError("bare")

    wrapped = install(bare_app, events)
    scope = {"type": "http", "headers": [(b"x-request-id", b"req-45")]}

    async def call() -> None:
        await wrapped(scope, None, None)

    with pytest.raises(KeyError):
        asyncio.run(call())
    assert events.flush(5)
    [event] = sink.events_of_type("error")
    assert event["request_id"] == "req-45" and event["error_type"] == "KeyError"
