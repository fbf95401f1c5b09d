"""Builds the standalone console with PyInstaller: `python build_spec.py [--onefile|--onedir]`.

The build itself is the declarative spec packaging/moderator.spec (what is left out of it:
packaging/qt_prune.py); this driver passes the flags, and reports where the result is and its size.
See docs/BUILDING.md for the flags, the figures measured and what a host does on first run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SPEC = ROOT / "packaging" / "moderator.spec"


def output_path(distpath: Path, onedir: bool, *, debug: bool = False) -> Path:
    """The file a host runs."""
    name = "moderator-debug" if debug else "moderator"
    suffix = ".exe" if sys.platform == "win32" else ""
    if onedir:
        return distpath / name / f"{name}{suffix}"
    return distpath / f"{name}{suffix}"


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
    distpath: Path,
    workpath: Path,
    *,
    onedir: bool,
    clean: bool = False,
    keep_unused: bool = False,
    debug: bool = False,
) -> Path:
    """Runs PyInstaller on the spec; returns the path of the built executable."""
    import PyInstaller.__main__

    args = [str(SPEC), "--noconfirm", "--distpath", str(distpath), "--workpath", str(workpath)]
    if clean:
        args.append("--clean")
    flags = {"--onedir": onedir, "--keep-unused": keep_unused, "--debug": debug}
    spec_args = [flag for flag, on in flags.items() if on]
    args += ["--", *spec_args] if spec_args else []
    PyInstaller.__main__.run(args)
    return output_path(distpath, onedir, debug=debug)


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
        "--debug",
        action="store_true",
        help="moderator-debug: attached to a terminal (stderr, tracebacks visible), not stripped",
    )
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
        debug=args.debug,
    )
    seconds = time.monotonic() - started
    size = tree_size(exe.parent if args.onedir else exe)
    print(f"built {exe} ({size / 1e6:.1f} MB) in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
