"""Webhook ingest rate: signed callbacks from a second process, against a bare aiohttp baseline.

Each server runs in its own process; this process is the load generator (keep-alive, fixed
concurrency). Modes:
  bare            aiohttp answering 204, nothing else (the ceiling on this machine)
  console         the console's WebhookServer (signature + parse + group-committed journal +
                  roster) on a plain asyncio loop
  console-qasync  the same on the stock qasync loop inside an offscreen QApplication
  console-loop    the same on the console's loop (qasync with batched call_soon), as shipped
Prints one JSON object; no assertions (machines are shared and noisy). Besides the rate, each
mode's server CPU per callback (`server_cpu_us`, and `loop_cpu_us` for its event loop's thread),
which the machine's other load moves much less than the rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH  # noqa: E402

TOKEN = "bench-auth-token-0123456789abcdef"
PATH = CONFERENCE_EVENTS_PATH
MODES = ("bare", "console", "console-qasync", "console-loop")


# ---- servers (run in a child process) -------------------------------------------------------


async def _serve_bare() -> None:
    from benchmarks.twilio_stub import start_bare

    runner = await start_bare()
    print(runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()


async def _serve_console(data_dir: str) -> None:
    from moderator.core import CoreConfig, open_core
    from moderator.credentials import Credentials

    config = CoreConfig(
        data_dir=Path(data_dir), credentials=Credentials(auth_token=TOKEN), control=False
    )
    async with open_core(config) as core:  # journal, roster and server, as the app wires them
        print(core.server.port, flush=True)
        await asyncio.Event().wait()


def serve(mode: str, data_dir: str) -> None:
    if mode == "bare":
        asyncio.run(_serve_bare())
    elif mode == "console":
        asyncio.run(_serve_console(data_dir))
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        import qasync
        from PySide6.QtWidgets import QApplication

        from moderator.loop import ConsoleEventLoop

        app = QApplication([])
        loop = qasync.QEventLoop(app) if mode == "console-qasync" else ConsoleEventLoop(app)
        asyncio.set_event_loop(loop)
        loop.run_until_complete(_serve_console(data_dir))


# ---- load generator -------------------------------------------------------------------------


def forms(count: int) -> list[dict[str, str]]:
    from tests.forms import form

    return [form("participant-speech-start", n, who=f"P{n % 40}") for n in range(1, count + 1)]


async def blast(port: int, count: int, concurrency: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}{PATH}"
    validator = RequestValidator(TOKEN)
    signed = [(f, validator.compute_signature(url, f)) for f in forms(count)]
    queue: asyncio.Queue[tuple[dict[str, str], str]] = asyncio.Queue()
    for item in signed:
        queue.put_nowait(item)
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while not queue.empty():
                fields, signature = queue.get_nowait()
                async with session.post(
                    url, data=fields, headers={"X-Twilio-Signature": signature}
                ) as response:
                    statuses[response.status] = statuses.get(response.status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed),
        "statuses": statuses,
    }


def _cpu_seconds(stat: Path) -> float | None:
    """User + system CPU seconds of a process or thread from its /proc stat (None off Linux)."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu(pid: int) -> tuple[float | None, float | None]:
    """The server process's CPU seconds, and its main (event loop) thread's."""
    proc = Path("/proc") / str(pid)
    return _cpu_seconds(proc / "stat"), _cpu_seconds(proc / "task" / str(pid) / "stat")


def _per_callback_us(before: float | None, after: float | None, count: int) -> float | None:
    if before is None or after is None:
        return None
    return round(1e6 * (after - before) / count, 1)


def measure(mode: str, count: int, concurrency: int) -> dict[str, Any]:
    """The rate, and the server's CPU per callback (whole process, and its event loop's thread:
    figures that the machine's other load moves much less than the rate; Linux only)."""
    with tempfile.TemporaryDirectory() as data_dir:
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", mode, "--data-dir", data_dir],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert child.stdout is not None
            port = int(child.stdout.readline())
            asyncio.run(blast(port, 50, concurrency))  # warm-up
            process, loop = _server_cpu(child.pid)
            result = asyncio.run(blast(port, count, concurrency))
            process_after, loop_after = _server_cpu(child.pid)
            result["server_cpu_us"] = _per_callback_us(process, process_after, count)
            result["loop_cpu_us"] = _per_callback_us(loop, loop_after, count)
        finally:
            child.terminate()
            child.wait(10)
            if child.stdout is not None:
                child.stdout.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.data_dir)
        return
    results = {mode: measure(mode, args.count, args.concurrency) for mode in MODES}
    baseline = results["bare"]["per_second"]
    for result in results.values():
        result["vs_bare"] = round(result["per_second"] / baseline, 2)
    print(
        json.dumps(
            {
                "benchmark": "webhook ingest",
                "callbacks": args.count,
                "concurrency": args.concurrency,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
