"""Bugs and start-up mistakes reach the host in a window when there is no terminal."""

from __future__ import annotations

import logging
import logging.handlers
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from moderator.app import ConsoleOptions, run_console
from moderator.ui.shell import crash_dialog
from moderator.ui.shell.crash_dialog import CrashReporter, has_terminal, report_startup_error


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "moderator.log"
    handler = logging.handlers.RotatingFileHandler(path, encoding="utf-8")  # as setup_logging
    root = logging.getLogger()
    root.addHandler(handler)
    yield path
    root.removeHandler(handler)
    handler.close()


@pytest.fixture
def reporter(qloop: qasync.QEventLoop, themed: QApplication) -> Iterator[CrashReporter]:
    made = CrashReporter()
    made.install(qloop)
    yield made
    made.uninstall()
    if made.dialog is not None:
        made.dialog.close()


class Broken(QObject):
    @qasync.asyncSlot()
    async def act(self) -> None:
        raise ValueError("the roster lost Alice")


def test_a_bug_in_an_async_slot_opens_a_dialog(
    qtbot: Any, reporter: CrashReporter, log_file: Path
) -> None:
    Broken().act()
    qtbot.waitUntil(lambda: reporter.dialog is not None, timeout=3000)
    dialog = reporter.dialog
    assert dialog is not None and dialog.isVisible()
    intro = dialog.findChild(QLabel, "dialogHeading")
    assert intro is not None
    assert "ValueError: the roster lost Alice" in intro.text()
    assert str(log_file) in intro.text()
    assert "Traceback" in dialog.text.toPlainText()
    assert dialog.copy_button.text() == "Copy details"
    dialog.copy_button.click()
    assert dialog.isVisible()  # copying does not close it
    copied = QGuiApplication.clipboard().text()
    assert str(log_file) in copied and "raise ValueError" in copied
    assert "the roster lost Alice" in log_file.read_text()


def test_excepthook_and_loop_errors_share_one_dialog(
    qtbot: Any, reporter: CrashReporter, qloop: qasync.QEventLoop
) -> None:
    try:
        raise RuntimeError("first")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    qloop.call_exception_handler(
        {"message": "Task exception was never retrieved", "exception": KeyError("second")}
    )
    dialog = reporter.dialog
    assert dialog is not None
    text = dialog.text.toPlainText()
    assert "RuntimeError: first" in text
    assert "KeyError" in text and "never retrieved" in text  # added, not a second dialog


def test_reporter_restores_the_previous_hooks(qloop: qasync.QEventLoop) -> None:
    before = sys.excepthook
    made = CrashReporter()
    made.install(qloop)
    assert sys.excepthook == made.excepthook
    made.uninstall()
    assert sys.excepthook is before
    assert qloop.get_exception_handler() is None


def test_no_terminal_in_a_windowed_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert has_terminal()
    monkeypatch.setattr(sys, "stderr", None)
    assert not has_terminal()


class Shown:
    """Records the message boxes that would be shown (exec would wait for a click)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []

        def exec_(box: QMessageBox) -> int:
            self.texts.append(box.text())
            return 0

        monkeypatch.setattr(QMessageBox, "exec", exec_)


def test_a_startup_error_without_terminal_is_a_message_box(
    monkeypatch: pytest.MonkeyPatch, themed: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = Shown(monkeypatch)
    report_startup_error("port 8080 is taken")
    assert shown.texts == [] and "port 8080 is taken" in capsys.readouterr().err
    monkeypatch.setattr(crash_dialog, "has_terminal", lambda: False)
    report_startup_error("port 8080 is taken")
    assert shown.texts == ["port 8080 is taken"]


def test_a_taken_port_in_a_windowed_executable(
    monkeypatch: pytest.MonkeyPatch, themed: QApplication, tmp_path: Path
) -> None:
    shown = Shown(monkeypatch)
    monkeypatch.setattr(sys, "stderr", None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = run_console(ConsoleOptions(port=port, data_dir=tmp_path))
    assert status == 2
    assert len(shown.texts) == 1 and str(port) in shown.texts[0]
