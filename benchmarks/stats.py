"""Small statistics for the figures: percentiles in milliseconds, windows, rates."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), nearest rank; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency_summary(seconds: Sequence[float]) -> dict[str, float | int | None]:
    return {
        "count": len(seconds),
        "p50_ms": ms(percentile(seconds, 50)),
        "p99_ms": ms(percentile(seconds, 99)),
        "max_ms": ms(max(seconds) if seconds else None),
    }


def within(pairs: Iterable[tuple[float, float]], window: Sequence[float]) -> list[float]:
    """Values of (time, value) pairs whose time falls in [start, end]."""
    start, end = window
    return [value for when, value in pairs if start <= when <= end]


def peak_rate(times: Sequence[float], window: Sequence[float], span: float = 1.0) -> float:
    """The most events in any `span` seconds inside `window`, per second."""
    inside = sorted(t for t in times if window[0] <= t <= window[1])
    best, left = 0, 0
    for right, t in enumerate(inside):
        while t - inside[left] > span:
            left += 1
        best = max(best, right - left + 1)
    return round(best / span, 1)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
