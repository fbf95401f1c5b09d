"""When to retry a Twilio REST answer and how long to wait: backoff, jitter, Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: at most `attempts` tries in all and `total` seconds from the first one."""

    attempts: int = 4
    base_delay: float = 0.25  # the first backoff step; doubles each retry
    max_delay: float = 5.0  # cap for one backoff wait (a Retry-After is bounded by `total`)
    total: float = 20.0  # no retry is started past this many seconds since the first try
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, retry: int) -> float:
        """Exponential backoff with full jitter for retry number `retry` (1 = first retry)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        # Full jitter spreads 249 concurrent mutes that all met a 429 so they do not return as one.
        return self.rng.uniform(ceiling / 2, ceiling)

    def delay(self, retry: int, retry_after: float | None) -> float:
        """The wait before retry `retry`: Retry-After when Twilio sent one, else the backoff.

        Retry-After is not shortened (retrying sooner only meets another 429): a wait that
        does not fit in `total` makes the caller give up instead.
        """
        if retry_after is not None:
            return max(retry_after, 0.0)
        return self.backoff(retry)


def retryable(status: int, *, idempotent: bool) -> bool:
    """429 is always safe (Twilio did not process it); 5xx only for requests we may repeat."""
    if status == 429:
        return True
    return status >= 500 and idempotent


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    moment = now or datetime.now(timezone.utc)
    return max((when - moment).total_seconds(), 0.0)
