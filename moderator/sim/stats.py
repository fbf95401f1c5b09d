"""Counters the simulator keeps so tests can assert on traffic and delivery."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stats:
    """REST and callback counters; read them at any time, reset with `reset()`."""

    rest_requests: Counter[str] = field(default_factory=Counter)
    rest_in_flight: int = 0
    rest_peak_in_flight: int = 0
    rest_faults_injected: int = 0
    callbacks_generated: int = 0
    callbacks_sent: int = 0
    callbacks_dropped: int = 0
    callbacks_duplicated: int = 0
    callbacks_reordered: int = 0
    callbacks_retried: int = 0
    callbacks_failed: int = 0

    @property
    def rest_total(self) -> int:
        """All REST requests seen, any method."""
        return sum(self.rest_requests.values())

    def rest_started(self, method: str) -> None:
        """Count a request as it arrives and track the in-flight peak."""
        self.rest_requests[method.upper()] += 1
        self.rest_in_flight += 1
        self.rest_peak_in_flight = max(self.rest_peak_in_flight, self.rest_in_flight)

    def rest_finished(self) -> None:
        """A request has been answered."""
        self.rest_in_flight -= 1

    def reset(self) -> None:
        """Zero every counter except the current in-flight count."""
        in_flight = self.rest_in_flight
        fresh = Stats()
        for name in fresh.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))
        self.rest_in_flight = in_flight
