"""The composed console in-process: the demo fills the window; closing it stops every part."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QSettings

from moderator import credentials
from moderator.app import Console, ConsoleOptions
from moderator.credentials import Credentials
from moderator.settings import Settings
from moderator.settings_flow import SETTINGS_FILE
from moderator.store.journal import Journal
from moderator.ui.grid.dial_out_dialog import CALLING
from moderator.ui.shell.settings_dialog import Secrets, SettingsEdit
from moderator.ui.shell.settings_store import load_settings

from ..conftest import MemoryKeyring


def test_closing_the_window_shuts_everything_down(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    console = Console(demo(tmp_path))
    task = qloop.create_task(console.run())
    qtbot.waitUntil(
        lambda: console.window is not None and console.window.isVisible(), timeout=10000
    )
    qtbot.waitUntil(
        lambda: any(c.headcount >= 4 for c in console.roster.conferences()), timeout=10000
    )
    window, server, simulator = console.window, console.server, console.simulator
    assert window is not None and server is not None and simulator is not None
    qtbot.waitUntil(lambda: window.participants.rowCount() == 4)  # the next display frame

    window.close()  # what the host does: the close button
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()
    assert not window.isVisible()
    assert server.stats.failed == 0
    assert console.journal is None  # closed
    journal = Journal.in_dir(tmp_path)
    assert journal.callback_count() > 0
    journal.close()


CLOSED_PORT = "http://127.0.0.1:9"  # refuses at once: no test talks to the real Twilio


@contextmanager
def console_running(
    qtbot: Any, qloop: qasync.QEventLoop, options: ConsoleOptions
) -> Iterator[Console]:
    """The console started with `options`, its window shown; asked to quit and stopped after."""
    console = Console(options)
    task = qloop.create_task(console.run())
    qtbot.waitUntil(
        lambda: console.window is not None and console.window.isVisible(), timeout=10000
    )
    yield console
    console.request_quit()
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()


def demo(tmp_path: Path) -> ConsoleOptions:
    return ConsoleOptions(port=0, data_dir=tmp_path, demo=True, demo_speed=20)


@pytest.fixture
def running(qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path) -> Iterator[Console]:
    """A console whose REST calls go nowhere (a closed local port), its window shown."""
    options = ConsoleOptions(port=0, data_dir=tmp_path, twilio_api_url=CLOSED_PORT)
    with console_running(qtbot, qloop, options) as console:
        yield console


def test_what_start_up_built_is_left_out_of_garbage_collection(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """A full collection walks every object alive: after start-up (a replayed journal of
    100,000 callbacks) that froze the window for 300 ms in the middle of a meeting."""
    options = ConsoleOptions(port=0, data_dir=tmp_path, twilio_api_url=CLOSED_PORT)
    with console_running(qtbot, qloop, options):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_saved_settings_apply_while_running(running: Console) -> None:
    """A new tunnel URL or conference name takes effect without a restart."""
    console = running
    assert console.window is not None and console.server is not None
    settings = replace(
        console.settings, public_url="https://moderator.example.ngrok.app/", conference_name="Board"
    )
    console.window.settings_edited.emit(SettingsEdit(settings, Secrets()))
    assert console.server.callback_url == (
        "https://moderator.example.ngrok.app/twilio/conference-events"
    )
    assert console.server.conference_name == "Board"
    assert "ngrok.app" in console.window.status.listening.text()


def test_saved_settings_are_stored_and_applied_once(
    running: Console, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """One path: the app writes QSettings and the keyring, reloads credentials, applies once."""
    console = running
    window, moderator = console.window, console.moderator
    assert window is not None and moderator is not None
    applied: list[Settings] = []
    given: list[Credentials] = []
    real_settings, real_credentials = moderator.update_settings, moderator.update_credentials

    def update_settings(settings: Settings) -> None:
        applied.append(settings)
        real_settings(settings)

    def update_credentials(creds: Credentials) -> None:
        given.append(creds)
        real_credentials(creds)

    moderator.update_settings = update_settings  # type: ignore[method-assign]
    moderator.update_credentials = update_credentials  # type: ignore[method-assign]
    sid = "AC" + "a" * 32
    settings = replace(console.settings, account_sid=sid, caller_id="+15005550006")
    window.settings_edited.emit(SettingsEdit(settings, Secrets("token-123", "secret-456")))
    assert applied == [settings]
    assert [(c.account_sid, c.auth_token) for c in given] == [(sid, "token-123")]
    assert window.settings == settings
    saved = QSettings(str(tmp_path / SETTINGS_FILE), QSettings.Format.IniFormat)
    assert load_settings(saved) == settings
    assert memory_keyring.entries[(credentials.KEYRING_SERVICE, "auth-token")] == "token-123"
    assert memory_keyring.entries[(credentials.KEYRING_SERVICE, "api-secret")] == "secret-456"
    assert credentials.KEYRING_SERVICE in window.status.currentMessage()
    assert "token-123" not in (tmp_path / SETTINGS_FILE).read_text()


class FailingKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("locked")


def test_keyring_failure_is_a_message_not_a_crash(running: Console) -> None:
    import keyring

    keyring.set_keyring(FailingKeyring())  # the autouse fixture restores the previous backend
    assert running.window is not None
    running.window.settings_edited.emit(SettingsEdit(running.settings, Secrets("token-123", "")))
    error = running.window.status.error.text()
    assert "could not save the secret" in error and "token-123" not in error


def test_the_demo_stores_nothing(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with console_running(qtbot, qloop, demo(tmp_path)) as console:
        assert console.window is not None
        settings = replace(console.settings, conference_name="Board")
        console.window.settings_edited.emit(SettingsEdit(settings, Secrets("token-123", "")))
        assert memory_keyring.entries == {}
        assert console.settings == settings and console.window.settings == settings
    saved = QSettings(str(tmp_path / SETTINGS_FILE), QSettings.Format.IniFormat)
    assert load_settings(saved) == Settings()


def test_add_participant_works_in_the_demo(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """The demo presets the simulated account's number as caller ID: dialling out just works."""
    with console_running(qtbot, qloop, demo(tmp_path)) as console:
        dial_a_wrong_number_then_a_right_one(qtbot, console)


