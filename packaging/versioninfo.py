"""The VERSIONINFO resource of moderator.exe (Explorer's Details tab), from the package version."""

from __future__ import annotations

from typing import Any


def windows_version_info(version: str, app_name: str, exe_name: str) -> Any:
    """A PyInstaller VSVersionInfo: product name, version and file description."""
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = tuple(int(part) for part in (version.split(".") + ["0"] * 4)[:4])
    strings = {
        "CompanyName": app_name,
        "FileDescription": app_name,
        "FileVersion": version,
        "InternalName": exe_name,
        "OriginalFilename": f"{exe_name}.exe",
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
