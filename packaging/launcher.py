"""Entry script of the frozen executable: `moderator`, plus what a windowed build needs."""

from __future__ import annotations

import faulthandler
import os
import sys
from typing import IO

_crash_file: IO[str] | None = None  # kept open for faulthandler until the process ends


def _attach_windows_console() -> None:
    """A windowed (console=False) Windows program has no stdout: borrow the terminal it ran from.

    Without this `moderator.exe report` or `--help` typed in a terminal prints nothing; when there
    is no terminal (started from Explorer) the streams go to os.devnull so print() cannot fail.
    """
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream: IO[str] | None = None
    try:
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # type: ignore[attr-defined]  # parent's
            stream = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    except (AttributeError, OSError):
        stream = None
    stream = stream or open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


def _enable_faulthandler() -> None:
    """A hard crash (segfault in Qt, fatal Python error) leaves its traceback in the log folder."""
    global _crash_file
    from moderator.logs import default_log_dir

    try:
        log_dir = default_log_dir()
        log_dir.mkdir(parents=True, exist_ok=True)
        _crash_file = open(log_dir / "crash.log", "a", encoding="utf-8")  # noqa: SIM115
    except OSError:
        return
    faulthandler.enable(_crash_file)


def main() -> None:
    if getattr(sys, "frozen", False):
        if sys.platform == "win32":
            _attach_windows_console()
        _enable_faulthandler()
    from moderator.cli import entry

    entry()


if __name__ == "__main__":
    main()
