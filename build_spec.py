"""Builds the standalone console with PyInstaller: `python build_spec.py [--onefile|--onedir]`.

The whole build is defined here: `main()` runs PyInstaller on packaging/moderator.spec, a
three-line shim that calls `define_build()` below inside PyInstaller's build process.
See docs/BUILDING.md for the flags, the figures measured and what a host does on first run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
SPEC = ROOT / "packaging" / "moderator.spec"
ENTRY = ROOT / "packaging" / "launcher.py"
RESOURCES = ROOT / "resources"
APP_SVG = RESOURCES / "icons" / "app.svg"
EXE_NAME = "moderator"
BUNDLE_ID = "org.twilio-moderator.console"
# macOS ends a program that asks for the microphone without a reason to show the user. The console
# records nothing; the text is there so that a library (or a later feature) asking cannot crash it.
MICROPHONE_USE = (
    "Conference Moderator does not record audio. "
    "macOS shows this only if a component asks to use the microphone."
)

# Modules that are imported by name at run time, which PyInstaller cannot see: keyring finds its
# backends through entry points (PyInstaller's keyring hook then adds the backends and metadata).
HIDDEN_IMPORTS = ["keyring", "keyring.backends"]

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


def twilio_rest_unused() -> list[str]:
    """twilio.rest.<domain> packages outside TWILIO_REST_USED."""
    import twilio.rest

    rest = Path(twilio.rest.__file__).parent
    return sorted(
        f"twilio.rest.{item.name}"
        for item in rest.iterdir()
        if (item / "__init__.py").exists() and item.name not in TWILIO_REST_USED
    )


EXCLUDES = [
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
# The savings on the Linux one-file size are measured in docs/BUILDING.md.
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


def data_files() -> list[tuple[str, str]]:
    """Everything the app loads at run time: the resources folder (icons, styles) as 'resources'."""
    return [(str(RESOURCES), "resources")]


def app_icon(out_dir: Path) -> str | None:
    """The icon PyInstaller embeds: .ico on Windows, .icns on macOS, none on Linux (no format)."""
    suffix = {"win32": ".ico", "darwin": ".icns"}.get(sys.platform)
    if suffix is None or not APP_SVG.exists():
        return None
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "icons.py"), str(APP_SVG), str(out_dir)],
        check=True,
    )
    return str(out_dir / f"moderator{suffix}")


def windows_version_info(version: str, app_name: str) -> Any:
    """The VERSIONINFO resource of moderator.exe (Explorer's Details tab)."""
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = tuple(int(part) for part in (version.split(".") + ["0"] * 4)[:4])
    strings = {
        "CompanyName": app_name,
        "FileDescription": app_name,
        "FileVersion": version,
        "InternalName": EXE_NAME,
        "OriginalFilename": f"{EXE_NAME}.exe",
        "ProductName": app_name,
        "ProductVersion": version,
    }
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            vi.StringFileInfo(
                [vi.StringTable("040904B0", [vi.StringStruct(k, v) for k, v in strings.items()])]
            ),
            vi.VarFileInfo([vi.VarStruct("Translation", [0x0409, 1200])]),
        ],
    )


def is_unused(dest: str) -> bool:
    dest = dest.replace("\\", "/")
    return any(dest.startswith(prefix) for prefix in QT_FILES_UNUSED)


def without_unused(binaries: list[Any]) -> list[Any]:
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
    print(f"build_spec: leaving out {len(dropped)} unused Qt files and libraries")
    return [entry for entry in binaries if real(entry[1]) not in dropped]


