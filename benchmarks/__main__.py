"""`python -m benchmarks [--quick]`: every figure of the console's speed as one JSON object.

Figures (names and units are stable; each carries its goal and its baseline from the same run):
  ingest    callbacks/s of the real console, window live, against bare aiohttp (concurrency 16)
  latency   callback → tile repainted, event-loop stalls, click → REST, repaints/s, RSS
  history   start-up with 100k / 1M journaled callbacks against an empty journal; report of one
  bulk      mute 249 at 200 ms REST latency: default concurrency, sequential, ideal
  loop      the webhook server alone on asyncio and on qasync against bare aiohttp
  long      a 4-hour, 250-person meeting compressed in time: RSS growth, tile latency start/end
  tests     the edit-and-rerun test loop (`make test-fast`): wall time against 2 minutes
`--only NAME` runs some of them. The older single benchmarks (bench_*.py) still run alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import (
    fig_bulk,
    fig_history,
    fig_ingest,
    fig_latency,
    fig_long,
    fig_loop,
    fig_tests,
)
from benchmarks.machine import load_average, machine

FIGURES = ("ingest", "latency", "history", "bulk", "loop", "long", "tests")
HISTORY = 100_000
MILLION = 1_000_000


@dataclass(frozen=True)
class Scale:
    """How much of each figure to run."""

    ingest_rounds: int
    ingest_people: int
    burst: int
    history: tuple[int, ...]
    startup_runs: int
    startup_timeout: float
    warm_starts: bool
    bulk_guests: int
    bulk_latency: float
    sequential_guests: int
    loop_callbacks: int
    loop_rounds: int
    long_callbacks: int
    tests_collect_only: bool


FULL = Scale(
    5, 250, 3000, (HISTORY, MILLION), 5, 600.0, True, 249, 0.2, 249, 3000, 3, 288_000, False
)
# --quick keeps every figure with fewer samples: three start-ups each without a warm-up run, a
# start-up past 20 s reported as such, one round of the loop figure (about 90 s), then the test
# loop (about two minutes more).
QUICK = Scale(
    2, 250, 1000, (HISTORY, MILLION), 3, 20.0, False, 249, 0.2, 10, 1000, 1, 28_800, False
)
# smoke: keys, not values (the test loop is only collected)
SMOKE = Scale(1, 12, 60, (5_000, 10_000), 1, 120.0, False, 12, 0.01, 3, 100, 1, 600, True)


def _plan(scale: Scale) -> dict[str, Callable[[Path], dict[str, Any]]]:
    def ingest(tmp: Path) -> dict[str, Any]:
        return asyncio.run(fig_ingest.measure(tmp, scale.ingest_rounds, scale.ingest_people))

    def latency(tmp: Path) -> dict[str, Any]:
        history = tmp / "latency-data"
        fig_history.history_dir(history, scale.history[0])
        result = asyncio.run(fig_latency.measure(tmp, history, scale.burst))
        result["history_callbacks"] = scale.history[0]
        return result

    def history(tmp: Path) -> dict[str, Any]:
        return fig_history.measure(
            tmp, list(scale.history), scale.startup_runs, scale.startup_timeout, scale.warm_starts
        )

    def bulk(tmp: Path) -> dict[str, Any]:
        return asyncio.run(
            fig_bulk.measure(tmp, scale.bulk_guests, scale.bulk_latency, scale.sequential_guests)
        )

    def loop(tmp: Path) -> dict[str, Any]:
        return fig_loop.measure(scale.loop_callbacks, scale.loop_rounds)

    def long(tmp: Path) -> dict[str, Any]:
        return asyncio.run(fig_long.measure(tmp, scale.long_callbacks))

    def tests(tmp: Path) -> dict[str, Any]:
        return fig_tests.measure(scale.tests_collect_only)

    return {
        "ingest": ingest,
        "latency": latency,
        "history": history,
        "bulk": bulk,
        "loop": loop,
        "long": long,
        "tests": tests,
    }


def run(mode: str, only: list[str] | None = None) -> dict[str, Any]:
    plan = _plan({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode])
    report: dict[str, Any] = {"benchmark": "moderator speed", "mode": mode, "machine": machine()}
    started = time.perf_counter()
    for name in only or list(FIGURES):
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            began = time.perf_counter()
            load_before = load_average()
            try:
                report[name] = plan[name](Path(tmp))
            except Exception as exc:  # one broken figure must not hide the others
                report[name] = {"error": f"{type(exc).__name__}: {exc}"[-2000:]}
                traceback.print_exc(file=sys.stderr)
            report[name]["took_s"] = round(time.perf_counter() - began, 1)
            # a shared machine: each figure says how busy it was while it was measured
            report[name]["load_average_1m"] = [load_before, load_average()]
    report["took_s"] = round(time.perf_counter() - started, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer rounds (about four minutes, half of it the test loop)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the harness")
    parser.add_argument("--only", action="append", choices=FIGURES, help="run only this figure")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    report = run(mode, args.only)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
