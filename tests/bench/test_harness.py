"""`python -m benchmarks` runs every figure and prints one JSON object with stable keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

# figure -> the keys a reader of the JSON (and the README's table) relies on
KEYS = {
    "machine": {"cores", "python", "qt", "pyside6", "qasync", "aiohttp"},
    "ingest": {"console_per_s", "bare_per_s", "ratio", "ratio_min", "concurrency", "rss_idle_mb"},
    "latency": {"steady", "burst_1000", "join_burst_250", "rss_live_250_mb", "history_callbacks"},
    "history": {
        "startup_empty_s",
        "startup_100k",
        "startup_1m",
        "first_start_older",
        "report_one_conference",
    },
    "bulk": {"default", "sequential_s", "ideal_s", "ideal_at_concurrency_s", "concurrency"},
    "loop": {
        "bare_per_s",
        "asyncio_ratio",
        "qasync_ratio",
        "console_loop_ratio",
        "console_loop_cpu_us",  # the server's CPU per callback, and its loop thread's
        "console_loop_loop_cpu_us",
        "bare_loop_cpu_us",
    },
    "tests": {"wall_s", "cpu_s", "tests", "exit_code", "goal"},
    "long": {
        "rss_growth_mb",
        "rss_mb_by_callbacks_sent",
        "tile_repaint_start",
        "tile_repaint_end",
        "speech_callbacks",
    },
}
LATENCY_KEYS = {
    "steady": {"tile_repaint"},
    "burst_1000": {"tile_repaint", "grid_repaints_per_s_peak", "click_to_rest"},
    "join_burst_250": {"longest_stall_ms", "click_to_rest"},
}


@pytest.mark.e2e
def test_smoke_run_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)  # stdout is exactly one JSON object
    assert json.loads(out.read_text()) == report
    for figure, keys in KEYS.items():
        assert "error" not in report[figure], report[figure]
        assert keys <= report[figure].keys(), (figure, keys - report[figure].keys())
        if figure != "machine":  # each figure beside the machine's load while it was measured
            assert len(report[figure]["load_average_1m"]) == 2
    sent = [count for count, _rss in report["long"]["rss_mb_by_callbacks_sent"]]
    assert sent[0] == 0 and sent[-1] == report["long"]["speech_callbacks"]
    for phase, keys in LATENCY_KEYS.items():
        assert keys <= report["latency"][phase].keys()
    for key in ("p50_ms", "p99_ms", "count"):
        assert key in report["latency"]["steady"]["tile_repaint"]
    assert report["ingest"]["console_exit_code"] == 0
    assert report["tests"]["exit_code"] == 0 and report["tests"]["tests"]["collected"] > 100
    assert report["latency"]["console_exit_code"] == 0
