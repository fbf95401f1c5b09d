"""The README's two-terminal path: `moderator sim --callback-url …`, then the command it prints."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.child_env import isolated_env
from tests.e2e.conftest import ROOT, ConsoleProcess, child_env, run_moderator

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sim_then_the_printed_console_command_plays_team_meeting(tmp_path: Path) -> None:
    port = _free_port()
    callback = f"http://127.0.0.1:{port}/twilio/conference-events"
    sim = subprocess.Popen(
        [sys.executable, "-m", "moderator", "sim", "--callback-url", callback, "--speed", "30"],
        cwd=ROOT,
        env=isolated_env(tmp_path),  # no TWILIO_* variables: it makes up its credentials
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    console: ConsoleProcess | None = None
    try:
        assert sim.stdout is not None
        head = [sim.stdout.readline() for _ in range(6)]
        assert any(f"Scenario team-meeting starts when {callback}" in line for line in head), head
        [command] = [line.strip() for line in head if "--twilio-api-url" in line]
        words = shlex.split(command)
        env = dict(word.split("=", 1) for word in words if "=" in word and word[0].isupper())
        args = words[len(env) + 1 :]  # after the variables and the program name
        assert args[-2:] == ["--port", str(port)]
        data = tmp_path / "data"
        console = ConsoleProcess(
            [*args, "--data-dir", str(data), "--quit-after", "9"],
            isolated_env(tmp_path, **env),
        )
        assert console.wait(60) == 0, console.output
    finally:
        sim.terminate()
        out, err = sim.communicate(timeout=10)
        if console is not None:
            console.close()
    assert "Playing scenario team-meeting" in out, out + err
    assert "Traceback" not in err

    report = run_moderator("report", "--data-dir", str(data), "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    (meeting,) = json.loads(report.stdout)["conferences"]
    assert meeting["friendly_name"] == "TeamMeeting"
    assert {p["label"] for p in meeting["participants"]} >= {"Mary", "Alice", "Bob", "Charles"}


def test_a_second_demo_run_is_a_new_conference_not_a_stale_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = child_env(tmp_path)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        env.pop(name)
    for _ in range(2):
        args = ["--demo", "--demo-speed", "10", "--quit-after", "3", "--data-dir", str(data)]
        result = run_moderator(*args, "--port", "0", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    report = run_moderator("report", "--data-dir", str(data), "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    first, second = json.loads(report.stdout)["conferences"]
    assert first["sid"] != second["sid"]
    assert {p["label"] for p in second["participants"] if p["present"]} >= {"Mary", "Alice"}
