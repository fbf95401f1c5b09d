"""The two commands install what they need: `make demo` the app alone, `make test` its tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

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
