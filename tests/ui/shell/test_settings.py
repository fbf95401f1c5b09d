"""Settings dialog round-trip: QSettings for settings, the (in-memory) keyring for secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
)

from moderator import credentials
from moderator.settings import SETTINGS, Page, Settings
from moderator.ui.bridge import RosterBridge
from moderator.ui.shell.main_window import MainWindow
from moderator.ui.shell.settings_dialog import Secrets, SettingsDialog, SettingsEdit
from moderator.ui.shell.settings_store import load_settings, save_settings

from ..conftest import MemoryKeyring

SID = "AC" + "a" * 32
KEY = "SK" + "b" * 32


def ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def type_into(dialog: SettingsDialog, key: str, value: object) -> None:
    """What the host does in a setting's field: tick it, set its number or type its text."""
    editor = dialog.editors[key]
    if isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QSpinBox | QDoubleSpinBox):
        editor.setValue(value)  # type: ignore[arg-type]
    else:
        assert isinstance(editor, QLineEdit)
        editor.setText(str(value))


def edit(dialog: SettingsDialog) -> None:
    dialog.auth_token.setText("token-123")
    dialog.api_secret.setText("secret-456")
    for key, value in {
        "account_sid": SID,
        "api_key": KEY,
        "public_url": "https://abc.ngrok.app/",
        "port": 9090,
        "conference_name": "Board",
        "caller_id": "+15005550006",
        "rest_concurrency": 20,
        "auto_mute_enabled": True,
        "auto_mute_delay": 45,
        "mute_on_entry": True,
        "hold_music_url": "https://example.com/hold.mp3",
    }.items():
        type_into(dialog, key, value)


EDITED = Settings(
    account_sid=SID,
    api_key=KEY,
    public_url="https://abc.ngrok.app",
    port=9090,
    conference_name="Board",
    caller_id="+15005550006",
    rest_concurrency=20,
    auto_mute_enabled=True,
    auto_mute_delay=45.0,
    mute_on_entry=True,
    hold_music_url="https://example.com/hold.mp3",
)


def test_dialog_round_trip(qtbot: Any, themed: QApplication, tmp_path: Path) -> None:
    dialog = SettingsDialog(Settings(), Secrets(), env={})
    qtbot.addWidget(dialog)
    edit(dialog)
    settings, secrets = dialog.values()
    assert settings == EDITED
    assert secrets == Secrets("token-123", "secret-456")
    store = ini(tmp_path)
    save_settings(store, settings)
    assert load_settings(ini(tmp_path)) == EDITED  # a fresh QSettings reads the file back
    again = SettingsDialog(load_settings(ini(tmp_path)), secrets, env={})
    qtbot.addWidget(again)
    assert again.values() == (EDITED, secrets)
    assert "token-123" not in (tmp_path / "settings.ini").read_text()


def test_connect_panel_shows_the_urls_and_twiml(qtbot: Any, themed: QApplication) -> None:
    dialog = SettingsDialog(Settings(), Secrets(), env={})
    qtbot.addWidget(dialog)
    panel = dialog.connect_panel
    assert "No public URL" in panel.warning.text()
    dialog.public_url.setText("https://abc.ngrok.app/")
    dialog.conference_name.setText("Board")
    assert panel.callback_url.text() == "https://abc.ngrok.app/twilio/conference-events"
    assert panel.voice_url.text() == "https://abc.ngrok.app/twilio/voice"
    twiml = panel.twiml.toPlainText()
    assert 'statusCallback="https://abc.ngrok.app/twilio/conference-events"' in twiml
    assert 'statusCallbackEvent="start end join leave mute hold' in twiml
    assert ">Board</Conference>" in twiml
    assert panel.warning.text() == ""


def test_bad_account_sid_blocks_saving(qtbot: Any, themed: QApplication) -> None:
    dialog = SettingsDialog(Settings(), Secrets(), env={})
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    dialog.account_sid.setText("AC123")
    assert not save.isEnabled() and "Account SID" in dialog.account_problem.text()
    dialog.account_sid.setText(SID)
    assert save.isEnabled()