def define_build(argv: list[str], *, workpath: str) -> None:
    """The spec itself; only callable inside PyInstaller's build (see packaging/moderator.spec)."""
    from PyInstaller.building.api import COLLECT, EXE, PYZ
    from PyInstaller.building.build_main import Analysis
    from PyInstaller.building.osx import BUNDLE

    sys.path.insert(0, str(ROOT))  # the editable install's import hook is invisible to PyInstaller
    from moderator import APP_NAME, __version__

    parser = argparse.ArgumentParser(prog="moderator.spec")
    parser.add_argument("--onedir", action="store_true")
    parser.add_argument("--keep-unused", action="store_true")
    args = parser.parse_args(argv)
    onedir = args.onedir

    analysis = Analysis(
        [str(ENTRY)],
        pathex=[str(ROOT)],
        datas=data_files(),
        hiddenimports=HIDDEN_IMPORTS,
        excludes=[] if args.keep_unused else [*EXCLUDES, *twilio_rest_unused()],
        noarchive=False,
    )
    if not args.keep_unused:
        analysis.binaries = without_unused(analysis.binaries)
        analysis.datas = [entry for entry in analysis.datas if not is_unused(entry[0])]
    pyz = PYZ(analysis.pure)
    options: dict[str, Any] = {
        "name": EXE_NAME,
        "console": False,  # logs go to a file under platformdirs.user_log_path (moderator.logs)
        "icon": app_icon(Path(workpath) / "icons"),
        "version": windows_version_info(__version__, APP_NAME) if sys.platform == "win32" else None,
        "upx": False,
        "strip": sys.platform.startswith("linux"),
    }
    if onedir:
        exe = EXE(pyz, analysis.scripts, exclude_binaries=True, **options)
        collected = COLLECT(
            exe, analysis.binaries, analysis.datas, name=EXE_NAME, strip=options["strip"]
        )
        if sys.platform == "darwin":
            BUNDLE(
                collected,
                name=f"{APP_NAME}.app",
                icon=options["icon"],
                bundle_identifier=BUNDLE_ID,
                version=__version__,
                info_plist={"NSMicrophoneUsageDescription": MICROPHONE_USE},
            )
    else:
        EXE(pyz, analysis.scripts, analysis.binaries, analysis.datas, **options)


def output_path(distpath: Path, onedir: bool) -> Path:
    """The file a host runs."""
    suffix = ".exe" if sys.platform == "win32" else ""
    if onedir:
        return distpath / EXE_NAME / f"{EXE_NAME}{suffix}"
    return distpath / f"{EXE_NAME}{suffix}"


def tree_size(path: Path) -> int:
    """Bytes of a file, or of the files under a folder (symbolic links not counted twice)."""
    if path.is_file():
        return path.stat().st_size
    return sum(
        (Path(folder) / name).lstat().st_size
        for folder, _, names in os.walk(path)
        for name in names
        if not (Path(folder) / name).is_symlink()
    )


def build(
    distpath: Path, workpath: Path, *, onedir: bool, clean: bool = False, keep_unused: bool = False
) -> Path:
    """Runs PyInstaller; returns the path of the built executable."""
    import PyInstaller.__main__

    args = [str(SPEC), "--noconfirm", "--distpath", str(distpath), "--workpath", str(workpath)]
    if clean:
        args.append("--clean")
    spec_args = (["--onedir"] if onedir else []) + (["--keep-unused"] if keep_unused else [])
    args += ["--", *spec_args] if spec_args else []
    PyInstaller.__main__.run(args)
    return output_path(distpath, onedir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python build_spec.py", description="Build the standalone console with PyInstaller."
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--onefile",
        dest="onedir",
        action="store_false",
        help="one self-extracting executable (default on Windows and Linux)",
    )
    mode.add_argument(
        "--onedir",
        dest="onedir",
        action="store_true",
        help="a folder with the executable and its libraries; starts faster "
        "(default on macOS, where it is wrapped in a .app bundle)",
    )
    parser.set_defaults(onedir=sys.platform == "darwin")
    parser.add_argument("--distpath", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument("--workpath", type=Path, default=ROOT / "build", help="default: build/")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument(
        "--keep-unused",
        action="store_true",
        help="skip the excludes (to check whether a missing module or plugin is the problem)",
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    exe = build(
        args.distpath,
        args.workpath,
        onedir=args.onedir,
        clean=args.clean,
        keep_unused=args.keep_unused,
    )
    seconds = time.monotonic() - started
    size = tree_size(exe.parent if args.onedir else exe)
    print(f"built {exe} ({size / 1e6:.1f} MB) in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
