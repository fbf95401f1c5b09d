"""Retry timing: backoff with jitter, and Retry-After honoured rather than cut short."""

from __future__ import annotations

import random

from moderator.control.retry import RetryPolicy, parse_retry_after, retryable


def test_retry_after_is_not_shortened_to_the_backoff_cap() -> None:
    policy = RetryPolicy(max_delay=1.0, total=20.0)
    assert policy.delay(1, 3.0) == 3.0  # retrying after 1 s would only meet another 429
    assert policy.delay(1, -2.0) == 0.0


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(base_delay=0.25, max_delay=1.0, rng=random.Random(1))
    waits = [policy.delay(retry, None) for retry in range(1, 8)]
    assert all(0.125 <= w <= 1.0 for w in waits)
    assert 0.5 <= waits[-1] <= 1.0


def test_what_is_retried() -> None:
    assert retryable(429, idempotent=False)
    assert retryable(503, idempotent=True) and not retryable(503, idempotent=False)
    assert not retryable(404, idempotent=True)
    assert parse_retry_after("2") == 2.0 and parse_retry_after(None) is None