def test_environment_wins_and_its_secrets_are_not_shown(qtbot: Any, themed: QApplication) -> None:
    env = {credentials.ENV_AUTH_TOKEN: "from-env"}
    dialog = SettingsDialog(Settings(), Secrets("stored-token", ""), env=env)
    qtbot.addWidget(dialog)
    assert not dialog.auth_token.isEnabled()
    assert dialog.auth_token.text() == ""
    assert dialog.secrets_editable() == (False, True)


def test_keyring_storage_and_env_precedence(memory_keyring: MemoryKeyring) -> None:
    credentials.write_secret(credentials.AUTH_TOKEN_ENTRY, "kept")
    assert memory_keyring.entries == {(credentials.KEYRING_SERVICE, "auth-token"): "kept"}
    loaded = credentials.load(SID, "", env={})
    assert (loaded.account_sid, loaded.auth_token) == (SID, "kept")
    assert loaded.can_call_rest
    env = {credentials.ENV_AUTH_TOKEN: "env-token", credentials.ENV_ACCOUNT_SID: "AC" + "e" * 32}
    loaded = credentials.load(SID, "", env=env)
    assert (loaded.account_sid, loaded.auth_token) == ("AC" + "e" * 32, "env-token")
    assert "env-token" not in repr(loaded)
    credentials.write_secret(credentials.AUTH_TOKEN_ENTRY, "")
    assert memory_keyring.entries == {}
    assert credentials.load(SID, "", env={}).auth_token is None
    where = credentials.where_token_went(env={})
    assert credentials.KEYRING_SERVICE in where and "keyring" in where
    assert credentials.ENV_AUTH_TOKEN in credentials.where_token_went(env=env)


