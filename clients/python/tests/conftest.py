"""Fixtures: a sink acting as the sidecar's ingest endpoint, and clients that are closed after each test.

The tests import the source tree (clients/python/src) unless SIDECAR_EVENTS_TEST_INSTALLED=1, which
scripts/test-python-client.sh sets after pip-installing the package: then they must import the
installed copy, and this file checks that they do.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterator, List

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(os.path.dirname(HERE), "src")
sys.path.insert(0, HERE)

if os.environ.get("SIDECAR_EVENTS_TEST_INSTALLED") == "1":
    import sidecar_events

    if os.path.abspath(sidecar_events.__file__).startswith(SOURCE + os.sep):
        raise RuntimeError(f"the installed package was to be tested, but {sidecar_events.__file__} was imported")
else:
    sys.path.insert(0, SOURCE)

from sidecar_events import SidecarEvents  # noqa: E402
from sink import Sink  # noqa: E402


@pytest.fixture
def sink() -> Iterator[Sink]:
    running = Sink()
    yield running
    running.close()


@pytest.fixture
def make_client() -> Iterator[Callable[..., SidecarEvents]]:
    made: List[SidecarEvents] = []

    def make(url: str, **options: Any) -> SidecarEvents:
        options.setdefault("flush_on_exit", False)
        client = SidecarEvents(url, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close(0.5)


def package_dir() -> str:
    """The directory holding the sidecar_events package under test, for a child interpreter's PYTHONPATH."""
    import sidecar_events

    return os.path.dirname(os.path.dirname(os.path.abspath(sidecar_events.__file__)))
