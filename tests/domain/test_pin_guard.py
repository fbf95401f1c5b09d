"""The PIN guard: wrong PINs counted across calls per number and in all, over a window."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from moderator.domain.pin_guard import GuardPolicy, PinGuard, pin_problem

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
BOB = "+14155550102"


def test_ten_wrong_pins_in_fifteen_minutes_lock_a_number_out_until_they_age_out() -> None:
    guard = PinGuard()
    news = [guard.failed(BOB, T0 + timedelta(seconds=n)) for n in range(10)]
    assert [n.locked_out for n in news] == [False] * 9 + [True]  # said once
    assert guard.locked_out(BOB, T0 + timedelta(minutes=14))
    assert not guard.locked_out("+14155550101", T0 + timedelta(minutes=1))
    assert not guard.locked_out(BOB, T0 + timedelta(minutes=15, seconds=1))


def test_a_right_pin_forgives_the_numbers_wrong_ones() -> None:
    guard = PinGuard()
    for n in range(9):
        guard.failed(BOB, T0 + timedelta(seconds=n))
    guard.succeeded(BOB)
    assert not guard.failed(BOB, T0 + timedelta(seconds=20)).locked_out
    assert guard.failures(BOB, T0 + timedelta(seconds=20)) == 1


def test_wrong_pins_from_many_numbers_alarm_once_per_attack() -> None:
    guard = PinGuard(GuardPolicy(alarm_at=30))
    news = [guard.failed(f"+1312555{n:04}", T0 + timedelta(seconds=n)) for n in range(60)]
    assert [n.alarm for n in news].count(True) == 1 and news[29].alarm
    assert guard.under_attack(T0 + timedelta(minutes=1))
    assert not any(guard.locked_out(f"+1312555{n:04}", T0) for n in range(60))
    later = T0 + timedelta(hours=1)  # the attack aged out: quiet again, a new one alarms again
    assert not guard.under_attack(later)
    again = [guard.failed(f"+1646555{n:04}", later + timedelta(seconds=n)) for n in range(30)]
    assert again[-1].alarm


def test_memory_stays_bounded_under_forged_numbers() -> None:
    guard = PinGuard(GuardPolicy(max_numbers=100))
    for n in range(5000):
        guard.failed(f"+1{n:010}", T0)
    assert guard.remembered() == (100, guard.policy.alarm_at)


@pytest.mark.parametrize(
    ("pin", "problem"),
    [
        ("", None),
        ("2468", None),
        ("1" * 20, None),
        ("123", "guessed in minutes"),
        ("1", "guessed in minutes"),
        ("12a4", "4 to 20 digits"),
        ("1" * 21, "4 to 20 digits"),
        ("١٢٣٤", "4 to 20 digits"),
    ],
)
def test_pin_problem(pin: str, problem: str | None) -> None:
    found = pin_problem(pin)
    assert (found is None) if problem is None else (found is not None and problem in found)
