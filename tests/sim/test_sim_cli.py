"""`moderator sim` command line: options, bad usage, and a real run stopped by SIGTERM."""

from __future__ import annotations

import argparse
import base64
import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from moderator.sim import Simulator, cli
from tests.child_env import isolated_env

ROOT = Path(__file__).resolve().parents[2]
RUNNER = (
    "import argparse, sys; from moderator.sim import cli; p = argparse.ArgumentParser(); "
    "cli.add_arguments(p); sys.exit(cli.run(p.parse_args(sys.argv[1:])))"
)


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="moderator sim")
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults() -> None:
    args = _parse()
    assert (args.host, args.port, args.speed, args.seed, args.fault) == ("127.0.0.1", 0, 1.0, 0, [])
    assert args.scenario is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fault", "drop=2"], "between 0 and 1"),
        (["--fault", "nonsense"], "NAME=VALUE"),
        (["--speed", "0"], "--speed"),
        (["--scenario", "team-meeting"], "--callback-url"),
        (["--callback-url", "ftp://x"], "http(s) URL"),
        (
            ["--callback-url", "http://127.0.0.1:1/x", "--scenario", "large", "--count", "0"],
            "--count",
        ),
        (["--dial-outcome", "+16175550123=maybe"], "dial outcome"),
        (["--dial-outcome", "+16175550123"], "NUMBER=OUTCOME"),
        (["--account-sid", "nope"], "account SID"),
        (["--port", "70000"], "--port"),
        (["--voice-url", "localhost:8080/twilio/voice"], "--voice-url must be an http(s) URL"),
        (["--call-in", "+13125550101"], "FROM:TO"),
        (["--call-in", "+13125550101:+19995550000"], "not a number of the account"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(_parse(*argv)) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_runs_until_sigterm() -> None:
    sid = "AC" + "1" * 32
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "--account-sid", sid, "--auth-token", "secret", "--seed=1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Twilio simulator listening on http://127.0.0.1:")
        assert f"TWILIO_ACCOUNT_SID={sid}" in proc.stdout.readline()
        assert "given with --auth-token (not shown)" in proc.stdout.readline()
        base_url = first.split()[-1]
        request = urllib.request.Request(f"{base_url}/2010-04-01/Accounts/{sid}/Conferences.json")
        request.add_header(
            "Authorization", "Basic " + base64.b64encode(f"{sid}:secret".encode()).decode()
        )
        with urllib.request.urlopen(request, timeout=5) as resp:
            assert json.load(resp)["conferences"] == []
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "secret" not in out  # a token the simulator did not make is never printed


def _start(*argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "moderator", "sim", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _read_until(proc: subprocess.Popen[str], marker: str) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    while not any(marker in line for line in lines):
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("simulator stopped: " + "".join(lines))
        lines.append(line)
    return lines


def test_token_from_the_environment_is_never_printed(tmp_path: Path) -> None:
    token = "a-real-looking-token-0123456789abcdef"
    env = isolated_env(tmp_path, TWILIO_AUTH_TOKEN=token)
    proc = _start(env=env)
    head = _read_until(proc, "No scenario")
    out, _err = _stop(proc)
    text = "".join(head) + out
    assert token not in text
    assert "taken from $TWILIO_AUTH_TOKEN (not shown)" in text
    command = next(line for line in head if "--twilio-api-url" in line)
    assert "TWILIO_AUTH_TOKEN" not in command  # the console reads the same variable


def test_a_made_up_token_is_printed_in_the_console_command(tmp_path: Path) -> None:
    proc = _start(env=isolated_env(tmp_path))
    head = _read_until(proc, "No scenario")
    _stop(proc)
    base_url = head[0].split()[-1]
    command = next(line for line in head if "--twilio-api-url" in line).split()
    assert command[0].startswith("TWILIO_ACCOUNT_SID=AC")
    assert command[1].startswith("TWILIO_AUTH_TOKEN=")
    assert command[2:] == ["moderator", "--twilio-api-url", base_url, "--port", "8080"]
    assert "--callback-url http://127.0.0.1:8080/twilio/conference-events" in head[-1]


async def test_console_command_for_a_tunnel_names_the_public_url() -> None:
    sim = Simulator("AC" + "2" * 32, "tok")
    base_url = await sim.start()
    try:
        command = cli.console_command(
            sim, "https://abc.ngrok.app/prefix/twilio/conference-events", show_token=False
        )
    finally:
        await sim.stop()
    assert command == (
        f"TWILIO_ACCOUNT_SID={sim.account_sid} moderator --twilio-api-url {base_url}"
        " --public-url https://abc.ngrok.app/prefix"
    )