def dial_a_wrong_number_then_a_right_one(qtbot: Any, console: Console) -> None:
    window = console.window
    assert window is not None
    qtbot.waitUntil(lambda: window.participants.rowCount() >= 2, timeout=10000)
    assert console.settings.caller_id.startswith("+")
    window.dial_out_action.trigger()
    dialog = window.controller.dial_out_dialog
    assert dialog is not None
    # A number the form accepts but Twilio refuses (no +1 area code starts with 1): the dialog
    # stays open with Twilio's answer beside what was typed, nothing lost.
    dialog.number.setText("+11235550177")
    dialog.label.setText("Dora")
    dialog.call_button.click()
    assert dialog.call_button.text() == CALLING
    qtbot.waitUntil(lambda: "not a valid phone number" in dialog.problem.text(), timeout=10000)
    assert dialog.isVisible() and dialog.number.isEnabled() and dialog.call_button.isEnabled()
    assert (dialog.number.text(), dialog.label.text()) == ("+11235550177", "Dora")
    dialog.number.setText("+14155550177")
    dialog.call_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    qtbot.waitUntil(
        lambda: any(
            window.participants.index(row).data() == "Dora"
            for row in range(window.participants.rowCount())
        ),
        timeout=10000,
    )
    assert "caller ID" not in window.status.error.text()


def test_a_console_without_the_demo_does_not_load_the_simulator() -> None:
    """The simulator's modules (about 50 ms of a start's imports) load only for --demo."""
    code = (
        "import sys, moderator.app, moderator.commands.console;"
        " print([m for m in sys.modules if m.startswith(('moderator.sim', 'moderator.demo'))])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
