"""The bounded queue of serialized events waiting for the sidecar.

Events stay in the buffer until they are settled: the batch being sent is the head of the queue,
not a copy taken out of it, so an event on its way is counted as queued and holds its place in the
bound until the sidecar has answered for it. The sender only ever removes from the head, so
"everything queued before this moment is settled" is "the head is younger than this moment",
which is what flush() waits for.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Deque, List


class Entry:
    __slots__ = ("seq", "queued_at", "body")

    def __init__(self, seq: int, queued_at: float, body: bytes) -> None:
        self.seq = seq
        self.queued_at = queued_at
        self.body = body


class EventBuffer:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._new_locks()
        self._entries: Deque[Entry] = deque()
        self._last_seq = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _new_locks(self) -> None:
        # The one lock of the client, shared by callers, the sender and flush(); the sender waits
        # on `wake` for events to send, flush() on `settled` for the sender's progress.
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.settled = threading.Condition(self.lock)

    # All methods below expect the caller to hold `lock`.

    def put(self, body: bytes) -> bool:
        """Queue one event; False when the buffer is full."""
        if len(self._entries) >= self.capacity:
            return False
        self._last_seq += 1
        self._entries.append(Entry(self._last_seq, time.monotonic(), body))
        return True

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def oldest_queued_at(self) -> float:
        return self._entries[0].queued_at

    def head_seq(self) -> int:
        return self._entries[0].seq

    def head(self, max_events: int, max_bytes: int) -> List[Entry]:
        """The oldest events, up to `max_events` and `max_bytes` of JSON (always at least one)."""
        batch: List[Entry] = []
        size = 2  # the array's brackets
        for entry in self._entries:
            if len(batch) >= max_events or (batch and size + len(entry.body) + 1 > max_bytes):
                break
            batch.append(entry)
            size += len(entry.body) + 1
        return batch

    def settle(self, count: int, keep: List[Entry]) -> None:
        """Remove the `count` oldest events, then put `keep` (some of them, to send again) back at the head."""
        for _ in range(min(count, len(self._entries))):
            self._entries.popleft()
        self._entries.extendleft(reversed(keep))

    def expire(self, older_than: float) -> int:
        """Drop events queued before `older_than` (a monotonic time); how many."""
        dropped = 0
        while self._entries and self._entries[0].queued_at < older_than:
            self._entries.popleft()
            dropped += 1
        return dropped

    def clear(self) -> int:
        dropped = len(self._entries)
        self._entries.clear()
        return dropped

    def settled_up_to(self, seq: int) -> bool:
        """True when every event queued with a number up to `seq` has left the buffer."""
        return not self._entries or self._entries[0].seq > seq

    def reset_after_fork(self) -> None:
        """In a forked child: the parent's events are the parent's to send, and the lock may have
        been held by a thread that does not exist here."""
        self._entries.clear()
        self._new_locks()
