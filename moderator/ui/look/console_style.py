"""The application-wide look: Fusion with the app's own icons, the dark palette, the style sheet."""

from __future__ import annotations

from PySide6.QtCore import QDir
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from moderator import resources
from moderator.ui.look import icons, theme

SP = QStyle.StandardPixmap

# Dialog buttons and message boxes would otherwise show the platform theme's icons, which
# clash with the toolbar's: these are drawn from resources/icons in the theme's colours.
STOCK_ICONS: dict[QStyle.StandardPixmap, tuple[str, QColor]] = {
    SP.SP_DialogOkButton: ("check", theme.TEXT),
    SP.SP_DialogYesButton: ("check", theme.TEXT),
    SP.SP_DialogApplyButton: ("check", theme.TEXT),
    SP.SP_DialogSaveButton: ("check", theme.TEXT),
    SP.SP_DialogCancelButton: ("close", theme.TEXT),
    SP.SP_DialogNoButton: ("close", theme.TEXT),
    SP.SP_DialogCloseButton: ("close", theme.TEXT),
    SP.SP_DialogDiscardButton: ("close", theme.TEXT),
    SP.SP_MessageBoxWarning: ("warning", theme.HOLD),
    SP.SP_MessageBoxCritical: ("error", theme.ERROR),
    SP.SP_MessageBoxInformation: ("info", theme.ACCENT),
    SP.SP_MessageBoxQuestion: ("help", theme.ACCENT),
}


class ConsoleStyle(QProxyStyle):
    """Fusion underneath; only the stock icons are replaced."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def standardIcon(
        self,
        standardIcon: QStyle.StandardPixmap,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> QIcon:
        own = STOCK_ICONS.get(standardIcon)
        if own is not None:
            name, colour = own
            return icons.icon(name, colour)
        return super().standardIcon(standardIcon, option, widget)


THEMED = "moderatorThemed"  # application property: the theme is already applied


ICON_SEARCH_PREFIX = "icons"  # the style sheet names its images url(icons:NAME.svg)


def apply_theme(app: QApplication) -> None:
    """Fusion with the app's icons, the dark palette and resources/style.qss, app-wide."""
    icons_dir = resources.path("icons", "app.svg").parent
    QDir.setSearchPaths(ICON_SEARCH_PREFIX, [str(icons_dir)])
    app.setStyle(ConsoleStyle())
    app.setPalette(theme.palette())
    app.setStyleSheet(resources.read_text("style.qss"))
    app.setProperty(THEMED, True)


def ensure_theme() -> None:
    """Apply the theme once, if the app has not (the tiles are painted for a dark window)."""
    app = QApplication.instance()
    if isinstance(app, QApplication) and not app.property(THEMED):
        apply_theme(app)
