"""Helpers for end-to-end tests: the real `moderator` process, offscreen, talked to over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.child_env import ConsoleOutput, console_args, isolated_env

ROOT = Path(__file__).parents[2]
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "e2e-auth-token-" + "f" * 17


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """An isolated child environment holding the e2e test account's credentials."""
    return isolated_env(
        home,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        PYTHONFAULTHANDLER="1",
        **extra,
    )


class ConsoleProcess(ConsoleOutput):
    """A running `moderator` with its stderr collected; `.url` once it listens."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        super().__init__(
            subprocess.Popen(
                [sys.executable, "-m", "moderator", *console_args(args)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )

    def wait(self, timeout: float = 60) -> int:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"console still running after {timeout} s:\n{self.output}"
            ) from None
        self._reader.join(5)
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.finish_reading()


@pytest.fixture
def start_console(tmp_path: Path) -> Iterator[object]:
    started: list[ConsoleProcess] = []

    def start(*args: str, **env: str) -> ConsoleProcess:
        console = ConsoleProcess(list(args), child_env(tmp_path, **env))
        started.append(console)
        return console

    yield start
    for console in started:
        console.close()


def run_moderator(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "moderator", *console_args(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class DemoRun:
    """A finished `moderator --demo` run: its data dir and the environment it ran in."""

    data: Path
    env: dict[str, str]

    def report(self) -> dict[str, Any]:
        """`moderator report --format json` on the run's data dir."""
        report = run_moderator(
            "report", "--data-dir", str(self.data), "--format", "json", env=self.env
        )
        assert report.returncode == 0, report.stderr
        result: dict[str, Any] = json.loads(report.stdout)
        return result


def run_demo(tmp_path: Path, *flags: str) -> DemoRun:
    """`moderator --demo` with `flags` on a fresh data dir and a free port, with no Twilio
    account in the environment (the demo needs none); it must exit 0 without a traceback."""
    data = tmp_path / "data"
    env = child_env(tmp_path)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        env.pop(name)
    result = run_moderator("--demo", *flags, "--data-dir", str(data), "--port", "0", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return DemoRun(data, env)
