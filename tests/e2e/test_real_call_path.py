"""From install to a call, as processes: `moderator sim`, `connect-number`, the console, and an
incoming call through the simulator's /_sim/calls that ends in the console and in the report."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode
from pathlib import Path
from urllib.parse import urlencode

import pytest

from moderator.sim.records import LINE_NUMBER
from tests.e2e.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    ROOT,
    ConsoleProcess,
    child_env,
    run_moderator,
)

pytestmark = pytest.mark.e2e
CALLERS = ("+14155550101", "+14155550102")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_accepting(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def _call_in(sim_url: str, caller: str) -> dict[str, str]:
    request = urllib.request.Request(
        f"{sim_url}/_sim/calls",
        data=urlencode({"From": caller, "To": LINE_NUMBER}).encode(),
        headers={
            "Authorization": "Basic " + b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201
        return dict(json.loads(answer.read()))


def test_connect_number_console_and_an_incoming_call(tmp_path: Path) -> None:
    env = child_env(tmp_path)
    sim_port, port = _free_port(), _free_port()
    sim_url, console_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{port}"
    data = str(tmp_path / "data")
    sim = subprocess.Popen(
        [sys.executable, "-m", "moderator", "sim", "--port", str(sim_port), "--speed", "20"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    console: ConsoleProcess | None = None
    try:
        _wait_accepting(sim_port)
        # the public URL stands for a tunnel: here the console is reachable as it is
        common = ["--twilio-api-url", sim_url, "--data-dir", data]
        connected = run_moderator(
            "connect-number", LINE_NUMBER, "--public-url", console_url, *common, env=env
        )
        assert connected.returncode == 0, connected.stderr
        assert connected.stdout.splitlines() == [
            f"{LINE_NUMBER} Voice URL was: (none)",
            f"{LINE_NUMBER} Voice URL now: {console_url}/twilio/voice",
            f"{LINE_NUMBER} call status callback was: (none)",  # each call's end, to the console
            f"{LINE_NUMBER} call status callback now: {console_url}/twilio/call-status",
        ]

        console = ConsoleProcess(
            ["--port", str(port), "--public-url", console_url, *common, "--quit-after", "10"], env
        )
        console.wait_listening()
        calls = [_call_in(sim_url, caller) for caller in CALLERS]
        assert all(call["status"] in ("queued", "ringing", "in-progress") for call in calls)
        assert console.wait(60) == 0, console.output
        assert "Twilio ✓" in console.output and "Tunnel ✓" in console.output
        assert f"Number ✓ {LINE_NUMBER} → {console_url}/twilio/voice" in console.output

        restored = run_moderator("connect-number", LINE_NUMBER, "--restore", *common, env=env)
        assert restored.returncode == 0, restored.stderr
        assert restored.stdout.splitlines()[1::2] == [
            f"{LINE_NUMBER} Voice URL now: (none)",
            f"{LINE_NUMBER} call status callback now: (none)",
        ]
        again = run_moderator("connect-number", LINE_NUMBER, "--restore", *common, env=env)
        assert again.returncode == 0, again.stderr
        assert f"{LINE_NUMBER} is already restored" in again.stdout, again.stdout
    finally:
        sim.terminate()
        _out, err = sim.communicate(timeout=10)
        if console is not None:
            console.close()
    assert "Traceback" not in err, err

    report = run_moderator("report", "--data-dir", data, "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    (meeting,) = json.loads(report.stdout)["conferences"]
    assert meeting["friendly_name"] == "TeamMeeting"
    assert {p["call_sid"] for p in meeting["participants"]} == {c["sid"] for c in calls}


def test_connect_number_mistakes_are_one_line_and_exit_2(tmp_path: Path) -> None:
    env = child_env(tmp_path)
    data = ["--data-dir", str(tmp_path / "data")]
    unreachable = run_moderator(
        "connect-number", LINE_NUMBER, "--public-url", "https://abc.ngrok.app",
        "--twilio-api-url", "http://127.0.0.1:9", *data, env=env,
    )  # fmt: skip
    no_url = run_moderator("connect-number", LINE_NUMBER, *data, env=env)
    bad_url = run_moderator("connect-number", LINE_NUMBER, "--public-url", "abc", *data, env=env)
    nothing = run_moderator(
        "connect-number", LINE_NUMBER, "--restore", "--twilio-api-url", "http://127.0.0.1:9",
        *data, env={k: v for k, v in env.items() if not k.startswith("TWILIO_")},
    )  # fmt: skip
    for result, words in (
        (unreachable, "cannot reach Twilio"),
        (no_url, "no public URL: pass --public-url"),
        (bad_url, "is not an http(s) URL"),
        (nothing, "no Twilio credentials"),
    ):
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith("moderator connect-number: error: ") and words in line, line
