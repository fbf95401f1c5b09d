"""Missing system libraries for Qt's xcb plugin become one install command, not Qt's abort."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator import cli, system_libs
from moderator.system_libs import install_command, loadable, uses_xcb, xcb_problem

ABSENT = {"libxcb-cursor.so.0", "libxcb-icccm4.so.4", "libxkbcommon-x11.so.0", "libxcb-shm.so.0"}


def fake_loader(absent: set[str]) -> system_libs.Loadable:
    return lambda soname: soname not in absent


def only(tool: str) -> system_libs.Which:
    return lambda name: f"/usr/bin/{name}" if name == tool else None


def test_the_real_loader_tells_present_from_absent() -> None:
    assert loadable("libc.so.6")
    assert not loadable("libno-such-library-for-moderator.so.9")


def test_missing_libraries_give_the_apt_command() -> None:
    problem = xcb_problem({}, fake_loader(ABSENT), only("apt-get"), "linux", root=False)
    assert problem == (
        "Qt's X11 platform plugin needs system libraries that are missing"
        " (libxcb-cursor.so.0, libxcb-shm.so.0, libxkbcommon-x11.so.0); install them with:"
        " sudo apt-get install libxcb-cursor0 libxcb-shm0 libxkbcommon-x11-0"
    )


def test_dnf_names_fedora_packages_once() -> None:
    sonames = ["libxcb-cursor.so.0", "libxcb-shm.so.0", "libxcb-randr.so.0", "libxcb-icccm.so.4"]
    assert install_command(sonames, only("dnf"), root=False) == (
        "sudo dnf install libxcb xcb-util-cursor xcb-util-wm"
    )
    neither = install_command(["libxcb-icccm.so.4"], only("pacman"), root=False)
    assert neither == (
        "Debian/Ubuntu: sudo apt-get install libxcb-icccm4;"
        " Fedora/RHEL: sudo dnf install xcb-util-wm"
    )


@pytest.mark.parametrize(
    ("environ", "platform", "xcb"),
    [
        ({}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({}, "darwin", False),
        ({}, "win32", False),
    ],
)
def test_only_an_xcb_start_is_checked(environ: dict[str, str], platform: str, xcb: bool) -> None:
    assert uses_xcb(environ, platform) is xcb
    everything_missing = fake_loader(set(system_libs.XCB_LIBRARIES))
    assert (xcb_problem(environ, everything_missing, only("apt-get"), platform) is None) is not xcb


def test_console_start_prints_the_command_and_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(system_libs.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(system_libs, "loadable", fake_loader({"libxcb-cursor.so.0"}))
    monkeypatch.setattr(system_libs.shutil, "which", only("apt-get"))
    monkeypatch.setattr(system_libs, "is_root", lambda: False)
    assert cli.main(["--demo", "--data-dir", str(tmp_path), "--quit-after", "0"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("moderator: error: Qt's X11 platform plugin needs")
    assert line.endswith("install them with: sudo apt-get install libxcb-cursor0")


def test_root_is_not_told_to_use_sudo() -> None:
    assert install_command(["libxcb-cursor.so.0"], only("apt-get"), root=True) == (
        "apt-get install libxcb-cursor0"
    )


def test_no_display_is_one_line_not_qts_abort() -> None:
    from moderator.system_libs import display_opens, display_problem

    problem = display_problem({}, "linux", opens=lambda display: False)
    assert problem is not None and problem.startswith("no display could be opened")
    assert "DISPLAY is not set" in problem and "xcb-cursor" not in problem
    shut = display_problem({"DISPLAY": ":99"}, "linux", opens=lambda display: False)
    assert shut is not None and "DISPLAY=:99" in shut
    assert display_problem({"DISPLAY": ":0"}, "linux", opens=lambda display: True) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert not display_opens(None)
    assert not display_opens(":987")  # no X server there


def test_console_start_without_a_display_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(system_libs.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(system_libs, "loadable", fake_loader(set()))  # every library is there
    assert cli.main(["--demo", "--data-dir", str(tmp_path), "--quit-after", "0"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("moderator: error: no display could be opened (DISPLAY is not set)")
