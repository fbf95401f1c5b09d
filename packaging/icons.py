"""Renders the app's SVG icon into the per-platform icon files: .ico (Windows), .icns (macOS), .png.

resources/icons/app.svg is the one source; the three files it gives are checked in under
resources/executable/ (the spec embeds them, Linux's .desktop entry names the PNG). After a change
to the SVG, one command renders them again (`make icons`):
    python packaging/icons.py [APP.svg OUTDIR]
Both containers hold PNG-compressed images, which Windows Vista+ and macOS 10.7+ read.
tests/test_resources.py fails when the checked-in files no longer match the SVG.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_SVG = ROOT / "resources" / "icons" / "app.svg"
OUT_DIR = ROOT / "resources" / "executable"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types whose payload may be a PNG, by pixel size (ic11-ic14 are the @2x variants).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"icp6", 64),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),
    (b"ic09", 512),
    (b"ic14", 512),
    (b"ic10", 1024),
)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn into a transparent size x size PNG."""
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file: ICONDIR, one ICONDIRENTRY per size, then the PNG payloads."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, payload = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        payload += png
        offset += len(png)
    return header + entries + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: 'icns' + total length, then (type, length, PNG) elements."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(svg: Path, out_dir: Path) -> dict[str, Path]:
    """Writes moderator.ico, moderator.icns and moderator.png (256 px); returns them by suffix."""
    from PySide6.QtGui import QGuiApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    sizes = sorted(set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: render_png(svg, size) for size in sizes}
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        ".ico": ico_bytes({size: pngs[size] for size in ICO_SIZES}),
        ".icns": icns_bytes(pngs),
        ".png": pngs[256],
    }
    written = {}
    for suffix, data in files.items():
        path = out_dir / f"moderator{suffix}"
        path.write_bytes(data)
        written[suffix] = path
    del app
    return written


def main(argv: list[str]) -> int:
    if len(argv) not in (0, 2):
        print("usage: python packaging/icons.py [APP.svg OUTDIR]", file=sys.stderr)
        return 2
    svg, out_dir = (Path(argv[0]), Path(argv[1])) if argv else (APP_SVG, OUT_DIR)
    for path in write_icons(svg, out_dir).values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
