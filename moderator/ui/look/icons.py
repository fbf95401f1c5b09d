"""Icons from resources/icons/*.svg, tinted to any colour and cached as pixmaps."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from moderator import resources
from moderator.ui.look import theme


@lru_cache(maxsize=64)
def _renderer(name: str) -> QSvgRenderer:
    return QSvgRenderer(str(resources.path("icons", f"{name}.svg")))


@lru_cache(maxsize=512)
def _tinted(name: str, size: int, rgba: int, ratio: float) -> QPixmap:
    pixels = max(1, round(size * ratio))
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _renderer(name).render(painter, QRectF(0, 0, pixels, pixels))
    # The SVGs are single-colour shapes: paint the colour through their alpha.
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(pixmap.rect(), QColor.fromRgba(rgba))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def pixmap(name: str, size: int, colour: QColor, ratio: float = 1.0) -> QPixmap:
    """resources/icons/<name>.svg at `size` logical pixels in `colour` (cached)."""
    return _tinted(name, size, colour.rgba(), ratio)


def icon(name: str, colour: QColor | None = None) -> QIcon:
    """A toolbar/menu icon; disabled state drawn dimmer."""
    colour = colour or theme.TEXT
    result = QIcon()
    for size in (16, 24, 32, 48):
        result.addPixmap(pixmap(name, size, colour), QIcon.Mode.Normal)
        result.addPixmap(pixmap(name, size, theme.TEXT_DIM.darker(150)), QIcon.Mode.Disabled)
    return result


def app_icon() -> QIcon:
    """The application icon (full colour, not tinted)."""
    return QIcon(str(resources.path("icons", "app.svg")))
