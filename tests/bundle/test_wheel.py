"""The wheel a user installs with pip holds everything the console needs, and the installed
`moderator` starts: built from a copy of the sources, installed into a fresh venv, run offscreen."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from moderator import __version__
from tests.child_env import LOOPBACK_ONLY, console_args, isolated_env

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh venv holding only the wheel; its dependencies (PySide6, twilio,
    ...) are borrowed from this venv through a .pth path entry, which installs no import hook,
    so this checkout's editable install cannot stand in for the wheel."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy: building in the checkout would leave build/ behind
    for folder in ("moderator", "resources"):  # resources/ is the package moderator.resources
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(work), str(source)], check=True)
    (wheel,) = work.glob("twilio_moderator-*.whl")

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "borrowed-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)], check=True)
    return python.parent


def wheel_env(home: Path) -> dict[str, str]:
    """isolated_env with only the loopback guard on PYTHONPATH: a checkout on PYTHONPATH (the
    team's worktree set-up) would be imported instead of the wheel."""
    return isolated_env(home, PYTHONPATH=str(LOOPBACK_ONLY))


def run(
    bin_dir: Path, *args: str, cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(bin_dir / "moderator"), *console_args(args)],
        cwd=cwd,  # not the checkout: its moderator/ folder must not be the one imported
        env=wheel_env(cwd),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_installed_package_is_the_wheel(installed: Path, tmp_path: Path) -> None:
    """resources/ is installed as moderator.resources, the style sheet and icons with it; the
    executable's own files (resources/executable/) are for the build and stay out."""
    proc = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "from moderator import resources as r; "
            "print(r.__file__); print(r.path('style.qss')); print(r.path('icons', 'mic.svg'))",
        ],
        cwd=tmp_path,
        env=wheel_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    init, style, icon = (Path(line) for line in proc.stdout.splitlines())
    venv = installed.parent
    assert all(path.is_relative_to(venv) for path in (init, style, icon)), proc.stdout
    assert init.parent.parts[-2:] == ("moderator", "resources")
    assert style.is_file() and icon.is_file()
    assert not (init.parent / "executable").exists()


def test_installed_console_prints_its_version(installed: Path, tmp_path: Path) -> None:
    proc = run(installed, "--version", cwd=tmp_path)
    assert (proc.returncode, proc.stdout.strip()) == (0, f"moderator {__version__}")


def test_installed_demo_starts_and_quits(installed: Path, tmp_path: Path) -> None:
    """The style sheet and icons load from the installed package: no 'resource not found'."""
    shot = tmp_path / "demo.png"
    proc = run(
        installed,
        *("--demo", "--quit-after", "3", "--port", "0"),
        *("--data-dir", str(tmp_path / "data"), "--screenshot", str(shot)),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert shot.stat().st_size > 0
