"""The console's colours and its dark palette (the style that applies them: console_style)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

# One palette for painted tiles and the style sheet, so both read as one product.
WINDOW = QColor("#15171c")
SURFACE = QColor("#1d2027")
TILE = QColor("#252932")
TILE_HOVER = QColor("#2c313c")
BORDER = QColor("#343a46")
TEXT = QColor("#e8ebf1")
TEXT_DIM = QColor("#98a1b3")
ACCENT = QColor("#4f8cff")
SPEAKING = QColor("#34d399")
MUTED = QColor("#f05252")
HOLD = QColor("#f5a524")
PENDING = QColor("#c3cad8")
PRESENTER = QColor("#a78bfa")
COACH = QColor("#2dd4bf")
LIVE = QColor("#34d399")
ENDED = QColor("#6b7280")
WAITING = QColor("#f5a524")
ERROR = QColor("#f87171")

# Ten hues far enough apart to tell people apart at a glance (white initials on each).
AVATAR_COLOURS = tuple(
    QColor(c)
    for c in (
        "#5b8def",  # blue
        "#e0795b",  # coral
        "#4fb286",  # green
        "#b07ad9",  # violet
        "#d9a441",  # amber
        "#4aa8c9",  # cyan
        "#d9667f",  # rose
        "#8a9a3c",  # olive
        "#7c83e8",  # indigo
        "#c2703d",  # rust
    )
)


def palette() -> QPalette:
    """A dark palette matching the tile colours."""
    pal = QPalette()
    roles = QPalette.ColorRole
    pal.setColor(roles.Window, WINDOW)
    pal.setColor(roles.WindowText, TEXT)
    pal.setColor(roles.Base, SURFACE)
    pal.setColor(roles.AlternateBase, TILE)
    pal.setColor(roles.Text, TEXT)
    pal.setColor(roles.Button, TILE)
    pal.setColor(roles.ButtonText, TEXT)
    pal.setColor(roles.Highlight, ACCENT)
    pal.setColor(roles.HighlightedText, QColor("#ffffff"))
    pal.setColor(roles.ToolTipBase, SURFACE)
    pal.setColor(roles.ToolTipText, TEXT)
    pal.setColor(roles.PlaceholderText, TEXT_DIM)
    pal.setColor(roles.Link, ACCENT)
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, TEXT_DIM.darker(130))
    return pal
