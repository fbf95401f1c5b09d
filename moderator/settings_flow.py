"""The settings and secrets flow: the saved settings file, and what the host saves in the
settings dialog or the setup assistant going to QSettings and the keyring.

The console (app.py) applies what this stores to the running parts; `moderator
connect-number` reads the same file. The demo stores nothing: its settings are the session's.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings

from moderator import credentials
from moderator.credentials import Credentials
from moderator.messages import Messages
from moderator.settings import Settings
from moderator.ui.shell.settings_dialog import Secrets, SettingsEdit
from moderator.ui.shell.settings_store import load_settings, save_settings

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.ini"


def settings_file(data_dir: Path) -> QSettings:
    """The console's settings file in `data_dir` (INI, so a host can read it)."""
    return QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)


def saved_settings(data_dir: Path) -> Settings:
    """The console's saved settings (defaults when there is no settings file yet)."""
    if not (data_dir / SETTINGS_FILE).exists():
        return Settings()
    return load_settings(settings_file(data_dir))


class SettingsFlow:
    """The saved settings of one console, and the one path that stores what the host saved."""

    def __init__(self, data_dir: Path, messages: Messages, *, demo: bool) -> None:
        self.store = settings_file(data_dir)
        self.settings = load_settings(self.store)
        self.demo = demo
        self._messages = messages

    def read_secrets(self) -> Secrets:
        """What the settings dialog shows in its secret fields (the demo's are not the host's)."""
        if self.demo:
            return Secrets()
        return Secrets(
            credentials.read_secret(credentials.AUTH_TOKEN_ENTRY) or "",
            credentials.read_secret(credentials.API_SECRET_ENTRY) or "",
        )

    def save(self, edit: SettingsEdit) -> Credentials | None:
        """Settings to QSettings and secrets to the keyring; the credentials they now give.

        What the keyring could not keep (no keyring, or it failed) is still the host's for
        this session: calls work now, and the message said how to keep them. None in the
        demo, which stores nothing and keeps its own credentials.
        """
        if self.demo:
            return None
        save_settings(self.store, edit.settings)
        self._store_secrets(edit)
        loaded = credentials.load(edit.settings.account_sid, edit.settings.api_key)
        return credentials.with_session_secrets(
            loaded,
            edit.secrets.auth_token if edit.token_editable else "",
            edit.secrets.api_secret if edit.secret_editable else "",
        )

    def _store_secrets(self, edit: SettingsEdit) -> None:
        """Write the secrets the host could edit to the keyring; say where they went, or why not."""
        if not credentials.keyring_available():
            if edit.token_editable and edit.secrets.auth_token:
                log.warning("no system keyring: the secrets are kept for this session only")
                self._messages.warning(credentials.NO_KEYRING)
            return
        try:
            if edit.token_editable:
                credentials.write_secret(credentials.AUTH_TOKEN_ENTRY, edit.secrets.auth_token)
            if edit.secret_editable:
                credentials.write_secret(credentials.API_SECRET_ENTRY, edit.secrets.api_secret)
        except credentials.SecretStoreError as exc:
            log.error("%s", exc)
            self._messages.error(str(exc))
            return
        if edit.token_editable and edit.secrets.auth_token:
            self._messages.info(credentials.where_token_went())
