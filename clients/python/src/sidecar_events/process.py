"""What every client does when the process forks or exits.

One hook of each kind for all clients, registered once: ``os.register_at_fork`` cannot unregister,
and a hook per client would keep every client alive forever. Clients are held weakly.
"""

from __future__ import annotations

import atexit
import os
import weakref
from typing import Any

_clients: "weakref.WeakSet[Any]" = weakref.WeakSet()


def track(client: Any) -> None:
    """`client` has ``_after_fork_in_child()`` and ``_close_at_exit()``."""
    _clients.add(client)


def _after_fork_in_child() -> None:
    for client in list(_clients):
        client._after_fork_in_child()


def _close_at_exit() -> None:
    for client in list(_clients):
        client._close_at_exit()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
# Registered on import, before the application's own exit hooks, so it runs after them (atexit
# runs hooks last-registered first) and sends what they reported too.
atexit.register(_close_at_exit)
