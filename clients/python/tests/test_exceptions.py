"""Exceptions as Sentry's exception interface: the chain, the frames, the variables, the size cap."""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List

from sink import Sink

from sidecar_events.exceptions import MAX_ERROR_EVENT_BYTES, describe_exception, encode_error_event


def _raise_key_error(password: str, rows: List[int]) -> None:
    long_text = "y" * 5_000
    api_token = "tok_live_123"
    raise KeyError("account")


def _wrap_with_cause() -> None:
    try:
        _raise_key_error("hunter2", list(range(1_000)))
    except KeyError as error:
        raise ValueError("could not load the account") from error


def _fail_while_handling() -> None:
    try:
        _wrap_with_cause()
    except ValueError:
        raise RuntimeError("request failed")


def _caught(fn: Any) -> BaseException:
    try:
        fn()
    except BaseException as error:
        return error
    raise AssertionError("did not raise")


def test_the_chain_runs_from_the_first_cause_to_the_raised_exception() -> None:
    chain = describe_exception(_caught(_fail_while_handling))
    assert [(e["type"], e["value"]) for e in chain] == [
        ("KeyError", "'account'"),
        ("ValueError", "could not load the account"),
        ("RuntimeError", "request failed"),
    ]
    assert chain[0]["module"] == "builtins"


def test_each_exception_ends_with_the_frame_that_raised_it() -> None:
    chain = describe_exception(_caught(_fail_while_handling))
    innermost = [e["stacktrace"]["frames"][-1] for e in chain]
    assert [f["function"] for f in innermost] == ["_raise_key_error", "_wrap_with_cause", "_fail_while_handling"]
    frames = chain[0]["stacktrace"]["frames"]
    assert [f["function"] for f in frames] == ["_wrap_with_cause", "_raise_key_error"]  # oldest first

    frame = frames[-1]
    assert frame["filename"] == "test_exceptions.py" and frame["abs_path"] == __file__
    assert frame["module"] == __name__ and frame["in_app"] is True
    assert frame["context_line"].strip() == 'raise KeyError("account")'
    assert frame["pre_context"][-1].strip() == 'api_token = "tok_live_123"'
    assert len(frame["pre_context"]) == 5 and len(frame["post_context"]) == 5
    source = open(__file__).read().splitlines()
    assert source[frame["lineno"] - 1] == frame["context_line"]
    if sys.version_info >= (3, 11):
        assert frame["colno"] == 5


def test_variables_are_short_reprs_with_secrets_filtered() -> None:
    frame = describe_exception(_caught(_fail_while_handling))[0]["stacktrace"]["frames"][-1]
    variables = frame["vars"]
    assert list(variables) == ["password", "rows", "long_text", "api_token"]
    assert variables["password"] == "[Filtered]" and variables["api_token"] == "[Filtered]"
    assert variables["rows"].startswith("[0, 1, 2") and variables["rows"].endswith("...]")
    assert len(variables["long_text"]) <= 200 and variables["long_text"].startswith("'yyy")
    assert "tok_live" not in json.dumps(variables)


def test_raise_from_none_hides_the_context() -> None:
    def hide() -> None:
        try:
            {"present": 1}["missing"]
        except KeyError:
            raise LookupError("not found") from None

    assert [e["type"] for e in describe_exception(_caught(hide))] == ["LookupError"]


def test_library_frames_are_not_in_app() -> None:
    chain = describe_exception(_caught(lambda: json.loads("{")))
    frames = chain[-1]["stacktrace"]["frames"]
    assert frames[0]["in_app"] is True
    assert frames[-1]["in_app"] is False and frames[-1]["module"].startswith("json")
    assert frames[-1]["filename"].startswith("json/")


def test_an_exception_that_was_never_raised_has_no_stack_trace() -> None:
    assert describe_exception(ValueError("built, not raised")) == [
        {"type": "ValueError", "value": "built, not raised", "module": "builtins"}
    ]


