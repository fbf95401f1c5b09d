"""Soak: the real console process against the simulator's `large` scenario with lossy delivery.

The simulator runs in this process with drop, duplicate and reorder faults and plays `large`
again and again for `--minutes`; the console is a child `moderator` process (offscreen, its own
folders). Prints one JSON object: the console's RSS and open files at start, middle and end,
callbacks sent, its exit status, and whether its roster (read from the journal with `moderator
report` while it runs and after it stops) equals the simulator's. No assertions here; the
suite's short form (tests/e2e/test_soak.py) asserts on the same figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderator.sim import Simulator  # noqa: E402
from moderator.sim.faults import Faults  # noqa: E402
from tests.child_env import LISTENING, isolated_env  # noqa: E402

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "soak-auth-token-" + "0" * 16
SETTLE_SECONDS = 20.0  # for retried, reordered callbacks and a reconcile to land


def process_figures(pid: int) -> dict[str, int]:
    """Resident memory (KiB) and open file descriptors of a process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return {"rss_kib": rss, "open_files": len(os.listdir(f"/proc/{pid}/fd"))}


def report(data_dir: Path, home: Path) -> dict[str, Any]:
    """`moderator report --format json` on the console's journal (read-only, even while live)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "moderator",
            "report",
            "--format",
            "json",
            "--data-dir",
            str(data_dir),
        ],
        cwd=ROOT,
        env=isolated_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"report failed: {done.stderr.strip()}")
    return dict(json.loads(done.stdout))


def roster_differences(sim: Simulator, journal_report: dict[str, Any]) -> list[str]:
    """Where the console's view differs from the simulator's: status and who is present."""
    console = {c["sid"]: c for c in journal_report["conferences"]}
    differences = []
    for sid, conference in sim.world.conferences.items():
        seen = console.get(sid)
        if seen is None:
            differences.append(f"{sid}: missing from the console")
            continue
        truth = {p.call_sid for p in conference.connected()}
        present = {p["call_sid"] for p in seen["participants"] if p["present"]}
        if truth != present:
            differences.append(
                f"{sid}: {len(truth - present)} present missing, {len(present - truth)} extra"
            )
        ended = conference.status == "completed"
        if ended != (seen["status"] == "completed"):
            differences.append(f"{sid}: status {seen['status']} vs {conference.status}")
    return differences


async def converged(sim: Simulator, data_dir: Path, home: Path, wait: float) -> list[str]:
    """The differences once they are gone, or the last ones seen after `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        differences = roster_differences(sim, await asyncio.to_thread(report, data_dir, home))
        if not differences or time.monotonic() > deadline:
            return differences
        await asyncio.sleep(1.0)


async def soak(
    minutes: float, count: int, speed: float, faults: Faults, keep: bool = False
) -> dict[str, Any]:
    """Run the soak; the working folder is removed afterwards unless `keep`."""
    work = Path(tempfile.mkdtemp(prefix="moderator-soak-"))
    try:
        result = await _soak(work, minutes, count, speed, faults)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    if keep:
        result["data_dir"] = str(work / "data")
    return result


async def _soak(
    work: Path, minutes: float, count: int, speed: float, faults: Faults
) -> dict[str, Any]:
    data_dir = work / "data"
    sim = Simulator(ACCOUNT_SID, AUTH_TOKEN, faults=faults, seed=7, speed=speed)
    api_url = await sim.start("127.0.0.1", 0)
    env = isolated_env(work, TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN)
    console = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moderator",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        "--twilio-api-url",
        api_url,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert console.stdout is not None
    log_lines: list[str] = []
    base = ""
    while not base:
        line = (await asyncio.wait_for(console.stdout.readline(), 60)).decode()
        if not line:
            raise RuntimeError("console exited:\n" + "".join(log_lines))
        log_lines.append(line)
        match = LISTENING.search(line)
        base = match.group(1) if match else ""

    async def drain() -> None:
        assert console.stdout is not None
        async for raw in console.stdout:
            log_lines.append(raw.decode(errors="replace"))

    drainer = asyncio.create_task(drain())
    callback_url = base + "/twilio/conference-events"
    figures = {"start": process_figures(console.pid)}
    started = time.monotonic()
    end = started + minutes * 60
    rounds = 0
    middle_differences: list[str] | None = None
    while time.monotonic() < end:
        task = sim.start_scenario("large", callback_url, count=count)
        if "middle" not in figures and time.monotonic() - started >= minutes * 30:
            figures["middle"] = process_figures(console.pid)
        await task
        rounds += 1
        if middle_differences is None and time.monotonic() - started >= minutes * 30:
            figures.setdefault("middle", process_figures(console.pid))
            middle_differences = await converged(sim, data_dir, work, SETTLE_SECONDS)
    figures.setdefault("middle", process_figures(console.pid))
    live_differences = await converged(sim, data_dir, work, SETTLE_SECONDS)
    figures["end"] = process_figures(console.pid)
    console.send_signal(signal.SIGTERM)
    exit_code = await asyncio.wait_for(console.wait(), 60)
    await drainer
    await sim.stop()
    stopped_differences = roster_differences(sim, report(data_dir, work))
    tracebacks = sum("Traceback" in line for line in log_lines)
    stats = sim.stats
    return {
        "benchmark": "soak",
        "minutes": round((time.monotonic() - started) / 60, 2),
        "scenario": "large",
        "participants_per_round": count,
        "speed": speed,
        "rounds": rounds,
        "faults": {"drop": faults.drop, "duplicate": faults.duplicate, "reorder": faults.reorder},
        "callbacks": {
            "generated": stats.callbacks_generated,
            "sent": stats.callbacks_sent,
            "dropped": stats.callbacks_dropped,
            "duplicated": stats.callbacks_duplicated,
            "reordered": stats.callbacks_reordered,
            "failed": stats.callbacks_failed,
        },
        "console": figures,
        "roster_equals_simulator": not live_differences and not stopped_differences,
        "roster_equals_simulator_at_middle": middle_differences == [],
        "differences": (live_differences + stopped_differences)[:10],
        "journal_bytes": (data_dir / "journal.sqlite3").stat().st_size,
        "console_exit_code": exit_code,
        "tracebacks_in_console_output": tracebacks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--count", type=int, default=250, help="participants per round")
    parser.add_argument("--speed", type=float, default=4.0, help="scenario time factor")
    parser.add_argument("--drop", type=float, default=0.02)
    parser.add_argument("--duplicate", type=float, default=0.05)
    parser.add_argument("--reorder", type=float, default=0.05)
    parser.add_argument("--keep", action="store_true", help="keep the console's data folder")
    args = parser.parse_args(argv)
    faults = Faults(drop=args.drop, duplicate=args.duplicate, reorder=args.reorder)
    result = asyncio.run(soak(args.minutes, args.count, args.speed, faults, args.keep))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
