"""The loop itself: the webhook server alone on plain asyncio and on qasync, against bare aiohttp.

Runs benchmarks/bench_ingest.py's modes (server in a child process, load from this one).
"""

from __future__ import annotations

from typing import Any

from benchmarks import bench_ingest


def measure(count: int, concurrency: int = 16) -> dict[str, Any]:
    results = {mode: bench_ingest.measure(mode, count, concurrency) for mode in bench_ingest.MODES}
    bare = results["bare"]["per_second"]
    return {
        "callbacks": count,
        "concurrency": concurrency,
        "bare_per_s": bare,
        "asyncio_per_s": results["console"]["per_second"],
        "qasync_per_s": results["console-qasync"]["per_second"],
        "asyncio_ratio": round(results["console"]["per_second"] / bare, 3),
        "qasync_ratio": round(results["console-qasync"]["per_second"] / bare, 3),
    }
