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

from moderator.sim import cli

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
        (["--account-sid", "nope"], "account SID"),
        (["--port", "70000"], "--port"),
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
        assert "TWILIO_AUTH_TOKEN=secret" in proc.stdout.readline()
        base_url = first.split()[-1]
        request = urllib.request.Request(f"{base_url}/2010-04-01/Accounts/{sid}/Conferences.json")
        request.add_header(
            "Authorization", "Basic " + base64.b64encode(f"{sid}:secret".encode()).decode()
        )
        with urllib.request.urlopen(request, timeout=5) as resp:
            assert json.load(resp)["conferences"] == []
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
