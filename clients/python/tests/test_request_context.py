"""Request ids and trace context from request headers, as the sidecar sets them."""

from __future__ import annotations

import pytest

from sidecar_events import RequestIds, current_request, ids_from_headers, request_scope

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"X-Request-Id": "7f1c-42"}, RequestIds("7f1c-42")),
        (
            [(b"x-request-id", b"abc"), (b"traceparent", f"00-{TRACE}-{SPAN}-01".encode())],
            RequestIds("abc", TRACE, SPAN),
        ),
        ({"sentry-trace": f"{TRACE}-{SPAN}"}, RequestIds(None, TRACE, SPAN)),
        ({"sentry-trace": "not a trace", "traceparent": f"00-{TRACE}-{SPAN}-00"}, RequestIds(None, TRACE, SPAN)),
        ({"traceparent": f"00-{'0' * 32}-{SPAN}-01"}, RequestIds()),  # an all-zero trace id is invalid
        ({"traceparent": f"00-{TRACE.upper()}-{SPAN}-01"}, RequestIds()),  # W3C hex is lowercase
        ({"x-request-id": "has space"}, RequestIds()),
        ({"x-request-id": "x" * 129}, RequestIds()),
        ({}, RequestIds()),
    ],
)
def test_ids_from_headers(headers, expected: RequestIds) -> None:
    assert ids_from_headers(headers) == expected


def test_request_scope_sets_the_current_request_for_the_block() -> None:
    assert current_request() is None
    with request_scope({"X-Request-Id": "req-1"}) as ids:
        assert ids.request_id == "req-1" and current_request() == ids
    assert current_request() is None
