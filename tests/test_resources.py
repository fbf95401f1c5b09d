"""resources/: the app's files as the package moderator.resources, and the executable's own files
(icons per platform, version info, the Linux .desktop entry) with one source each."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import struct
from pathlib import Path
from types import ModuleType

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from moderator import APP_NAME, __version__, resources

ROOT = Path(__file__).resolve().parents[1]
EXECUTABLE = ROOT / "resources" / "executable"


def _packaging(name: str) -> ModuleType:
    """A build module of packaging/ (a folder, not a package: the spec puts it on the path)."""
    spec = importlib.util.spec_from_file_location(
        f"packaging_{name}", ROOT / "packaging" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _distance(png_a: bytes, png_b: bytes) -> int:
    """The largest difference of one colour channel between two same-sized images."""
    a, b = QImage.fromData(png_a), QImage.fromData(png_b)
    assert (a.width(), a.height()) == (b.width(), b.height())
    return max(
        abs(((a.pixel(x, y) >> shift) & 0xFF) - ((b.pixel(x, y) >> shift) & 0xFF))
        for x in range(0, a.width(), max(1, a.width() // 64))
        for y in range(0, a.height(), max(1, a.height() // 64))
        for shift in (0, 8, 16, 24)
    )


def _ico_images(data: bytes) -> dict[int, bytes]:
    _, _, count = struct.unpack_from("<HHH", data)
    images = {}
    for index in range(count):
        side, _, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        images[side or 256] = data[offset : offset + length]
    return images


def _icns_images(data: bytes) -> dict[bytes, bytes]:
    images, at = {}, 8
    while at < len(data):
        kind, length = data[at : at + 4], struct.unpack_from(">I", data, at + 4)[0]
        images[kind] = data[at + 8 : at + length]
        at += length
    return images


def test_the_package_is_the_top_level_resources_folder() -> None:
    """A checkout (editable install) reads the style sheet and icons from resources/, which is
    the package moderator.resources (pyproject.toml's package-dir), not a folder in moderator/."""
    style, icon = resources.path("style.qss"), resources.path("icons", "mic.svg")
    assert style.parent.name == "resources" and (style.parent.parent / "pyproject.toml").is_file()
    assert icon.parent == style.parent / "icons"
    assert resources.read_text("style.qss") == style.read_text(encoding="utf-8")
    assert not (ROOT / "moderator" / "resources").exists()


def test_the_checked_in_app_icons_are_rendered_from_the_svg(qapp: QApplication) -> None:
    """moderator.ico/.icns/.png are app.svg rendered: after a change to the SVG, `make icons`."""
    icons = _packaging("icons")
    svg = ROOT / "resources" / "icons" / "app.svg"
    stale = "resources/executable/ no longer matches resources/icons/app.svg: run `make icons`"
    png = (EXECUTABLE / "moderator.png").read_bytes()
    assert _distance(png, icons.render_png(svg, 256)) <= 8, stale
    ico = _ico_images((EXECUTABLE / "moderator.ico").read_bytes())
    assert sorted(ico) == list(icons.ICO_SIZES)
    assert _distance(ico[32], icons.render_png(svg, 32)) <= 8, stale
    icns = _icns_images((EXECUTABLE / "moderator.icns").read_bytes())
    assert list(icns) == [kind for kind, _ in icons.ICNS_TYPES]
    assert _distance(icns[b"ic10"], icons.render_png(svg, 1024)) <= 8, stale


def test_the_version_info_is_the_packages_version(tmp_path: Path) -> None:
    """The filled-in template is a PyInstaller version file (an expression of its classes, whose
    module needs Windows' pefile: here each class is a recorder) with the package's version."""
    path = _packaging("versioninfo").write_version_file(
        tmp_path, __version__, APP_NAME, "moderator"
    )
    calls: dict[str, list[tuple[tuple[object, ...], dict[str, object]]]] = {}

    def recorder(name: str) -> object:
        return lambda *args, **kwargs: calls.setdefault(name, []).append((args, kwargs))

    classes = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct")
    namespace = {name: recorder(name) for name in (*classes, "VarFileInfo", "VarStruct")}
    eval(Path(path).read_text(encoding="utf-8"), namespace)  # what PyInstaller does with it
    strings = dict(args for args, _ in calls["StringStruct"])
    assert strings["ProductVersion"] == strings["FileVersion"] == __version__
    assert strings["ProductName"] == APP_NAME and strings["OriginalFilename"] == "moderator.exe"
    numbers = tuple(int(part) for part in __version__.split("."))
    ((_, fixed),) = calls["FixedFileInfo"]
    assert fixed["filevers"] == fixed["prodvers"] == (*numbers, 0, 0, 0, 0)[:4]


def test_the_desktop_entry_starts_the_console_with_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(EXECUTABLE / "moderator.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Name"], desktop["Terminal"]) == (
        "Application",
        APP_NAME,
        "false",
    )
    # the executable's name (packaging/moderator.spec) and the icon copied next to it
    assert desktop["Exec"] == "moderator" and desktop["Icon"] == "moderator"
    assert (EXECUTABLE / f"{desktop['Icon']}.png").is_file()


def test_the_typing_stub_says_what_the_package_has() -> None:
    """mypy reads moderator/resources.pyi (it cannot follow package-dir): the same public functions,
    arguments and return types as resources/__init__.py."""

    def signatures(path: Path) -> dict[str, str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return {
            node.name: ast.unparse(node.args) + " -> " + ast.unparse(node.returns or ast.Constant())
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
        }

    stub = signatures(ROOT / "moderator" / "resources.pyi")
    assert stub == signatures(ROOT / "resources" / "__init__.py")
    assert set(stub) == {"path", "read_text"}
