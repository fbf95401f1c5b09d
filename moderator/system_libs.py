"""Linux: the system libraries Qt's X11 (xcb) platform plugin needs, which are missing, and the
one command that installs them, so a host sees that instead of Qt's "could not load xcb" abort."""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
from collections.abc import Callable, Mapping

# What the PySide6 wheel's libqxcb.so and libQt6XcbQpa.so link (readelf -d, NEEDED), plus the
# display libraries QtGui loads with it; sonames -> (Debian/Ubuntu package, Fedora/RHEL package).
XCB_LIBRARIES: dict[str, tuple[str, str]] = {
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
}

Loadable = Callable[[str], bool]
Which = Callable[[str], str | None]


def loadable(soname: str) -> bool:
    """Whether the dynamic loader finds and loads `soname`, as it will when Qt loads the plugin."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will try the xcb plugin: Linux, and neither another platform asked for nor a
    Wayland session (Qt tries its wayland plugin first there)."""
    if not platform.startswith("linux"):
        return False
    asked = environ.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(";")[0].split(":")[0] == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def missing_libraries(find: Loadable | None = None) -> list[str]:
    find = find or loadable
    return [soname for soname in XCB_LIBRARIES if not find(soname)]


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def install_command(
    sonames: list[str], which: Which | None = None, root: bool | None = None
) -> str:
    """The command that installs the packages holding `sonames`, for this system's package tool
    (with sudo unless the user is root already)."""
    which = which or shutil.which
    sudo = "" if (is_root() if root is None else root) else "sudo "
    debian = sorted({XCB_LIBRARIES[name][0] for name in sonames})
    fedora = sorted({XCB_LIBRARIES[name][1] for name in sonames})
    if which("apt-get"):
        return f"{sudo}apt-get install {' '.join(debian)}"
    if which("dnf"):
        return f"{sudo}dnf install {' '.join(fedora)}"
    return (
        f"Debian/Ubuntu: {sudo}apt-get install {' '.join(debian)}; "
        f"Fedora/RHEL: {sudo}dnf install {' '.join(fedora)}"
    )


def display_opens(display: str | None) -> bool:
    """Whether an X connection to `display` opens (libxcb's xcb_connect, as Qt's plugin does)."""
    if not display:
        return False
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # cannot tell: the missing library is reported on its own
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(connection) and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection:
            xcb.xcb_disconnect(connection)


def display_problem(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    opens: Callable[[str | None], bool] = display_opens,
) -> str | None:
    """One line when Qt would find no display to open (it aborts, exit 134, naming
    xcb-cursor0 even when that is installed); None when the window can open."""
    environ = os.environ if environ is None else environ
    if not uses_xcb(environ, platform or sys.platform):
        return None
    display = environ.get("DISPLAY")
    if opens(display):
        return None
    where = f"DISPLAY={display}" if display else "DISPLAY is not set"
    return (
        f"no display could be opened ({where}): start the console in a desktop session"
        " (or, for a script, with QT_QPA_PLATFORM=offscreen)"
    )


def xcb_problem(
    environ: Mapping[str, str] | None = None,
    find: Loadable | None = None,
    which: Which | None = None,
    platform: str | None = None,
    root: bool | None = None,
) -> str | None:
    """One line saying what is missing and how to install it; None when the window can open."""
    if not uses_xcb(os.environ if environ is None else environ, platform or sys.platform):
        return None
    missing = missing_libraries(find)
    if not missing:
        return None
    return (
        f"Qt's X11 platform plugin needs system libraries that are missing"
        f" ({', '.join(missing)}); install them with: {install_command(missing, which, root)}"
    )
