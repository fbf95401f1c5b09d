"""The two commands install what they need: `make demo` the app alone, `make test` its tools."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks import fig_tests

ROOT = Path(__file__).resolve().parents[1]


def planned(target: str, venv: Path) -> list[str]:
    """What the pip installs `make -n TARGET` would run on a fresh machine install (nothing is
    run): the text after `pip install`."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    proc = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={venv}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        line.split("pip install", 1)[1].strip()
        for line in proc.stdout.splitlines()
        if "pip install" in line
    ]


def test_the_demo_installs_only_the_app(tmp_path: Path) -> None:
    installs = planned("demo", tmp_path / "venv")
    assert installs[-1] == "-q -e .", installs
    assert not any("[" in line for line in installs), installs


def test_the_tests_install_the_test_and_build_tools(tmp_path: Path) -> None:
    installs = planned("test", tmp_path / "venv")
    assert "-q -e '.[test,build,tunnel]'" in installs, installs


def test_a_real_call_gets_the_built_in_tunnel_and_no_test_tools(tmp_path: Path) -> None:
    installs = planned("run", tmp_path / "venv")
    assert installs[-1] == "-q -e '.[tunnel]'", installs
    assert not any("test" in line or "build" in line for line in installs), installs


def test_the_benchmarks_time_the_loop_make_test_fast_runs(tmp_path: Path) -> None:
    # benchmarks/fig_tests.py runs pytest itself (with this interpreter): the same selection
    # and hypothesis profile as `make test-fast`, or its figure times another loop
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    proc = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "test-fast", f"VENV={tmp_path / 'venv'}"],
        capture_output=True,
        text=True,
        check=True,
    )
    runs = [shlex.split(line) for line in proc.stdout.splitlines()]
    command = next(words for words in runs if words and words[0].endswith("/pytest"))
    loop = [arg for arg in fig_tests.LOOP if arg not in ("-p", "no:cacheprovider")]
    assert command[1:] == loop, command
