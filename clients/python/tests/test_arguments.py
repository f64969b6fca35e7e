"""A wrong call never raises into the application: one warning per call site, the event dropped and counted."""

from __future__ import annotations

import logging
import math

import pytest
from sink import Sink


def _warnings(caplog: pytest.LogCaptureFixture) -> list:
    return [r.getMessage() for r in caplog.records if r.name == "sidecar_events" and r.levelno == logging.WARNING]


def test_a_misspelled_argument_warns_once_per_call_site_and_does_not_raise(
    sink: Sink, make_client, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(sink.url, flush_interval=0.01)
    caplog.set_level(logging.WARNING, logger="sidecar_events")
    for _ in range(3):
        client.db_query(system="postgresql", operation="SELECT", duraton_s=0.01)  # type: ignore[call-arg]
    client.db_query(system="postgresql", operation="SELECT", duraton_s=0.02)  # type: ignore[call-arg]
    client.db_query(system="postgresql", operation="SELECT", duration_s=0.01)

    warnings = _warnings(caplog)
    assert len(warnings) == 2  # two call sites
    assert "unknown argument 'duraton_s' (did you mean 'duration_s'?)" in warnings[0]
    assert "test_arguments.py" in warnings[0]
    assert client.flush(5)
    stats = client.stats()
    assert stats["dropped_invalid"] == 4 and stats["accepted"] == 1
    assert len(sink.events_of_type("db.query")) == 1


@pytest.mark.parametrize(
    "call, problem",
    [
        (lambda c: c.db_query(system="pg", operation="SELECT"), "missing a required argument: 'duration_s'"),
        (lambda c: c.db_query(system="pg", operation="SELECT", duration_s=None), "duration_s is required"),
        (lambda c: c.db_query("pg", "SELECT", 0.1), "too many positional arguments"),
        (lambda c: c.db_query(system="pg", operation="SELECT", duration_s=math.nan), "JSON cannot carry"),
        (lambda c: c.transaction(transaction_type="pay", outcome="success", amount=object()), "JSON cannot carry"),
        (lambda c: c.send("chat.message"), "an event is a dict with a string 'type'"),
        (lambda c: c.capture_exception(), "no exception given and none being handled"),
    ],
)
def test_each_kind_of_wrong_call_is_reported_and_dropped(
    sink: Sink, make_client, caplog: pytest.LogCaptureFixture, call, problem: str
) -> None:
    client = make_client(sink.url)
    caplog.set_level(logging.WARNING, logger="sidecar_events")
    assert call(client) is None
    assert problem in _warnings(caplog)[0]
    assert client.stats()["dropped_invalid"] == 1


def test_the_failure_hook_receives_the_warning_instead_of_the_log(
    sink: Sink, make_client, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list = []
    client = make_client(sink.url, on_error=errors.append)
    client.cache_operation(operation="get", reslt="hit")  # type: ignore[call-arg]
    assert "did you mean 'result'?" in errors[0]
    assert not _warnings(caplog)


def test_a_broken_hook_does_not_reach_the_application(sink: Sink, make_client) -> None:
    def broken(message: str) -> None:
        raise RuntimeError("hook failed")

    client = make_client(sink.url, on_error=broken)
    client.chat_message(chanel="web")  # type: ignore[call-arg]
    assert client.stats()["dropped_invalid"] == 1


def test_unusable_options_fall_back_to_their_defaults_with_a_warning(
    sink: Sink, make_client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sidecar_events")
    client = make_client(sink.url, batch_size=0, retry_window_s=-1, max_retries=2)
    warnings = _warnings(caplog)
    assert any("batch_size=0" in w and "using 100" in w for w in warnings)
    assert any("retry_window_s=-1" in w and "using 60" in w for w in warnings)
    assert any("max_retries" in w for w in warnings)
    client.chat_message(channel="defaults")
    assert client.flush(5)
    assert client.stats()["accepted"] == 1


def test_numbers_that_are_not_int_or_float_are_sent_as_numbers(sink: Sink, make_client) -> None:
    from decimal import Decimal

    class Count:  # as numpy.int64 is: an integer through __index__
        def __index__(self) -> int:
            return 7

    client = make_client(sink.url)
    client.db_query(system="pg", operation="SELECT", duration_s=Decimal("0.25"), rows=Count())  # type: ignore[arg-type]
    assert client.flush(5)
    event = sink.events_of_type("db.query")[0]
    assert event["duration_s"] == 0.25 and event["rows"] == 7


def test_an_unusable_url_is_reported_and_replaced_by_the_default(make_client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="sidecar_events")
    make_client("ftp://sidecar:9464/v1/events")
    make_client("http://127.0.0.1:notaport/v1/events")
    warnings = _warnings(caplog)
    assert len(warnings) == 2
    assert all("is not an http(s)://host[:port]/path URL; using http://127.0.0.1:9464/v1/events" in w for w in warnings)
