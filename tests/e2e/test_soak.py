"""The soak's short form: the real console under lossy, duplicated, reordered callbacks."""

from __future__ import annotations

import pytest

from benchmarks.soak import soak
from moderator.sim.faults import Faults

pytestmark = pytest.mark.e2e


async def test_a_short_soak_converges_with_bounded_resources() -> None:
    faults = Faults(drop=0.05, duplicate=0.2, reorder=0.1)
    result = await soak(minutes=0.05, count=25, speed=8.0, faults=faults)
    assert result["rounds"] >= 1
    assert result["callbacks"]["duplicated"] > 0
    assert result["roster_equals_simulator"], result["differences"]
    assert result["console_exit_code"] == 0
    assert result["tracebacks_in_console_output"] == 0
    figures = result["console"]
    assert figures["end"]["open_files"] <= figures["start"]["open_files"] + 32
