"""The background thread that sends the buffer to the sidecar, and its retry policy.

A batch leaves when `batch_size` events are queued, when the oldest has waited `flush_interval`,
or at once when flush() asks. A failed attempt (network error, timeout, 429, 5xx) is retried after
an exponential backoff with jitter, so a fleet of workers does not hammer a sidecar that is coming
back all at the same instant; events stay queued through the retries for up to `retry_window_s`,
long enough for a sidecar restart. The lock is never held while a request is on the wire.
"""

from __future__ import annotations

import random
import time
from typing import List, Optional

from .buffer import Entry, EventBuffer
from .reporting import Reporter
from .stats import Counters
from .transport import RETRY, SETTLED, TOO_LARGE, Answer, Transport
from .wire import batch_body, refuses_link_fields, without_link_fields

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 5.0
# A Retry-After longer than this is taken as this: the retry window, not the sidecar, decides
# when events are given up.
MAX_RETRY_AFTER_S = 30.0


def backoff_s(failures: int) -> float:
    """The wait after `failures` failed attempts in a row: doubling, capped, with half of it random."""
    ceiling = min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2.0 ** min(failures - 1, 16))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class Sender:
    def __init__(
        self,
        buffer: EventBuffer,
        transport: Transport,
        counters: Counters,
        reporter: Reporter,
        batch_size: int,
        max_batch_bytes: int,
        flush_interval_s: float,
        retry_window_s: float,
    ) -> None:
        self._buffer = buffer
        self._transport = transport
        self._counters = counters
        self._reporter = reporter
        self._batch_size = batch_size
        self._max_events = batch_size
        self._max_bytes = max_batch_bytes
        self._flush_interval_s = flush_interval_s
        self._retry_window_s = retry_window_s
        # Guarded by the buffer's lock:
        self.stopping = False
        self._flush_up_to = 0  # events queued up to this number go without waiting for a full batch
        self._failures = 0
        self._next_attempt_at = 0.0

    def request_flush(self, up_to: int) -> None:
        """Send the events queued up to number `up_to` now, without waiting for a full batch or for
        the current backoff."""
        self._flush_up_to = max(self._flush_up_to, up_to)
        self._next_attempt_at = 0.0
        self._buffer.wake.notify()

    def run(self) -> None:
        try:
            self._loop()
        finally:
            self._transport.close()

    def _loop(self) -> None:
        while True:
            try:
                if not self._round():
                    return
            except Exception as error:  # the thread must outlive anything, a defect of its own included
                self._reporter.delivery("internal", f"the sender failed: {error!r}; it goes on in a second")
                time.sleep(1.0)

    def _round(self) -> bool:
        """Sends one batch and settles it; False when the client is closing."""
        with self._buffer.lock:
            batch = self._next_batch()
            if batch is None:
                return False
        try:
            answer = self._transport.post(batch_body(entry.body for entry in batch))
        except Exception as error:
            answer = Answer(RETRY, message=f"sending events failed: {error!r}")
        with self._buffer.lock:
            if self.stopping:
                return False  # close() has already counted what was left, this batch included
            self._settle(batch, answer)
            self._buffer.settled.notify_all()
        return True

    def _next_batch(self) -> Optional[List[Entry]]:
        """Waits, with the lock held, until a batch is due; None when the client is closing."""
        buffer = self._buffer
        while not self.stopping:
            if not len(buffer):
                buffer.wake.wait()
                continue
            now = time.monotonic()
            if buffer.head_seq() <= self._flush_up_to or len(buffer) >= self._batch_size:
                due = self._next_attempt_at
            else:
                due = max(self._next_attempt_at, buffer.oldest_queued_at() + self._flush_interval_s)
            if due <= now:
                return buffer.head(self._max_events, self._max_bytes)
            buffer.wake.wait(due - now)
        return None

    def _settle(self, batch: List[Entry], answer: Answer) -> None:
        if answer.outcome == SETTLED:
            self._recorded(batch, answer)
        elif answer.outcome == RETRY:
            self._failed(answer)
        elif answer.outcome == TOO_LARGE and len(batch) > 1:
            # The sidecar's INGEST_MAX_BODY_BYTES or INGEST_MAX_EVENTS is below ours: halve until it fits.
            self._counters.failed_requests += 1
            self._max_events = max(1, len(batch) // 2)
            self._max_bytes = max(1_024, sum(len(entry.body) for entry in batch) // 2)
        else:  # REFUSED, or TOO_LARGE for a single event: sending it again would fail the same way
            self._counters.failed_requests += 1
            self._counters.drop("refused", len(batch))
            self._buffer.settle(len(batch), [])
            self._reporter.delivery("refused", f"{answer.message}; {len(batch)} event(s) dropped")

    def _recorded(self, batch: List[Entry], answer: Answer) -> None:
        again: List[Entry] = []
        refusals: List[str] = []
        for rejection in answer.rejected:
            index, reason = rejection.get("index"), str(rejection.get("reason", ""))
            if isinstance(index, int) and 0 <= index < len(batch) and refuses_link_fields(reason):
                body = without_link_fields(batch[index].body)
                if body is not None:
                    batch[index].body = body
                    again.append(batch[index])
                    continue
            refusals.append(reason)
        counts = answer.accepted + answer.duplicates + len(answer.rejected)
        self._counters.accepted += answer.accepted if counts else len(batch) - len(answer.rejected)
        self._counters.duplicates += answer.duplicates
        self._counters.rejected += len(refusals)
        self._buffer.settle(len(batch), again)
        if self._failures:
            self._reporter.forget_delivery("unreachable")
        self._failures = 0
        self._next_attempt_at = 0.0
        if refusals:
            self._reporter.delivery(
                "rejected", f"the sidecar rejected {len(refusals)} event(s) as invalid: {refusals[0]}"
            )
        if again:
            self._reporter.delivery(
                "link_fields",
                "the sidecar does not know the request_id, trace_id, span_id and exception fields of "
                "error events yet (it is older than this client); sending them without these fields",
            )

    def _failed(self, answer: Answer) -> None:
        now = time.monotonic()
        self._counters.failed_requests += 1
        self._failures += 1
        delay = backoff_s(self._failures)
        if answer.retry_after_s is not None:
            delay = max(delay, min(answer.retry_after_s, MAX_RETRY_AFTER_S))
        self._next_attempt_at = now + delay
        expired = self._buffer.expire(now - self._retry_window_s)
        if expired:
            self._counters.drop("retry_window", expired)
            self._reporter.delivery(
                "expired",
                f"dropped {expired} event(s) queued more than retry_window_s={self._retry_window_s:g} s ago: "
                "the sidecar is still unreachable",
            )
        self._reporter.delivery(
            "unreachable",
            f"{answer.message}; {len(self._buffer)} event(s) kept, retried for up to {self._retry_window_s:g} s",
        )