def _recurse(depth: int, *ballast: str) -> None:
    a, b, c, d, e, f, g, h, i, j, k, m = (("z" * 300),) * 12
    if depth == 0:
        raise RecursionError("deep")
    _recurse(depth - 1, *ballast)


def test_a_deep_stack_with_big_variables_fits_the_size_cap() -> None:
    exc = _caught(lambda: _recurse(200))
    event: Dict[str, Any] = {"type": "error", "message": "deep", "error_type": "RecursionError"}
    event["exception"] = describe_exception(exc)
    frames = event["exception"][-1]["stacktrace"]["frames"]
    assert len(frames) == 50
    assert frames[0]["function"] == "_caught" and frames[-1]["function"] == "_recurse"
    assert len(json.dumps(event)) > MAX_ERROR_EVENT_BYTES

    body = encode_error_event(event)
    assert len(body) <= MAX_ERROR_EVENT_BYTES
    kept = json.loads(body)["exception"][-1]["stacktrace"]["frames"]
    assert kept[-1]["function"] == "_recurse" and kept[-1]["context_line"].strip() == 'raise RecursionError("deep")'
    assert "vars" in kept[-1]  # the innermost frame keeps its variables


def test_capture_exception_sends_the_chain_the_stack_and_an_event_id(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=0.01)
    exc = _caught(_fail_while_handling)
    event_id = client.capture_exception(exc, component="accounts", context={"attempt": 2})
    assert client.capture_exception(exc) == event_id  # sent once, however many report it
    assert client.flush(5)

    [event] = sink.events_of_type("error")
    assert event["event_id"] == event_id and len(event_id) == 32
    assert event["error_type"] == "RuntimeError" and event["message"] == "request failed"
    assert event["component"] == "accounts" and event["context"] == {"attempt": 2}
    assert [e["type"] for e in event["exception"]] == ["KeyError", "ValueError", "RuntimeError"]
    assert "Traceback (most recent call last)" in event["stack"] and "KeyError: 'account'" in event["stack"]
    assert isinstance(event["ts"], float)
    assert "request_id" not in event  # outside a request


def test_capture_exception_without_an_argument_takes_the_one_being_handled(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=0.01)
    try:
        raise TimeoutError("provider timed out")
    except TimeoutError:
        client.capture_exception(level="warning")
    assert client.flush(5)
    [event] = sink.events_of_type("error")
    assert event["error_type"] == "TimeoutError" and event["level"] == "warning"


def test_variables_can_be_left_out(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=0.01, include_locals=False)
    client.capture_exception(_caught(_fail_while_handling))
    assert client.flush(5)
    [event] = sink.events_of_type("error")
    assert all("vars" not in f for e in event["exception"] for f in e["stacktrace"]["frames"])


def test_an_older_sidecar_gets_the_error_without_the_fields_it_does_not_know(sink: Sink, make_client) -> None:
    sink.mode = "old_sidecar"
    errors: list = []
    client = make_client(sink.url, flush_interval=0.01, on_error=errors.append)
    client.error("payment failed", "PaymentError", request_id="req-1")
    client.capture_exception(_caught(_fail_while_handling))
    assert client.flush(5)
    events = sink.events_of_type("error")
    assert len(events) == 2 and all("exception" not in e and "request_id" not in e for e in events)
    assert all(e["stack"] for e in events[1:])
    stats = client.stats()
    assert stats["accepted"] == 2 and stats["rejected"] == 0 and stats["dropped"] == 0
    assert "older than this client" in errors[0]


def test_a_long_message_is_cut_to_what_the_sidecar_takes(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=0.01)
    client.error("é" * 10_000, "LongError")
    client.error("😀" * 5_000, "WideError")  # two UTF-16 code units each, as the sidecar counts
    assert client.flush(5)
    long, wide = sink.events_of_type("error")
    assert long["message"] == "é" * 8_192
    assert wide["message"] == "😀" * 4_096
