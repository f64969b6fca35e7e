"""Threads, an asyncio event loop and forked workers."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time

import pytest
from sink import Sink


def test_eight_threads_sending_at_once_lose_and_duplicate_nothing(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=0.01, batch_size=50, max_queue=20_000)
    per_thread = 2_000
    start = threading.Barrier(8)

    def produce(thread: int) -> None:
        start.wait()
        for i in range(per_thread):
            client.chat_message(channel="threads", event_id=f"t{thread}-{i}")
            if i % 500 == 0:
                client.stats()

    threads = [threading.Thread(target=produce, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.flush(20)
    expected = sorted(f"t{t}-{i}" for t in range(8) for i in range(per_thread))
    assert sorted(sink.accepted_ids) == expected
    stats = client.stats()
    assert stats["accepted"] == 8 * per_thread
    assert stats["duplicates"] == 0 and stats["dropped"] == 0 and stats["queued"] == 0


def test_an_asyncio_loop_calling_the_client_is_never_blocked(sink: Sink, make_client) -> None:
    sink.mode = "hang"  # every request waits: a client doing network work in the caller would stall
    client = make_client(sink.url, flush_interval=0.01, batch_size=50, max_queue=1_000, timeout=5)

    async def main() -> float:
        lags = []

        async def ticker() -> None:
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.005)
                lags.append(time.perf_counter() - before - 0.005)

        ticking = asyncio.ensure_future(ticker())
        await asyncio.sleep(0.05)
        for chunk in range(100):  # 5,000 events, filling the buffer and overflowing it
            for i in range(50):
                client.chat_message(channel="asyncio", event_id=f"a{chunk}-{i}")
            try:
                raise RuntimeError("while the sidecar hangs")
            except RuntimeError as exc:
                client.capture_exception(exc)
            await asyncio.sleep(0)
        flushed = await client.flush_async(1.0)  # waits in a thread while the loop ticks
        await asyncio.sleep(0.05)  # the ticker's last measure, which a stall would be
        ticking.cancel()
        assert flushed is False
        return max(lags)

    result: list = []
    # In a thread with a deadline: a client that blocks its caller must fail this test, not hang it.
    runner = threading.Thread(target=lambda: result.append(asyncio.run(main())), daemon=True)
    runner.start()
    runner.join(30)
    assert result, "the asyncio program did not finish within 30 s: the client blocked it"
    max_lag = result[0]
    # A client doing network work in the caller would stall the loop for the request timeout (5 s)
    # or the flush (1 s); the margin below that is for a busy test machine.
    assert max_lag < 0.5, f"the event loop stalled for {max_lag * 1000:.0f} ms"
    assert client.stats()["dropped_buffer_full"] > 0
    sink.release.set()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_sends_its_own_events_and_not_its_parents(sink: Sink, make_client) -> None:
    client = make_client(sink.url, flush_interval=0.01)
    client.chat_message(channel="parent", event_id="parent-before")
    assert client.flush(5)  # the parent's sender thread is running when it forks
    sink.mode = "hang"
    client.chat_message(channel="parent", event_id="parent-pending")  # in the parent's buffer at the fork
    time.sleep(0.1)
    sink.mode = "ok"
    sink.release.set()

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a gunicorn worker
        try:
            os.close(read_end)
            for i in range(100):
                client.chat_message(channel="child", event_id=f"child-{i}")
            flushed = client.flush(10)
            os.write(write_end, json.dumps({"flushed": flushed, **client.stats()}).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        child = json.loads(pipe.read())
    os.waitpid(pid, 0)

    assert child["flushed"] is True
    assert child["accepted"] == 100 and child["dropped"] == 0 and child["queued"] == 0
    assert client.flush(10)
    ids = sink.accepted_ids
    assert sorted(i for i in ids if i.startswith("child-")) == sorted(f"child-{i}" for i in range(100))
    assert ids.count("parent-pending") == 1  # sent by the parent only
    assert client.stats()["accepted"] == 2
    received = [e["event_id"] for e in sink.received]
    assert received.count("parent-pending") <= 2  # at most the hung attempt and its retry, never the child
