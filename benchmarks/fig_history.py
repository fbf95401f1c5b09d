"""History at start: start-up and `report --conference X` with 100,000 and 1,000,000 callbacks.

Start-up is the wall time of `moderator --quit-after 0` (start, window shown, quit, clean exit)
without credentials, median of a few runs after one warm-up; the baseline is an empty journal
in the same run. The starts go in rounds (empty, 100k, 1M, older; again), so a neighbour's load
weighs on every journal alike, and each start on the older journal is a first start (the file
copied afresh, untimed, before it). The report of one past conference is timed on the big
journal and on a journal holding only that conference.

The past conferences are summarised before the runs, as the console does at the first start
that sees them ended (a journal of an older schema pays that once: `summarise_once_s`, null
when the journal came from the cache).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.history import PER_CONFERENCE, conference_sids, write_history
from benchmarks.processes import ROOT
from moderator.app import WINDOW_SHOWN
from moderator.store.history import open_roster, open_roster_deferring
from moderator.store.journal import JOURNAL_FILE, Journal
from moderator.store.journal_file import SCHEMA_VERSION
from tests.child_env import isolated_env

CACHE = Path(tempfile.gettempdir()) / "moderator-bench-cache"


def history_dir(target: Path, total: int) -> tuple[list[str], float | None]:
    """Put a journal of `total` past callbacks in `target` (built and summarised once, then
    copied); the SIDs and how long summarising took (None: from the cache)."""
    cached = CACHE / f"history-{total}-{PER_CONFERENCE}-schema{SCHEMA_VERSION}-summarised"
    took: float | None = None
    if not (cached / "done").exists():
        shutil.rmtree(cached, ignore_errors=True)
        cached.mkdir(parents=True)
        write_history(cached, total)
        began = time.perf_counter()
        journal = Journal(cached / JOURNAL_FILE)
        open_roster(journal)  # what the console's first start with them does
        journal.close()
        took = round(time.perf_counter() - began, 1)
        (cached / "done").write_text("")
    target.mkdir(parents=True, exist_ok=True)
    _copy(cached / JOURNAL_FILE, target / JOURNAL_FILE)
    # as the console's last session left it: closed cleanly, with its marker (clean_close.py)
    Journal(target / JOURNAL_FILE).close()
    return conference_sids(total), took


def _copy(source: Path, target: Path) -> None:
    """Copy a journal and wait until it is on the disk: a console started on 700 MB of pages
    not yet written back paid for that write-back (its close's checkpoint syncs the file), which
    a journal the console wrote itself never costs."""
    shutil.copyfile(source, target)
    with target.open("rb") as copied:
        os.fsync(copied.fileno())


def older_dir(target: Path, total: int) -> None:
    """A journal of `total` callbacks never summarised (as an older console left it)."""
    cached = CACHE / f"history-{total}-{PER_CONFERENCE}-schema{SCHEMA_VERSION}-raw"
    if not (cached / "done").exists():
        shutil.rmtree(cached, ignore_errors=True)
        cached.mkdir(parents=True)
        write_history(cached, total)
        (cached / "done").write_text("")
    shutil.rmtree(target, ignore_errors=True)  # no marker, WAL or summary of an earlier start
    target.mkdir(parents=True)
    _copy(cached / JOURNAL_FILE, target / JOURNAL_FILE)


def background_summarise_s(data_dir: Path, total: int) -> float | None:
    """How long the console's background summarising of an older journal takes, in-process."""
    older_dir(data_dir, total)
    journal = Journal(data_dir / JOURNAL_FILE)
    try:
        _roster, backlog = open_roster_deferring(journal)

        async def run() -> float | None:
            if not backlog.start(asyncio.get_running_loop()):
                return 0.0
            await asyncio.to_thread(backlog.wait)
            await asyncio.sleep(0)  # its last results, queued on this loop
            return backlog.took_s

        return asyncio.run(run())
    finally:
        journal.close()


def _timed(args: list[str], env: dict[str, str], timeout: float) -> float | None:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "moderator", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"moderator {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


@dataclass(frozen=True)
class Start:
    """One journal to start on; `before` (untimed) runs before each start."""

    data_dir: Path
    before: Callable[[], None] | None = None


def _started(
    args: list[str], env: dict[str, str], timeout: float
) -> tuple[float, float | None] | None:
    """The whole process's wall time (start, window, quit, clean exit) and when its log said
    the window was shown; None past `timeout`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "moderator", *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: list[str] = []
    shown: list[float] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if WINDOW_SHOWN in line and not shown:
                shown.append(time.perf_counter() - started)
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
    took = time.perf_counter() - started
    reader.join(10)
    if code != 0:
        raise RuntimeError(f"moderator {' '.join(args)} failed:\n{''.join(lines)[-2000:]}")
    return took, shown[0] if shown else None


def starts(
    home: Path, journals: dict[str, Start], runs: int, timeout: float, warm: bool = True
) -> dict[str, dict[str, Any]]:
    """Each journal's start-up figure, the starts taken in rounds (one of each journal a round,
    in order) so that a change of the machine's load weighs on all alike. `median_s` is the
    whole process (to its clean exit), `window_median_s` until its log said the window shows."""
    env = isolated_env(home)
    times: dict[str, list[float]] = {name: [] for name in journals}
    windows: dict[str, list[float]] = {name: [] for name in journals}
    timed_out: dict[str, float] = {}
    for i in range(runs + warm):
        for name, journal in journals.items():
            if name in timed_out:
                continue
            if journal.before is not None:
                journal.before()
            args = ["--port", "0", "--quit-after", "0", "--data-dir", str(journal.data_dir)]
            took = _started(args, env, timeout)
            if took is None:
                timed_out[name] = timeout
            elif i or not warm:  # a first round warms the caches (and lets journals settle)
                times[name].append(took[0])
                if took[1] is not None:
                    windows[name].append(took[1])
    return {
        name: {"median_s": None, "timed_out_after_s": timed_out[name]}
        if name in timed_out
        else {
            "median_s": round(statistics.median(times[name]), 3),
            "runs_s": [round(t, 3) for t in times[name]],
            "window_median_s": round(statistics.median(windows[name]), 3)
            if windows[name]
            else None,
            "window_runs_s": [round(t, 3) for t in windows[name]],
        }
        for name in journals
    }


def _ratio(figure: dict[str, Any], base: dict[str, Any], key: str = "median_s") -> float | None:
    if figure.get(key) is None or not base.get(key):
        return None
    return round(figure[key] / base[key], 2)


def report_time(home: Path, data_dir: Path, conference: str, runs: int) -> float | None:
    env = isolated_env(home)
    args = ["report", "--data-dir", str(data_dir), "--conference", conference, "--format", "json"]
    times = [_timed(args, env, 300) for _ in range(runs)]
    known = [t for t in times if t is not None]
    return round(statistics.median(known), 3) if known else None


def measure(
    tmp: Path, sizes: list[int], runs: int, timeout: float, warm: bool = True
) -> dict[str, Any]:
    home = tmp / "history-home"
    empty = tmp / "history-empty"
    write_history(empty, 0)
    journals = {"empty": Start(empty)}
    summarised: dict[str, float | None] = {}
    for key, total in zip(("startup_100k", "startup_1m"), sizes, strict=False):
        data = tmp / f"history-{total}"
        _sids, summarised[key] = history_dir(data, total)
        journals[key] = Start(data)
    # an older journal (never summarised): the window first, the summarising in the background
    older, older_total = tmp / "history-older", max(sizes)
    journals["first_start_older"] = Start(older, lambda: older_dir(older, older_total))
    figures = starts(home, journals, runs, timeout, warm)
    base = figures["empty"]
    result: dict[str, Any] = {"startup_empty_s": base["median_s"], "startup_empty": base}
    for key, total in zip(("startup_100k", "startup_1m"), sizes, strict=False):
        result[key] = {
            "callbacks": total,
            **figures[key],
            "ratio_to_empty": _ratio(figures[key], base),
            "window_ratio_to_empty": _ratio(figures[key], base, "window_median_s"),
            "goal": "<= 1.3",
            "summarise_once_s": summarised[key],
        }
        shutil.rmtree(journals[key].data_dir)
    result["first_start_older"] = {
        "callbacks": older_total,
        **figures["first_start_older"],
        "ratio_to_empty": _ratio(figures["first_start_older"], base),
        "window_ratio_to_empty": _ratio(figures["first_start_older"], base, "window_median_s"),
        "goal": "console usable at once (summarising in the background)",
        # a minute on a million callbacks: only without --quick
        "background_summarise_s": background_summarise_s(older, older_total) if warm else None,
    }
    shutil.rmtree(older)
    # report --conference X: the big journal against X's callbacks alone
    data = tmp / "report-big"
    sids, _ = history_dir(data, min(sizes))
    alone = tmp / "report-alone"
    write_history(alone, PER_CONFERENCE)  # the first past conference, by itself
    big = report_time(home, data, sids[0], runs)
    small = report_time(home, alone, sids[0], runs)
    result["report_one_conference"] = {
        "journal_callbacks": min(sizes),
        "seconds": big,
        "alone_seconds": small,
        "ratio": round(big / small, 2) if big and small else None,
        "goal": "reads only X (ratio ~1)",
    }
    shutil.rmtree(data)
    return result
