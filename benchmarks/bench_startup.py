"""Start-up time to a shown window (`--quit-after 0`): from source vs the built executables; JSON.

    python benchmarks/bench_startup.py                      # source, and dist/moderator if built
    python benchmarks/bench_startup.py --build              # also builds one-file and one-folder
    python benchmarks/bench_startup.py --exe path/to/moderator --runs 9

Each command runs once untimed (warm caches), then --runs times; the figure is the median wall
time of the whole process: start, window shown, quit, clean shutdown. Offscreen Qt, temporary
data and user folders, no keyring.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build_spec  # noqa: E402
from tests.child_env import console_args, isolated_env  # noqa: E402


def time_runs(command: list[str], runs: int, tmp: Path) -> dict[str, Any]:
    """Median wall time of `command --port 0 --quit-after 0 --data-dir ...` over `runs` runs."""
    env = isolated_env(tmp)
    args = [
        *command,
        *console_args(["--port", "0", "--quit-after", "0", "--data-dir", str(tmp / "journal")]),
    ]
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
        if i:  # the first run only warms the caches
            times.append(round(elapsed, 3))
    return {"median_s": round(statistics.median(times), 3), "runs_s": times}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exe", type=Path, action="append", default=[], help="a built program")
    parser.add_argument("--build", action="store_true", help="build one-file and one-folder first")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"python": sys.version.split()[0], "platform": sys.platform}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp_name:
        tmp = Path(tmp_name)
        targets: dict[str, Path] = {}
        if args.build:
            for mode in ("onefile", "onedir"):
                out = tmp / mode
                started = time.perf_counter()
                build = [sys.executable, str(ROOT / "build_spec.py"), f"--{mode}"]
                subprocess.run(
                    [*build, "--distpath", str(out / "dist"), "--workpath", str(out / "build")],
                    check=True,
                    capture_output=True,
                )
                results[f"{mode}_build_s"] = round(time.perf_counter() - started, 1)
                exe = build_spec.output_path(out / "dist", onedir=mode == "onedir")
                results[f"{mode}_size_mb"] = round(
                    build_spec.tree_size(exe.parent if mode == "onedir" else exe) / 1e6, 1
                )
                targets[mode] = exe
        for exe in args.exe or (
            [] if args.build else [build_spec.output_path(ROOT / "dist", False)]
        ):
            if exe.exists():
                targets[str(exe)] = exe.resolve()
        results["source"] = time_runs([sys.executable, "-m", "moderator"], args.runs, tmp)
        for name, exe in targets.items():
            results[name] = time_runs([str(exe)], args.runs, tmp)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
