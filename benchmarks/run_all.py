"""Runs every benchmarks/bench_*.py in turn and prints their JSON results as one object."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    results: dict[str, object] = {}
    for script in sorted(HERE.glob("bench_*.py")):
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent
        )
        try:
            results[script.stem] = json.loads(done.stdout)
        except json.JSONDecodeError:
            results[script.stem] = {"error": (done.stderr or done.stdout).strip()[-500:]}
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
