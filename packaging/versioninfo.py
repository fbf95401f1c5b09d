"""The VERSIONINFO resource of moderator.exe: resources/executable/version-info.txt, filled in.

The template holds the resource's shape; the version and names come from the package, so the
version has one source (moderator.__version__).
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "resources" / "executable" / "version-info.txt"


def version_info_text(version: str, app_name: str, exe_name: str) -> str:
    """The template with the version (four numbers for the fixed part) and names filled in."""
    numbers = tuple(int(part) for part in (version.split(".") + ["0"] * 4)[:4])
    return TEMPLATE.read_text(encoding="utf-8").format(
        numbers=numbers, version=version, name=app_name, exe=exe_name
    )


def write_version_file(out_dir: Path, version: str, app_name: str, exe_name: str) -> str:
    """Writes the filled-in file under out_dir (the build's work folder); returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "version-info.txt"
    path.write_text(version_info_text(version, app_name, exe_name), encoding="utf-8")
    return str(path)
