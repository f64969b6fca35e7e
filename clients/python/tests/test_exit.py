"""Flush at interpreter exit, within a time limit, in a real child interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from sink import Sink


def _package_dir() -> str:
    import sidecar_events

    return os.path.dirname(os.path.dirname(os.path.abspath(sidecar_events.__file__)))


def _run(script: str, url: str) -> "tuple[subprocess.CompletedProcess[str], float]":
    env = {**os.environ, "PYTHONPATH": _package_dir(), "SINK_URL": url}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=60
    )
    return done, time.monotonic() - started


def test_events_pending_at_exit_are_sent(sink: Sink) -> None:
    done, _ = _run(
        """
        import os
        from sidecar_events import SidecarEvents
        events = SidecarEvents(os.environ["SINK_URL"], flush_interval=60)
        for i in range(7):
            events.chat_message(channel="exit", event_id=f"exit-{i}")
        """,
        sink.url,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(sink.accepted_ids) == [f"exit-{i}" for i in range(7)]


def test_exit_waits_no_longer_than_the_limit_for_a_hanging_sidecar(sink: Sink) -> None:
    sink.mode = "hang"
    done, elapsed = _run(
        """
        import os, time
        from sidecar_events import SidecarEvents
        events = SidecarEvents(os.environ["SINK_URL"], flush_interval=60, timeout=30, exit_timeout_s=1.0)
        events.chat_message(channel="exit-hang")
        started = time.monotonic()
        import atexit
        atexit.register(lambda: print(f"exit hooks started after {time.monotonic() - started:.2f}"))
        """,
        sink.url,
    )
    assert done.returncode == 0, done.stderr
    # Interpreter start-up and shutdown included; the hanging request alone would take 30 s.
    assert elapsed < 6, f"the process took {elapsed:.1f} s to exit"
    assert sink.requests >= 1  # the flush was attempted


def test_exit_with_the_sidecar_away_is_bounded_too(sink: Sink) -> None:
    sink.stop()
    done, elapsed = _run(
        """
        import os
        from sidecar_events import SidecarEvents
        events = SidecarEvents(os.environ["SINK_URL"], flush_interval=60, exit_timeout_s=1.0)
        for i in range(100):
            events.chat_message(channel="exit-away")
        """,
        sink.url,
    )
    assert done.returncode == 0, done.stderr
    assert elapsed < 6
