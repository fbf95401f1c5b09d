"""What the bundle leaves out: unused Qt modules and files, test tools, unused twilio REST domains.

Used by packaging/moderator.spec inside PyInstaller's build process. The savings on the Linux
one-file size are measured in docs/BUILDING.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Qt modules the console does not use (it needs QtCore, QtGui, QtWidgets and QtSvg for the icons).
QT_UNUSED = [
    "QtNetwork",
    "QtDBus",
    "QtOpenGL",
    "QtOpenGLWidgets",
    "QtPrintSupport",
    "QtQml",
    "QtQuick",
    "QtQuickWidgets",
    "QtSql",
    "QtTest",
    "QtXml",
    "QtConcurrent",
    "QtHelp",
    "QtDesigner",
    "QtUiTools",
    "QtSvgWidgets",
    "QtStateMachine",
]
# The twilio SDK holds ~35 REST domains; Client imports each one lazily on first use. The console
# only calls the 2010 API (client.conferences, client.calls): the rest is 4.7 MB of the bundle.
TWILIO_REST_USED = {"api"}

MODULES_UNUSED = [
    *(f"PySide6.{name}" for name in QT_UNUSED),
    "tkinter",
    "_tkinter",
    "turtle",
    "idlelib",
    "lib2to3",
    "pydoc_data",
    # test and development tools that are installed in the same environment
    "pytest",
    "_pytest",
    "pytestqt",
    "pytest_aiohttp",
    "pytest_asyncio",
    "hypothesis",
    "mypy",
    "PyInstaller",
    "setuptools",
    "pkg_resources",
]
# Qt files the hooks collect that the console never loads (path prefixes inside the bundle).
QT_FILES_UNUSED = [
    "PySide6/Qt/translations/",  # the UI is English only and installs no QTranslator
    # platforms for embedded devices and remote displays; kept: xcb, wayland, offscreen, minimal
    "PySide6/Qt/plugins/platforms/libqeglfs",
    "PySide6/Qt/plugins/platforms/libqlinuxfb",
    "PySide6/Qt/plugins/platforms/libqminimalegl",
    "PySide6/Qt/plugins/platforms/libqvkkhrdisplay",
    "PySide6/Qt/plugins/platforms/libqvnc",
    "PySide6/Qt/plugins/egldeviceintegrations/",
    "PySide6/Qt/lib/libQt6EglFS",
    "PySide6/Qt/lib/libQt6EglFs",
    # evdev / TUIO touch input for embedded devices (TUIO pulls in QtNetwork and Kerberos)
    "PySide6/Qt/plugins/generic/",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin",
    # the GTK3 theme drags in GTK's own stack (cairo, pango, gdk-pixbuf, ...); the portal stays
    "PySide6/Qt/plugins/platformthemes/libqgtk3",
    # image formats: the icons are SVG (QtSvg) and PNG is built into QtGui
    "PySide6/Qt/plugins/imageformats/libqgif",
    "PySide6/Qt/plugins/imageformats/libqicns",
    "PySide6/Qt/plugins/imageformats/libqico",
    "PySide6/Qt/plugins/imageformats/libqjpeg",
    "PySide6/Qt/plugins/imageformats/libqpdf",
    "PySide6/Qt/plugins/imageformats/libqtga",
    "PySide6/Qt/plugins/imageformats/libqtiff",
    "PySide6/Qt/plugins/imageformats/libqwbmp",
    "PySide6/Qt/plugins/imageformats/libqwebp",
    "PySide6/Qt/lib/libQt6Pdf",
    # Wayland: the widgets draw into shared memory; GL buffer integrations and exotic shells go
    "PySide6/Qt/plugins/wayland-graphics-integration-client/",
    "PySide6/Qt/plugins/wayland-shell-integration/libfullscreen-shell",
    "PySide6/Qt/plugins/wayland-shell-integration/libivi-shell",
    "PySide6/Qt/plugins/wayland-shell-integration/libqt-shell",
    "PySide6/Qt/plugins/wayland-shell-integration/libwl-shell",
]


def twilio_rest_unused() -> list[str]:
    """twilio.rest.<domain> packages outside TWILIO_REST_USED."""
    import twilio.rest

    rest = Path(twilio.rest.__file__).parent
    return sorted(
        f"twilio.rest.{item.name}"
        for item in rest.iterdir()
        if (item / "__init__.py").exists() and item.name not in TWILIO_REST_USED
    )


def excludes() -> list[str]:
    """Every module the Analysis leaves out."""
    return [*MODULES_UNUSED, *twilio_rest_unused()]


def is_unused(dest: str) -> bool:
    dest = dest.replace("\\", "/")
    return any(dest.startswith(prefix) for prefix in QT_FILES_UNUSED)


def without_unused_datas(datas: list[Any]) -> list[Any]:
    return [entry for entry in datas if not is_unused(entry[0])]


def without_unused_binaries(binaries: list[Any]) -> list[Any]:
    """Drops QT_FILES_UNUSED and the libraries that only those files needed (e.g. GTK's stack)."""
    from PyInstaller.depend.bindepend import get_imports

    def real(path: str) -> str:
        return os.path.realpath(path)

    bundled = {real(src) for _, src, _ in binaries}

    def closure(roots: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            for _, dep in get_imports(todo.pop()):
                if dep and real(dep) in bundled and real(dep) not in seen:
                    seen.add(real(dep))
                    todo.append(real(dep))
        return seen

    removed = {real(src) for dest, src, _ in binaries if is_unused(dest)}
    suspects = closure(removed) - removed
    needed = closure(bundled - removed - suspects)
    dropped = removed | (suspects - needed)
    print(f"qt_prune: leaving out {len(dropped)} unused Qt files and libraries")
    return [entry for entry in binaries if real(entry[1]) not in dropped]
