"""Bugs and start-up failures shown in a window, because a windowed executable has no stderr."""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from moderator import APP_NAME
from moderator.logs import BackgroundFileHandler
from moderator.ui.dialogs import DetailsDialog, message_box

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


def log_file_path() -> Path | None:
    """The file the root logger writes to (setup_logging's rotating file, behind its
    background writer), if any."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler | BackgroundFileHandler):
            return Path(handler.baseFilename)
    return None


def has_terminal() -> bool:
    """Whether a message on stderr reaches someone: not in a windowed (frozen) executable."""
    stream = sys.stderr
    if stream is None:
        return False
    if getattr(sys, "frozen", False):
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False
    return True


def startup_error_box(message: str) -> QMessageBox:
    """The message box for a start-up mistake (taken port, unwritable data dir)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    return message_box(None, "error", f"{APP_NAME} cannot start", message)


def report_startup_error(message: str) -> None:
    """One line on stderr, or a message box when there is no terminal to read it on."""
    if has_terminal():
        print(f"moderator: error: {message}", file=sys.stderr)
        return
    log.error("cannot start: %s", message)
    startup_error_box(message).exec()  # before (or after) the event loop: nothing else runs


class CrashReporter(QObject):
    """Catches what nobody handled (sys.excepthook, which qasync's asyncSlot calls for a failed
    slot, and asyncio's exception handler) and shows it: the message, the log file's path and
    Copy details. One dialog at a time; later errors are added to its details.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parent = parent
        self.dialog: DetailsDialog | None = None
        self._previous_hook: ExceptHook | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._previous_hook = sys.excepthook
        sys.excepthook = self.excepthook
        if loop is not None:
            self._loop = loop
            loop.set_exception_handler(self.loop_exception)

    def uninstall(self) -> None:
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None
        if self._loop is not None:
            self._loop.set_exception_handler(None)
            self._loop = None

    def excepthook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.critical("unhandled error", exc_info=(kind, error, tb))
        details = "".join(traceback.format_exception(kind, error, tb))
        self.show(f"{kind.__name__}: {error}", details)

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        message = str(context.get("message", "asyncio error"))
        if not isinstance(error, Exception):
            loop.default_exception_handler(context)  # warnings like an unclosed resource
            return
        log.critical("unhandled error in the event loop: %s", message, exc_info=error)
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.show(f"{type(error).__name__}: {error}", f"{message}\n{details}")

    def show(self, summary: str, details: str) -> None:
        """Open the dialog (window-modal, no nested event loop) or add to the open one."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.append(details)
            return
        where = log_file_path()
        logged = f"Details were written to {where}." if where else "The log could not be written."
        dialog = DetailsDialog(
            f"{APP_NAME}: something went wrong",
            f"{APP_NAME} error report" + (f" (log: {where})" if where else "") + f"\n{details}",
            self._parent,
            intro=f"The console hit a bug: {summary}\n{logged}",
        )
        dialog.copy_button.setText("Copy details")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()

    def _closed(self) -> None:
        self.dialog = None
