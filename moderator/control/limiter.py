"""How many REST requests may be in flight at once: additive increase, multiplicative decrease.

Twilio limits the REST requests an account has in flight at once (100 by default, per Twilio's
429 help article; beyond it the answer is 429 with error 20429 and the request was not
processed). The console starts at its configured ceiling (below that limit, since other programs
may share the account), halves the window when Twilio answers 429 (at most once per round trip:
the answers of one window report the same overload), and grows it by one request per window's
worth of good answers, back up to the ceiling.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

MAX_IN_FLIGHT = 64  # the most the host may set: well below Twilio's 100


class AdaptiveLimit:
    """A semaphore whose size follows Twilio's answers (AIMD). FIFO: nobody is starved."""

    def __init__(self, ceiling: int, *, floor: int = 1, decrease: float = 0.5) -> None:
        self.ceiling = max(1, ceiling)
        self.floor = max(1, min(floor, self.ceiling))
        self.decrease = decrease
        self.window = float(self.ceiling)
        self.in_flight = 0
        self.peak = 0
        self.throttled = 0  # 429 answers seen
        self._last_decrease = float("-inf")
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def allowed(self) -> int:
        return max(self.floor, int(self.window))

    async def acquire(self) -> float:
        """Wait for a slot; returns when the request started (pass it to `throttled_at`)."""
        if self.in_flight >= self.allowed or self._waiters:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_next(handed=True)  # pass on the slot we were given
                elif waiter in self._waiters:
                    self._waiters.remove(waiter)
                raise
        else:
            self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        return time.monotonic()

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def succeeded(self) -> None:
        """A real answer (not 429): one more request per window of good answers."""
        self.window = min(float(self.ceiling), self.window + 1 / self.window)
        self._wake()

    def throttled_at(self, started: float) -> None:
        """Twilio answered 429 to a request sent at `started`: halve the window, once per trip."""
        self.throttled += 1
        if started < self._last_decrease:
            return  # sent before the last cut: part of the overload already answered
        self._last_decrease = time.monotonic()
        self.window = max(float(self.floor), self.window * self.decrease)

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.allowed:
            self._wake_next(handed=False)

    def _wake_next(self, *, handed: bool) -> None:
        """Give a slot to the first waiter (`handed`: the slot is already counted)."""
        if not handed:
            self.in_flight += 1
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.in_flight -= 1  # nobody left to take it
