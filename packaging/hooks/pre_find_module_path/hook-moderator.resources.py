"""moderator.resources is the top-level resources/ (pyproject.toml's package-dir): look there.

PyInstaller finds a subpackage in its parent's folder (moderator/), and the editable install's
import hook that maps it is invisible to PyInstaller.
"""

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def pre_find_module_path(api: Any) -> None:
    # the folder that holds the package: PyInstaller looks for <search dir>/resources/__init__.py
    api.search_dirs = [str(ROOT)]
