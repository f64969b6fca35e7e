"""Delivery: batching, retries through a sidecar restart, the retry window, refusals, the bound."""

from __future__ import annotations

import threading
import time

from sink import Sink


def test_a_sidecar_restart_in_the_middle_of_a_burst_loses_nothing(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=0.05)
    port = sink.port
    total, restart_at, outage_s = 5_000, 1_500, 5.0
    restarted = threading.Event()

    def restart() -> None:
        sink.stop()
        time.sleep(outage_s)
        sink.start()
        assert sink.port == port
        restarted.set()

    restarter = None
    for i in range(total):
        if i == restart_at:
            restarter = threading.Thread(target=restart)
            restarter.start()
        client.chat_message(channel="burst", event_id=f"burst-{i}")
        if i % 100 == 99:
            time.sleep(0.15)  # 5,000 events over ~7.5 s, so the outage falls in the middle
    assert restarter is not None
    restarter.join()
    assert restarted.is_set()
    assert client.flush(30)

    stats = client.stats()
    assert sorted(sink.accepted_ids) == sorted(f"burst-{i}" for i in range(total))
    # A batch the sink recorded but whose answer the stop cut off is sent again and answered as
    # duplicates: each event is counted once either way.
    assert stats["accepted"] + stats["duplicates"] == total
    assert stats["dropped"] == 0 and stats["queued"] == 0
    assert stats["failed_requests"] >= 1  # the outage was seen, and ridden out


def test_429_and_503_are_retried_with_the_same_event_ids(sink: Sink, make_client) -> None:
    sink.mode = "503"
    client = make_client(sink.url, flush_interval=0.01)
    client.chat_message(channel="retried", event_id="r-1")
    client.chat_message(channel="retried", event_id="r-2")
    deadline = time.monotonic() + 5
    while client.stats()["failed_requests"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    sink.mode = "429"
    time.sleep(0.3)
    sink.mode = "ok"
    assert client.flush(10)
    assert sink.accepted_ids == ["r-1", "r-2"]
    stats = client.stats()
    assert stats["failed_requests"] >= 2
    assert stats["accepted"] == 2 and stats["dropped"] == 0


def test_retry_after_is_honoured(sink: Sink, make_client) -> None:
    sink.mode = "429"
    sink.retry_after = "2"
    client = make_client(sink.url, flush_interval=0.01)
    client.chat_message(channel="later")
    deadline = time.monotonic() + 5
    while sink.requests < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    sink.mode = "ok"
    started = time.monotonic()
    while client.stats()["accepted"] < 1 and time.monotonic() < started + 5:
        time.sleep(0.01)
    assert client.stats()["accepted"] == 1
    assert time.monotonic() - started >= 1.5  # not the first backoff (under 0.5 s)


def test_events_older_than_the_retry_window_are_dropped_and_counted(sink: Sink, make_client) -> None:
    sink.stop()
    client = make_client(sink.url, flush_interval=0.01, retry_window_s=0.5, timeout=0.5)
    for i in range(30):
        client.chat_message(channel="expiring")
    deadline = time.monotonic() + 10
    while client.stats()["dropped_retry_window"] < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    stats = client.stats()
    assert stats["dropped_retry_window"] == 30 and stats["dropped"] == 30
    assert stats["queued"] == 0 and stats["accepted"] == 0


def test_a_full_buffer_drops_new_events_and_counts_them(sink: Sink, make_client) -> None:
    sink.stop()
    client = make_client(sink.url, max_queue=100, flush_interval=0.01, timeout=0.2)
    for i in range(150):
        client.chat_message(channel="bounded", event_id=f"b-{i}")
    stats = client.stats()
    assert stats["dropped_buffer_full"] == 50 and stats["dropped"] == 50
    assert stats["queued"] == 100
    sink.start()
    assert client.flush(15)
    assert sorted(sink.accepted_ids) == sorted(f"b-{i}" for i in range(100))
    assert client.stats()["accepted"] == 100


def test_a_refused_request_is_dropped_not_retried(sink: Sink, make_client) -> None:
    sink.mode = "401"
    errors: list = []
    client = make_client(sink.url, flush_interval=0.01, on_error=errors.append)
    for _ in range(3):
        client.chat_message(channel="refused")
    assert client.flush(5)
    stats = client.stats()
    assert stats["dropped_refused"] == 3 and stats["failed_requests"] == 1
    assert sink.requests == 1
    assert "401" in errors[0]


def test_413_halves_the_batch_until_it_fits(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=60)
    original = sink._answer

    def limited(events, headers):  # a sidecar with INGEST_MAX_EVENTS=10
        if len(events) > 10:
            with sink.lock:
                sink.requests += 1
            return 413, {"error": "too_many_events"}
        return original(events, headers)

    sink._answer = limited  # type: ignore
    for i in range(100):
        client.chat_message(channel="halved", event_id=f"h-{i}")
    assert client.flush(10)
    assert sorted(sink.accepted_ids) == sorted(f"h-{i}" for i in range(100))
    assert client.stats()["dropped"] == 0


def test_rejected_events_are_counted_with_the_reason(sink: Sink, make_client) -> None:
    errors: list = []
    client = make_client(sink.url, flush_interval=0.01, on_error=errors.append)
    client.chat_message(channel="ok")
    client.send({"type": "invalid"})
    assert client.flush(5)
    stats = client.stats()
    assert stats["accepted"] == 1 and stats["rejected"] == 1
    assert "unknown event type" in errors[0]


def test_batches_respect_batch_size_and_the_flush_interval(sink: Sink, make_client) -> None:
    client = make_client(sink.url, batch_size=40, flush_interval=0.3, use_gzip=True)
    for _ in range(100):
        client.chat_message(channel="batched")
    time.sleep(0.15)
    assert len(sink.accepted_ids) == 80  # two full batches at once, the rest waits for the interval
    time.sleep(0.4)
    assert len(sink.accepted_ids) == 100
    assert sink.requests == 3


def test_the_url_defaults_to_the_environment(sink: Sink, make_client, monkeypatch) -> None:
    monkeypatch.setenv("SIDECAR_EVENTS_URL", sink.url)
    client = make_client(None)
    client.chat_message(channel="from-env")
    assert client.flush(5)
    assert len(sink.accepted_ids) == 1


def test_after_a_flush_events_wait_for_a_batch_again(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=0.5)
    client.chat_message(channel="flushed")
    assert client.flush(5)
    assert len(sink.accepted_ids) == 1
    client.chat_message(channel="batched-again")
    time.sleep(0.2)
    assert len(sink.accepted_ids) == 1  # not sent at once: the flush covered only what came before it
    time.sleep(0.5)
    assert len(sink.accepted_ids) == 2
