"""The edit-and-rerun test loop (`make test-fast`): its wall time against its goal.

Runs `pytest -q -m "not build and not e2e"` in a child process from the repository root, as
`make test-fast` does, and reports the wall time, the CPU the run used (the rest of the wall
time is waiting: servers' graces, timers, child processes) and how many tests passed. The
smoke mode only collects them (the harness's own test must not run the suite inside it).
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
from typing import Any

from benchmarks.processes import ROOT

LOOP = ["-q", "-m", "not build and not e2e", "--hypothesis-profile=loop", "-p", "no:cacheprovider"]
GOAL_S = 120.0


def measure(collect_only: bool = False, timeout: float = 1200.0) -> dict[str, Any]:
    args = [sys.executable, "-m", "pytest", *LOOP, *(["--collect-only"] if collect_only else [])]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = done.stdout.strip().splitlines()
    tail = lines[-1] if lines else done.stderr[-500:]
    if collect_only:  # -q --collect-only lists one test id a line
        counts = {"collected": sum("::" in line for line in lines)}
    else:
        counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|errors?)", tail)}
    return {
        "command": "pytest " + " ".join(f'"{a}"' if " " in a else a for a in LOOP),
        "collect_only": collect_only,
        "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "tests": counts,
        "exit_code": done.returncode,
        "summary": tail[-300:],
        "goal": f"wall_s < {GOAL_S:.0f}",
    }
