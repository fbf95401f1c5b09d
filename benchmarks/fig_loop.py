"""The loop itself: the webhook server alone on plain asyncio, stock qasync and the console's loop
(qasync with asyncio's ready queue, moderator/loop.py), against bare aiohttp.

Runs benchmarks/bench_ingest.py's modes (server in a child process, load from this one), the
modes taking turns for `rounds` rounds; each figure is the median of its rounds.
"""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks import bench_ingest

NAMES = {"console": "asyncio", "console-qasync": "qasync", "console-loop": "console_loop"}


def measure(count: int, rounds: int = 1, concurrency: int = 16) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in bench_ingest.MODES}
    for _ in range(rounds):
        for mode in bench_ingest.MODES:
            runs[mode].append(bench_ingest.measure(mode, count, concurrency))
    rate = {
        mode: statistics.median(r["per_second"] for r in values) for mode, values in runs.items()
    }
    bare = rate["bare"]
    result: dict[str, Any] = {
        "callbacks": count,
        "rounds": rounds,
        "concurrency": concurrency,
        "bare_per_s": bare,
    }
    for mode, name in NAMES.items():
        result[f"{name}_per_s"] = rate[mode]
        result[f"{name}_ratio"] = round(rate[mode] / bare, 3)
        # CPU per callback in the server (its loop thread): moved less by others' load
        for key, label in (("server_cpu_us", "cpu_us"), ("loop_cpu_us", "loop_cpu_us")):
            values = [r[key] for r in runs[mode] if r.get(key) is not None]
            result[f"{name}_{label}"] = round(statistics.median(values), 1) if values else None
    bare_cpu = [r["loop_cpu_us"] for r in runs["bare"] if r.get("loop_cpu_us") is not None]
    result["bare_loop_cpu_us"] = round(statistics.median(bare_cpu), 1) if bare_cpu else None
    return result
