"""The environment for a child `moderator` process: offscreen, its own user folders, no keyring,
and no host but this machine."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path

# Holds a sitecustomize.py that installs tests/loopback_guard.py in every Python child.
LOOPBACK_ONLY = Path(__file__).resolve().parent / "loopback_only"
# Where a console started by a test sends REST calls unless the test names the simulator:
# loopback port 9 (discard), which refuses, so a forgotten --twilio-api-url is never Twilio.
UNREACHABLE_API_URL = "http://127.0.0.1:9"
LISTENING = re.compile(r"webhook server listening on (http://\S+)")


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment minus TWILIO_*, with Qt offscreen, the XDG folders (data,
    settings, logs, cache) under `home`, the null keyring and the loopback guard on
    PYTHONPATH, so a child never touches the user's files or secrets nor any other machine;
    `extra` is added last."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(home / "xdg-data"),
        XDG_CONFIG_HOME=str(home / "xdg-config"),
        XDG_STATE_HOME=str(home / "xdg-state"),
        XDG_CACHE_HOME=str(home / "xdg-cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONPATH=os.pathsep.join(p for p in (str(LOOPBACK_ONLY), env.get("PYTHONPATH")) if p),
    )
    env.update(extra)
    return env


def console_args(args: list[str] | tuple[str, ...]) -> list[str]:
    """`args` for `moderator`, with `--twilio-api-url` pointing at an unreachable loopback port
    when they start something that could call Twilio (the console but not the demo, or
    connect-number) and the test gave none."""
    args = list(args)
    if args and args[0] in ("report", "sim"):
        return args
    if any(a in ("--demo", "--help", "-h", "--version") for a in args):
        return args
    if any(a == "--twilio-api-url" or a.startswith("--twilio-api-url=") for a in args):
        return args
    return [*args, "--twilio-api-url", UNREACHABLE_API_URL]


class ConsoleOutput:
    """A child console's output (stderr merged into stdout) read on a thread as it comes: its
    lines, and `url` once it says where it listens. The e2e tests' and the benchmarks' console
    processes are made of it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self.url = ""
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            match = LISTENING.search(line)
            if match and not self.url:
                self.url = match.group(1)
                self._listening.set()

    def wait_listening(self, timeout: float = 30) -> str:
        """The URL it listens on; AssertionError with its output if it quit or took too long."""
        deadline = time.monotonic() + timeout
        while not self._listening.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("console did not start:\n" + self.output)
        return self.url

    def finish_reading(self) -> None:
        """After the process ended: the last lines read, the pipe closed."""
        self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()

    @property
    def output(self) -> str:
        return "".join(self.lines)
