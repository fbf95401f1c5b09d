"""An incoming call walks the real console's voice route: `moderator sim --call-in` → a tile."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from moderator.sim.records import LINE_NUMBER
from tests.e2e.conftest import ACCOUNT_SID, AUTH_TOKEN, ConsoleProcess, child_env, run_moderator

pytestmark = pytest.mark.e2e

CALLER = "+13125550101"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _line(process: ConsoleProcess, start: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [line for line in process.lines if line.startswith(start)]
        if found:
            return found[0].strip()
        if process.process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"no line starting {start!r}:\n{process.output}")


def _until_callbacks(console_url: str, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        url = f"{console_url}/healthz"  # signed: the counts are for the token's holder only
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, {})
        request = urllib.request.Request(url, headers={"X-Twilio-Signature": signature})
        with urllib.request.urlopen(request, timeout=5) as answer:
            received = json.load(answer)["callbacks"]
        if received >= count:
            return
        assert time.monotonic() < deadline, f"only {received} callbacks arrived"
        time.sleep(0.1)


def test_sim_call_in_joins_the_console_and_ends_in_the_report(tmp_path: Path) -> None:
    port = _free_port()
    voice_url = f"http://127.0.0.1:{port}/twilio/voice"
    env = child_env(tmp_path)  # the sim and the console share the e2e account's credentials
    sim = ConsoleProcess(
        ["sim", "--voice-url", voice_url, "--call-in", f"{CALLER}:{LINE_NUMBER}"], env
    )
    console: ConsoleProcess | None = None
    try:
        sim_url = _line(sim, "Twilio simulator listening on").rsplit(" ", 1)[-1]
        assert _line(sim, "Phone number").endswith(voice_url)
        data = tmp_path / "data"
        console = ConsoleProcess(
            ["--twilio-api-url", sim_url, "--port", str(port), "--data-dir", str(data)], env
        )
        console.wait_listening()
        call_sid = _line(sim, "Incoming call").split()[2]
        twilio = Client(ACCOUNT_SID, AUTH_TOKEN)
        twilio.api.base_url = sim_url
        deadline = time.monotonic() + 30
        while twilio.calls(call_sid).fetch().status != "in-progress":
            assert time.monotonic() < deadline, sim.output + console.output
            time.sleep(0.1)
        _until_callbacks(console.url, 1)  # participant-join: the caller is a tile
        # `moderator sim` logs what the caller hears: alone, Twilio's wait music
        assert "twimlets.com" in _line(sim, f"Call {call_sid} heard Music")
        assert twilio.calls(call_sid).update(status="completed").status == "completed"
        _until_callbacks(console.url, 3)  # participant-leave, conference-end
        console.process.terminate()
        assert console.wait(30) == 0, console.output
    finally:
        sim.process.terminate()
        sim.wait(15)
        sim.close()
        if console is not None:
            console.close()
    assert "Traceback" not in sim.output + (console.output if console else "")

    report = run_moderator("report", "--data-dir", str(data), "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    (meeting,) = json.loads(report.stdout)["conferences"]
    assert meeting["friendly_name"] == "TeamMeeting"
    (caller,) = meeting["participants"]
    assert caller["call_sid"] == call_sid
    assert caller["joined_at"] and caller["left_at"] and not caller["present"]
