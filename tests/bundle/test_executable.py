"""Builds the one-file executable with build_spec.py and runs it as a host would, offscreen."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from moderator import __version__
from tests.child_env import console_args, isolated_env

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
MAX_ONEFILE_BYTES = 80_000_000
TEAM_MEETING = {"Mary", "Alice", "Bob", "Charles"}


@pytest.fixture(scope="module")
def exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python build_spec.py --onefile` with every output under a temporary directory."""
    out = tmp_path_factory.mktemp("pyinstaller")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build_spec.py"),
            "--onefile",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
        ],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    path = out / "dist" / ("moderator.exe" if sys.platform == "win32" else "moderator")
    assert path.is_file()
    return path


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """A child environment: offscreen Qt, per-test user folders, no keyring, no credentials."""
    return isolated_env(tmp_path)


def run(
    exe: Path, *args: str, env: dict[str, str], timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(exe), *console_args(args)], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def report(exe: Path, data_dir: Path, env: dict[str, str]) -> dict:
    proc = run(exe, "report", "--data-dir", str(data_dir), "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_bundle_is_lean_and_complete(exe: Path) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    size = exe.stat().st_size
    print(f"one-file bundle: {size / 1e6:.1f} MB")
    assert size < MAX_ONEFILE_BYTES
    archive = CArchiveReader(str(exe))
    files = set(archive.toc)
    modules = set(archive.open_embedded_archive("PYZ.pyz").toc)
    assert {"moderator/resources/icons/app.svg", "moderator/resources/style.qss"} <= files
    assert not any(name.startswith("moderator/resources/executable/") for name in files)
    if sys.platform.startswith("linux"):  # the menu entry and its icon from resources/executable/
        assert {"moderator.desktop", "moderator.png"} <= {p.name for p in exe.parent.iterdir()}
    assert any(name.startswith("keyring-") and name.endswith("entry_points.txt") for name in files)
    assert {"keyring.backends.SecretService", "keyring.backends.null"} <= modules
    assert not {"tkinter", "pytest", "PyInstaller", "PySide6.QtNetwork"} & modules
    assert not any(name.startswith("PySide6/Qt/translations/") for name in files)


def test_version_and_help(exe: Path, home: dict[str, str]) -> None:
    proc = run(exe, "--version", env=home)
    assert (proc.returncode, proc.stdout.strip()) == (0, f"moderator {__version__}")
    proc = run(exe, "--help", env=home)
    assert proc.returncode == 0 and "--demo" in proc.stdout and "--quit-after" in proc.stdout
    for command in ("report", "sim"):
        proc = run(exe, command, "--help", env=home)
        assert proc.returncode == 0 and f"moderator {command}" in proc.stdout


def test_bad_usage_is_one_line_and_status_2(exe: Path, home: dict[str, str]) -> None:
    proc = run(exe, "--port", "70000", env=home)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("moderator: error:")


def test_console_starts_shows_window_and_logs_to_file(
    exe: Path, home: dict[str, str], tmp_path: Path
) -> None:
    data, shot = tmp_path / "data", tmp_path / "window.png"
    proc = run(
        exe,
        *("--port", "0", "--quit-after", "1", "--data-dir", str(data), "--screenshot", str(shot)),
        env=home,
    )
    assert proc.returncode == 0, proc.stderr
    assert shot.stat().st_size > 0
    assert report(exe, data, home) == {"conferences": [], "door": []}
    logs = list(Path(home["XDG_STATE_HOME"]).rglob("moderator.log"))
    assert logs and "console stopped" in logs[0].read_text(encoding="utf-8")


def test_saved_settings_are_read(exe: Path, home: dict[str, str], tmp_path: Path) -> None:
    """settings.ini in the data folder (QSettings, INI) works in the bundle: port 0 from it."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.ini").write_text("[console]\nport=0\n", encoding="utf-8")
    proc = run(exe, "--quit-after", "0", "--data-dir", str(data), env=home)
    assert proc.returncode == 0, proc.stderr
    listening = re.search(r"webhook server listening on http://127\.0\.0\.1:(\d+)", proc.stderr)
    assert listening and listening.group(1) != "8080", proc.stderr


def test_demo_team_meeting_is_journaled(exe: Path, home: dict[str, str], tmp_path: Path) -> None:
    """The issue's acceptance run: --demo offscreen, then `report` shows the TeamMeeting people.

    --port 0 on top, so a busy 8080 on the test machine cannot fail it.
    """
    data, shot = tmp_path / "data", tmp_path / "demo.png"
    proc = run(
        exe,
        *("--demo", "--demo-speed", "10", "--quit-after", "4", "--port", "0"),
        *("--data-dir", str(data), "--screenshot", str(shot)),
        env=home,
    )
    assert proc.returncode == 0, proc.stderr
    assert shot.stat().st_size > 0
    conferences = report(exe, data, home)["conferences"]
    meeting = [c for c in conferences if c["friendly_name"] == "TeamMeeting"]
    assert meeting, conferences
    labels = {p["label"] for p in meeting[0]["participants"]}
    assert labels >= TEAM_MEETING, labels
    # the demo's mute rules call Twilio's REST API: the SDK works with only twilio.rest.api bundled
    assert any(a["ok"] and a["kind"] == "mute" for a in meeting[0]["actions"]), meeting[0]
