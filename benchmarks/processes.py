"""Child processes of a benchmark: the real console (plain or probed) and the bare server."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.callbacks import ACCOUNT_SID, AUTH_TOKEN
from tests.child_env import ConsoleOutput, isolated_env

ROOT = Path(__file__).resolve().parents[1]


class Console(ConsoleOutput):
    """`moderator` (or `benchmarks.probe`, the same console with measuring hooks) offscreen."""

    def __init__(
        self,
        home: Path,
        data_dir: Path,
        *,
        api_url: str,
        probe_out: Path | None = None,
        extra_env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        env = isolated_env(
            home,
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            **(extra_env or {}),
        )
        module = "moderator"
        if probe_out is not None:
            module = "benchmarks.probe"
            env["BENCH_PROBE_OUT"] = str(probe_out)
        self.started = time.perf_counter()
        super().__init__(subprocess.Popen(
            [sys.executable, "-m", module, "--port", "0", "--data-dir", str(data_dir),
             "--twilio-api-url", api_url, *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        ))  # fmt: skip

    def rss_mb(self) -> float | None:
        """Resident memory now (Linux /proc), in MB."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        return round(int(match.group(1)) / 1024, 1) if match else None

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (a clean quit, as the host's window close), then wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.finish_reading()
        return code


class BareServer:
    """aiohttp answering 204 in a process of its own: the ceiling on this machine."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.twilio_stub"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.port = int(json.loads(self.process.stdout.readline())["port"])
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
