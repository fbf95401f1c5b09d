"""The demo's simulator as the console builds it: Twilio-like REST latency, a caller ID it owns."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator.app import Console, ConsoleOptions
from moderator.commands.console import console_parser
from moderator.demo import demo_simulator
from moderator.sim.records import LINE_NUMBER


def test_demo_latency_flag() -> None:
    parser = console_parser()
    assert parser.parse_args([]).demo_latency == (0.15, 0.30)
    assert parser.parse_args(["--demo-latency", "50-80"]).demo_latency == (0.05, 0.08)
    assert parser.parse_args(["--demo-latency", "0"]).demo_latency == (0.0, 0.0)


@pytest.mark.parametrize("bad", ["fast", "300-150", "-5"])
def test_demo_latency_flag_refuses_nonsense(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        console_parser().parse_args([f"--demo-latency={bad}"])
    assert info.value.code == 2
    assert "--demo-latency" in capsys.readouterr().err


def test_demo_simulator_answers_like_twilio(tmp_path: Path) -> None:
    console = Console(ConsoleOptions(data_dir=tmp_path, demo=True, demo_latency=(0.15, 0.3)))
    simulator = demo_simulator(console.options.demo_speed, console.options.demo_latency)
    faults = simulator.faults
    assert (faults.latency, faults.jitter) == (0.15, pytest.approx(0.15))
    assert console.settings.caller_id == LINE_NUMBER
    assert LINE_NUMBER in simulator.phone_numbers
