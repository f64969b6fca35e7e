"""What happened to the events a client was given, readable with ``SidecarEvents.stats()``."""

from __future__ import annotations

from typing import Dict, TypedDict


class Stats(TypedDict):
    """Counts since the client was created (or since the fork that made this process).

    Every event handed to the client ends up in exactly one of ``accepted``, ``duplicates``,
    ``rejected`` and the ``dropped_*`` counters, or is still ``queued``.
    """

    queued: int  # waiting in the buffer, including the batch on its way
    accepted: int  # recorded by the sidecar
    duplicates: int  # a retry of an event the sidecar had already recorded
    rejected: int  # refused by the sidecar as invalid (the reason goes to on_error / the log)
    dropped: int  # the sum of the dropped_* counters
    dropped_invalid: int  # a wrong argument or a value JSON cannot carry: never sent
    dropped_buffer_full: int  # the buffer held max_queue events
    dropped_retry_window: int  # the sidecar stayed unreachable longer than retry_window_s
    dropped_refused: int  # the sidecar refused the request itself (401, 403, 413 for one event...)
    dropped_closed: int  # sent after close(), or still queued when close() ran out of time
    failed_requests: int  # requests that failed and were retried or refused


DROP_REASONS = ("invalid", "buffer_full", "retry_window", "refused", "closed")


class Counters:
    """Plain integers; the client updates them under its lock."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.accepted = 0
        self.duplicates = 0
        self.rejected = 0
        self.failed_requests = 0
        self.dropped: Dict[str, int] = {reason: 0 for reason in DROP_REASONS}

    def drop(self, reason: str, count: int = 1) -> None:
        self.dropped[reason] += count

    def snapshot(self, queued: int) -> Stats:
        d = self.dropped
        return Stats(
            queued=queued,
            accepted=self.accepted,
            duplicates=self.duplicates,
            rejected=self.rejected,
            dropped=sum(d.values()),
            dropped_invalid=d["invalid"],
            dropped_buffer_full=d["buffer_full"],
            dropped_retry_window=d["retry_window"],
            dropped_refused=d["refused"],
            dropped_closed=d["closed"],
            failed_requests=self.failed_requests,
        )
