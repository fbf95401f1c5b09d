"""Counts wrong PINs across calls, so a PIN cannot be guessed by calling again.

The attempt count in the PIN prompt's URL lives as long as one call; this guard outlives calls.
A number that keys `per_number` wrong PINs within `window` is locked out until those failures
age out of the window (a right PIN from it clears its count). When `alarm_at` wrong PINs arrive
within the window from any numbers (caller IDs can be forged, so an attacker may rotate them),
the door is under attack: every PIN prompt is slowed and each call gets a single try, and the
host is told once per attack. Pure: the voice route passes the time in.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_PIN_DIGITS = 4
MAX_PIN_DIGITS = 20


def pin_problem(pin: str) -> str | None:
    """Why `pin` cannot be a meeting PIN (None: it can; an empty PIN means "no PIN")."""
    if not pin:
        return None
    if not pin.isascii() or not pin.isdigit():
        return f"a PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits"
    if len(pin) < MIN_PIN_DIGITS:
        return (
            f"a PIN of {len(pin)} digits is guessed in minutes; use {MIN_PIN_DIGITS} to"
            f" {MAX_PIN_DIGITS} digits"
        )
    if len(pin) > MAX_PIN_DIGITS:
        return f"a PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits"
    return None


@dataclass(frozen=True)
class GuardPolicy:
    per_number: int = 10  # wrong PINs from one number within the window: that number is out
    window: timedelta = timedelta(minutes=15)
    alarm_at: int = 30  # wrong PINs from all numbers within the window: the door is attacked
    slow_seconds: int = 5  # silence before each PIN prompt while the door is attacked
    max_numbers: int = 10_000  # numbers remembered at most (oldest forgotten first)


@dataclass(frozen=True)
class Failure:
    """What one wrong PIN changed: the number is now locked out, the attack alarm started."""

    locked_out: bool = False
    alarm: bool = False


class PinGuard:
    """Wrong PINs per number and in all, over a sliding window."""

    def __init__(self, policy: GuardPolicy | None = None) -> None:
        self.policy = policy or GuardPolicy()
        self._by_number: dict[str, deque[datetime]] = {}
        self._all: deque[datetime] = deque()
        self._alarmed = False

    def locked_out(self, number: str, now: datetime) -> bool:
        """Whether `number` keyed too many wrong PINs lately to be asked again."""
        times = self._by_number.get(number)
        if times is None:
            return False
        self._age(times, now)
        if not times:
            del self._by_number[number]
            return False
        return len(times) >= self.policy.per_number

    def under_attack(self, now: datetime) -> bool:
        """Whether many wrong PINs arrived lately, from any numbers."""
        self._age(self._all, now)
        if len(self._all) < self.policy.alarm_at:
            self._alarmed = False  # the attack has aged out: the next one alarms again
        return self._alarmed

    def failed(self, number: str, now: datetime) -> Failure:
        """A wrong PIN from `number`."""
        was_out = self.locked_out(number, now)
        times = self._by_number.pop(number, None) or deque()
        times.append(now)
        self._age(times, now)
        while len(times) > self.policy.per_number:  # more tell nothing (calls under way)
            times.popleft()
        self._by_number[number] = times  # newest last: the oldest number is forgotten first
        while len(self._by_number) > self.policy.max_numbers:
            del self._by_number[next(iter(self._by_number))]
        self._all.append(now)
        while len(self._all) > self.policy.alarm_at:  # only the newest alarm_at matter
            self._all.popleft()
        alarm = not self.under_attack(now) and len(self._all) >= self.policy.alarm_at
        if alarm:
            self._alarmed = True
        return Failure(locked_out=not was_out and len(times) >= self.policy.per_number, alarm=alarm)

    def succeeded(self, number: str) -> None:
        """The right PIN from `number`: its wrong ones are forgiven."""
        self._by_number.pop(number, None)

    def failures(self, number: str, now: datetime) -> int:
        """Wrong PINs from `number` within the window."""
        times = self._by_number.get(number)
        if times is None:
            return 0
        self._age(times, now)
        return len(times)

    def remembered(self) -> tuple[int, int]:
        """How many numbers it keeps failures of, and how many failures it keeps for the
        alarm: both bounded by the policy, whatever numbers a caller forges."""
        return len(self._by_number), len(self._all)

    def _age(self, times: deque[datetime], now: datetime) -> None:
        since = now - self.policy.window
        while times and times[0] <= since:
            times.popleft()
