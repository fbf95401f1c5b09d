"""Fault injection settings (mutable at runtime) and the one-shot `fail_next` queue."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, fields

RATE_FIELDS = (
    "rate_limit",
    "server_error",
    "drop",
    "duplicate",
    "reorder",
    "target_down",
    "busy",
    "no_answer",
    "dial_failed",
    "announce_fail",
)


@dataclass
class Faults:
    """What goes wrong, and how often. Rates are probabilities in [0, 1]; times in seconds.

    Change attributes on `sim.faults` at any time; the next request or delivery sees them.
    """

    latency: float = 0.0  # seconds added to every REST answer
    jitter: float = 0.0  # up to this many more seconds, drawn per request
    rate_limit: float = 0.0  # rate of REST requests answered 429 (code 20429)
    retry_after: float = 1.0  # the Retry-After header sent with a 429
    # REST requests an account may have in flight; more are answered 429 (code 20429) at
    # once, unprocessed. Twilio's default per-account limit is 100.
    concurrency_limit: float = 100
    server_error: float = 0.0  # rate of REST requests answered 500 or 503
    drop: float = 0.0  # rate of callbacks never sent
    duplicate: float = 0.0  # rate of callbacks sent twice (same form, same signature)
    reorder: float = 0.0  # rate of callbacks held back so later ones overtake them
    reorder_delay: float = 0.5  # how long a reordered callback is held back
    target_down: float = 0.0  # rate of first delivery attempts that fail as if refused
    busy: float = 0.0  # rate of dial-outs that end busy
    no_answer: float = 0.0  # rate of dial-outs nobody answers
    dial_failed: float = 0.0  # rate of dial-outs that fail to connect
    announce_fail: float = 0.0  # rate of announcements that end in announcement-fail

    ALIASES = {
        "rate-limit": "rate_limit",
        "429": "rate_limit",
        "retry-after": "retry_after",
        "server-error": "server_error",
        "5xx": "server_error",
        "error": "server_error",
        "drop": "drop",
        "dropped": "drop",
        "duplicate": "duplicate",
        "dup": "duplicate",
        "reorder": "reorder",
        "reorder-delay": "reorder_delay",
        "target-down": "target_down",
        "down": "target_down",
    }

    def set(self, name: str, value: float) -> None:
        """Set one fault by field name or CLI alias; ValueError on a bad name or value."""
        key = self.ALIASES.get(name, name.replace("-", "_"))
        if key not in {f.name for f in fields(self)}:
            known = ", ".join(sorted(n.replace("_", "-") for n in self.names()))
            raise ValueError(f"unknown fault {name!r} (known: {known})")
        if value != value or value < 0:  # NaN or negative
            raise ValueError(f"fault {name} must be a number >= 0, got {value}")
        if key in RATE_FIELDS and value > 1:
            raise ValueError(f"fault {name} is a rate and must be between 0 and 1, got {value}")
        setattr(self, key, float(value))

    @staticmethod
    def names() -> list[str]:
        """Every settable fault field."""
        return [f.name for f in fields(Faults)]

    @classmethod
    def parse(cls, items: Iterable[str]) -> Faults:
        """Build from `NAME=VALUE` strings such as `latency=0.05` or `rate-limit=0.1`."""
        faults = cls()
        for item in items:
            name, sep, raw = item.partition("=")
            if not sep or not name.strip():
                raise ValueError(f"fault must look like NAME=VALUE, got {item!r}")
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"fault {name.strip()} needs a number, got {raw!r}") from None
            faults.set(name.strip(), value)
        return faults

    def rest_delay(self, rng: random.Random) -> float:
        """Seconds to hold one REST answer back: `latency` plus up to `jitter` more."""
        return self.latency + (rng.uniform(0, self.jitter) if self.jitter > 0 else 0.0)

    def dial_outcome(self, rng: random.Random) -> str | None:
        """The ParticipantCallStatus a dial-out ends with by these rates, or None (answered)."""
        if not (self.busy or self.no_answer or self.dial_failed):
            return None
        draw = rng.random()
        for status, rate in (
            ("busy", self.busy),
            ("no-answer", self.no_answer),
            ("failed", self.dial_failed),
        ):
            if draw < rate:
                return status
            draw -= rate
        return None


@dataclass(frozen=True)
class ForcedFailure:
    """One queued failure for the next REST request."""

    status: int
    retry_after: float | None = None


class FailureQueue:
    """Failures forced on the next N REST requests (`Simulator.fail_next`)."""

    def __init__(self) -> None:
        self._queue: deque[ForcedFailure] = deque()

    def push(self, status: int, count: int, retry_after: float | None) -> None:
        """Queue `count` failures with HTTP `status`."""
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status, got {status}")
        self._queue.extend(ForcedFailure(status, retry_after) for _ in range(count))

    def pop(self) -> ForcedFailure | None:
        """The failure for this request, if one is queued."""
        return self._queue.popleft() if self._queue else None

    def clear(self) -> None:
        """Forget queued failures."""
        self._queue.clear()

    def __len__(self) -> int:
        return len(self._queue)


def random_rest_failure(faults: Faults, rng: random.Random) -> ForcedFailure | None:
    """Decide, with the seeded rng, whether this REST request fails (429 or 500/503)."""
    if faults.rate_limit and rng.random() < faults.rate_limit:
        return ForcedFailure(429, faults.retry_after)
    if faults.server_error and rng.random() < faults.server_error:
        return ForcedFailure(rng.choice((500, 503)))
    return None
