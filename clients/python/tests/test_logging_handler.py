"""SidecarLogHandler: error records with an exception become error events."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
from sink import Sink

from sidecar_events import SidecarEvents, SidecarLogHandler, request_scope


@pytest.fixture
def app_logger(sink: Sink, make_client) -> Iterator["tuple[logging.Logger, SidecarEvents]"]:
    events = make_client(sink.url, flush_interval=0.01)
    logger = logging.getLogger("app.payments")
    handler = SidecarLogHandler(events, component="payments")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, events
    logger.removeHandler(handler)
    logger.propagate = True


def _charge() -> None:
    raise ConnectionError("provider unreachable")


def test_an_error_record_with_an_exception_becomes_an_error_event(sink: Sink, app_logger) -> None:
    logger, events = app_logger
    try:
        _charge()
    except ConnectionError:
        logger.exception("charging order %s failed", 42)
    assert events.flush(5)
    [event] = sink.events_of_type("error")
    assert event["message"] == "charging order 42 failed"
    assert event["error_type"] == "ConnectionError" and event["level"] == "error"
    assert event["component"] == "payments" and event["context"] == {"logger": "app.payments"}
    assert event["exception"][-1]["stacktrace"]["frames"][-1]["function"] == "_charge"


def test_records_without_an_exception_or_below_error_are_not_sent(sink: Sink, app_logger) -> None:
    logger, events = app_logger
    logger.error("an error line without an exception")
    try:
        _charge()
    except ConnectionError:
        logger.warning("retrying", exc_info=True)
    assert events.flush(5)
    assert sink.events_of_type("error") == []


def test_critical_is_fatal_and_the_request_ids_are_attached(sink: Sink, app_logger) -> None:
    logger, events = app_logger
    with request_scope({"X-Request-Id": "req-7"}):
        try:
            _charge()
        except ConnectionError:
            logger.critical("giving up", exc_info=True)
    assert events.flush(5)
    [event] = sink.events_of_type("error")
    assert event["level"] == "fatal" and event["request_id"] == "req-7"


def test_an_exception_already_reported_is_not_sent_again(sink: Sink, app_logger) -> None:
    logger, events = app_logger
    try:
        _charge()
    except ConnectionError as exc:
        events.capture_exception(exc)
        logger.exception("and logged too")
    assert events.flush(5)
    assert len(sink.events_of_type("error")) == 1


def test_a_broken_record_does_not_raise(sink: Sink, app_logger) -> None:
    logger, events = app_logger
    try:
        _charge()
    except ConnectionError:
        logger.exception("%d items", "not a number")  # a format that does not fit its argument
    assert events.flush(5)
    [event] = sink.events_of_type("error")
    assert event["message"] == "%d items"
