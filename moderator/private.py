"""Callers' numbers and names stay the user's: data and log folders 0700, their files 0600.

The journal, the address book, the settings, the logs, the window layout and the reports hold
who called and when. The `moderator` process runs with umask 077, so every file and folder it
creates is private (SQLite's -wal and -shm, a rotated log, a saved report included); folders
and files left from an earlier version with wider modes are narrowed at start. Modes only lose
bits here (never gain them), and only on POSIX systems (Windows keeps per-user folders).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
UMASK = 0o077
POSIX = os.name == "posix"


def default_data_dir() -> Path:
    """The data folder when no --data-dir is given (kept here, not in app.py, so that finding
    it imports nothing heavy: the journal's check starts before Qt is imported)."""
    import platformdirs

    from moderator import APP_NAME

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def keep_private() -> None:
    """From now on this process creates files 0600 and folders 0700 (the process's umask)."""
    if POSIX:
        os.umask(UMASK)


def narrow(path: Path, mode: int) -> None:
    """Take from `path` every permission bit `mode` does not have (a missing path: nothing)."""
    if not POSIX:
        return
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
        if current & ~mode and not path.is_symlink():
            path.chmod(current & mode)
    except FileNotFoundError:
        return
    except OSError as exc:  # not ours (a shared folder): say so, go on
        log.warning("could not make %s private: %s", path, exc)


def private_folder(folder: Path) -> Path:
    """Create `folder` if needed; it becomes 0700 and the files directly in it 0600."""
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    narrow(folder, FOLDER_MODE)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                narrow(Path(entry.path), FILE_MODE)
    return folder
