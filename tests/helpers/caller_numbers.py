"""Test consoles look caller numbers up soon after a simulated join burst."""

from __future__ import annotations

from moderator.control import Moderator

# Seconds of quiet before caller numbers are looked up: 0.5 in the product, for a real join
# burst; the simulator's bursts are over in milliseconds, and every settle() would otherwise
# wait the half second out. Tests of the debounce itself set their own value.
QUIET_BEFORE_LOOKUP = 0.05


def look_up_numbers_soon(moderator: Moderator) -> None:
    moderator.numbers.settle = QUIET_BEFORE_LOOKUP
