"""Asks for the host's attention when someone waits or knocks and the window is not active."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

log = logging.getLogger(__name__)

MESSAGE_MS = 8000


class Attention(QObject):
    """A tray notification saying who; clicking it brings the window forward.

    Without a system tray (some Linux desktops, Xvfb) the taskbar entry flashes instead
    (QApplication.alert), so nothing depends on the tray being there.
    """

    def __init__(self, window: QWidget, tray: QSystemTrayIcon | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.tray = tray
        if self.tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(window.windowIcon(), self)
            self.tray.setToolTip(window.windowTitle())
            self.tray.show()
        if self.tray is not None:
            self.tray.messageClicked.connect(self.bring_forward)
        self.last: tuple[str, str] | None = None  # (title, text) of the last request, for tests

    def request(self, title: str, text: str) -> bool:
        """Tell the host, unless they are looking at the window already; True when told."""
        if self._window.isActiveWindow():
            return False
        self.last = (title, text)
        if self.tray is not None and self.tray.isVisible():
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS)
        else:
            QApplication.alert(self._window)
        log.info("attention: %s: %s", title, text)
        return True

    def bring_forward(self) -> None:
        window = self._window
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