def test_the_window_only_emits_what_the_host_saved(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    bridge: RosterBridge,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    """Views emit; the app stores (QSettings, keyring) and applies: see test_console_app."""
    store = ini(tmp_path)
    window = MainWindow(
        bridge, None, Settings(), settings_store=store, read_secrets=lambda: Secrets("old", "")
    )
    qtbot.addWidget(window)
    emitted: list[SettingsEdit] = []
    window.settings_edited.connect(emitted.append)
    window.open_settings()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.auth_token.text() == "old"
    edit(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert emitted == [SettingsEdit(EDITED, Secrets("token-123", "secret-456"))]
    assert memory_keyring.entries == {}  # nothing written by the view
    assert load_settings(ini(tmp_path)) == Settings()
    assert window.settings == Settings()  # the app says what is in effect (set_settings)


def test_keyring_availability(memory_keyring: MemoryKeyring) -> None:
    import keyring
    from keyring.backends import fail

    assert credentials.keyring_available()
    keyring.set_keyring(fail.Keyring())
    assert not credentials.keyring_available()


def test_how_to_connect_shows_where_the_running_console_listens(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge
) -> None:
    # Started with --port 0 (or --port N, or --public-url): the saved settings say 8080.
    window = MainWindow(bridge, None, Settings(port=8080))
    qtbot.addWidget(window)
    window.set_listening("http://127.0.0.1:40307/twilio/conference-events")
    window.open_settings()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    panel = dialog.connect_panel
    assert panel.callback_url.text() == "http://127.0.0.1:40307/twilio/conference-events"
    assert panel.voice_url.text() == "http://127.0.0.1:40307/twilio/voice"
    assert "ngrok http 40307" in panel.warning.text()
    # the server tab says the port it really listens on (the demo's any-free-port too)
    hints = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(text.startswith("Listening on port 40307 now.") for text in hints)
    dialog.port.setValue(9000)  # an edit shows what the next start will use
    assert panel.callback_url.text() == "http://127.0.0.1:9000/twilio/conference-events"
    dialog.reject()


def test_how_to_connect_follows_a_public_url_from_the_command_line(
    qtbot: Any, themed: QApplication
) -> None:
    live = "https://tunnel.example.com/console/twilio/conference-events"
    dialog = SettingsDialog(Settings(), Secrets(), env={}, live_callback_url=live)
    qtbot.addWidget(dialog)
    panel = dialog.connect_panel
    assert panel.callback_url.text() == live
    assert panel.voice_url.text() == "https://tunnel.example.com/console/twilio/voice"
    assert f'statusCallback="{live}"' in panel.twiml.toPlainText()
    assert panel.warning.text() == ""


def test_the_demo_says_demo_in_the_status_bar_and_title(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge
) -> None:
    window = MainWindow(bridge, None)
    qtbot.addWidget(window)
    window.show()
    assert not window.status.demo.isVisible()
    window.set_demo(True)
    assert window.status.demo.isVisible() and window.status.demo.text() == "Demo"
    assert window.windowTitle().endswith("Demo")


def test_the_rest_concurrency_saved_under_its_old_name_is_read(tmp_path: Path) -> None:
    """`bulk_concurrency` was renamed `rest_concurrency` (it caps every REST call): a value an
    older version saved is still the host's."""
    (tmp_path / "settings.ini").write_text("[console]\nbulk_concurrency=7\n", encoding="utf-8")
    assert load_settings(ini(tmp_path)).rest_concurrency == 7
    save_settings(ini(tmp_path), load_settings(ini(tmp_path)))
    assert "rest_concurrency=7" in (tmp_path / "settings.ini").read_text(encoding="utf-8")


def test_the_dialog_builds_a_row_for_each_declared_setting(
    qtbot: Any, themed: QApplication
) -> None:
    """moderator/settings.py declares each setting once: the dialog's pages follow the list."""
    dialog = SettingsDialog(Settings(), Secrets(), env={})
    qtbot.addWidget(dialog)
    shown = [declared for declared in SETTINGS if declared.page is not Page.HIDDEN]
    assert set(dialog.editors) == {declared.key for declared in shown}
    for declared in shown:
        editor = dialog.editors[declared.key]
        assert editor.toolTip() == declared.tooltip, declared.key
        page = editor.parentWidget()
        assert dialog.tabs.tabText(dialog.tabs.indexOf(page)) == declared.page.value
        form = page.layout()
        assert isinstance(form, QFormLayout)
        label = form.labelForField(editor)
        assert (label.text() if isinstance(label, QLabel) else "") == declared.label
    # a row that depends on a switch follows it
    delay = dialog.editors["auto_mute_delay"]
    assert not delay.isEnabled()
    type_into(dialog, "auto_mute_enabled", True)
    assert delay.isEnabled()
    # an emptied conference name means the default one
    type_into(dialog, "conference_name", "  ")
    assert dialog.values()[0].conference_name == "TeamMeeting"


def test_every_declared_setting_is_saved_and_read_back(tmp_path: Path) -> None:
    changed = Settings(
        **{
            declared.key: {str: "x", int: 3, float: 2.5, bool: True}[declared.type]
            for declared in SETTINGS
        }
    )
    assert all(getattr(changed, d.key) != d.default for d in SETTINGS)
    save_settings(ini(tmp_path), changed)
    assert load_settings(ini(tmp_path)) == changed


def test_the_captions_switch_is_off_and_says_twilio_charges(
    qtbot: Any, themed: QApplication
) -> None:
    dialog = SettingsDialog(Settings(), Secrets(), env={})
    qtbot.addWidget(dialog)
    switch = dialog.editors["captions"]
    assert isinstance(switch, QCheckBox) and not switch.isChecked()
    assert "Twilio charges per minute" in switch.text()
    assert dialog.tabs.tabText(dialog.tabs.indexOf(switch.parentWidget())) == "Moderation"
    type_into(dialog, "captions", True)
    assert dialog.values()[0].captions is True
