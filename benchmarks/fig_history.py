"""History at start: start-up and `report --conference X` with 100,000 and 1,000,000 callbacks.

Start-up is the wall time of `moderator --quit-after 0` (start, window shown, quit, clean exit)
without credentials, median of a few runs after one warm-up; the baseline is an empty journal
in the same run. The report of one past conference is timed on the big journal and on a journal
holding only that conference.

The past conferences are summarised before the runs, as the console does at the first start
that sees them ended (a journal of an older schema pays that once: `summarise_once_s`, null
when the journal came from the cache).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.history import PER_CONFERENCE, conference_sids, write_history
from benchmarks.processes import ROOT
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
    shutil.copyfile(cached / JOURNAL_FILE, target / JOURNAL_FILE)
    # as the console's last session left it: closed cleanly, with its marker (clean_close.py)
    Journal(target / JOURNAL_FILE).close()
    return conference_sids(total), took


def older_dir(target: Path, total: int) -> None:
    """A journal of `total` callbacks never summarised (as an older console left it)."""
    cached = CACHE / f"history-{total}-{PER_CONFERENCE}-schema{SCHEMA_VERSION}-raw"
    if not (cached / "done").exists():
        shutil.rmtree(cached, ignore_errors=True)
        cached.mkdir(parents=True)
        write_history(cached, total)
        (cached / "done").write_text("")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached / JOURNAL_FILE, target / JOURNAL_FILE)


def background_summarise_s(data_dir: Path) -> float | None:
    """How long the console's background summarising of that journal takes, in-process."""
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


def startup(
    home: Path, data_dir: Path, runs: int, timeout: float, warm: bool = True
) -> dict[str, Any]:
    env = isolated_env(home)
    args = ["--port", "0", "--quit-after", "0", "--data-dir", str(data_dir)]
    times: list[float] = []
    for i in range(runs + warm):
        took = _timed(args, env, timeout)
        if took is None:
            return {"median_s": None, "timed_out_after_s": timeout}
        if i or not warm:  # a first run warms the caches (and lets the journal settle)
            times.append(took)
    return {"median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times]}


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
    base = startup(home, empty, runs, timeout, warm)
    result: dict[str, Any] = {"startup_empty_s": base["median_s"]}
    for key, total in zip(("startup_100k", "startup_1m"), sizes, strict=False):
        data = tmp / f"history-{total}"
        sids, summarised = history_dir(data, total)
        figure = startup(home, data, runs, timeout, warm)
        ratio = None
        if figure["median_s"] is not None and base["median_s"]:
            ratio = round(figure["median_s"] / base["median_s"], 2)
        result[key] = {
            "callbacks": total,
            **figure,
            "ratio_to_empty": ratio,
            "goal": "<= 1.3",
            "summarise_once_s": summarised,
        }
        shutil.rmtree(data)
    # an older journal (never summarised): the window first, the summarising in the background
    older = tmp / "history-older"
    total = max(sizes)
    older_dir(older, total)
    figure = startup(home, older, runs, timeout, warm=False)  # each run a first start
    ratio = None
    if figure["median_s"] is not None and base["median_s"]:
        ratio = round(figure["median_s"] / base["median_s"], 2)
    result["first_start_older"] = {
        "callbacks": total,
        **figure,
        "ratio_to_empty": ratio,
        "goal": "console usable at once (summarising in the background)",
        # a minute on a million callbacks: only without --quick
        "background_summarise_s": background_summarise_s(older) if warm else None,
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
