"""The settings dialog: Twilio account, server, moderation rules, and how to connect."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from moderator import credentials
from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH
from moderator.settings import SETTINGS, Page, Setting, Settings, on_page
from moderator.ui.plain_text import plain_label
from moderator.ui.setup.connect_panel import ConnectPanel

ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
API_KEY = re.compile(r"^SK[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class Secrets:
    """What goes to the keyring; an empty string means "none stored"."""

    auth_token: str = dataclasses.field(default="", repr=False)
    api_secret: str = dataclasses.field(default="", repr=False)


@dataclass(frozen=True)
class SettingsEdit:
    """What the host saved in the dialog; the app stores it (QSettings, keyring) and applies it.

    A secret whose field the environment controls is not editable and must not be written.
    """

    settings: Settings
    secrets: Secrets
    token_editable: bool = True
    secret_editable: bool = True


def _editor(declared: Setting, value: object) -> QWidget:
    """The field a setting is edited in: a check box, a number box or a line of text."""
    editor: QWidget
    if declared.type is bool:
        editor = QCheckBox(declared.text)
        editor.setChecked(bool(value))
    elif declared.type is int:
        editor = QSpinBox()
        editor.setRange(int(declared.minimum), int(declared.maximum))
        editor.setSuffix(declared.suffix)
        editor.setValue(cast(int, value))
    elif declared.type is float:
        editor = QDoubleSpinBox()
        editor.setRange(declared.minimum, declared.maximum)
        editor.setSuffix(declared.suffix)
        editor.setValue(cast(float, value))
    else:
        editor = QLineEdit(str(value))
        editor.setPlaceholderText(declared.placeholder)
    editor.setToolTip(declared.tooltip)
    return editor


def _value_of(declared: Setting, editor: QWidget) -> Any:
    """What the host left in a setting's field, as the setting's type."""
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        return editor.value()
    text = cast(QLineEdit, editor).text().strip()
    if declared.base_url:
        text = text.rstrip("/")
    return text or (declared.default if declared.blank_is_default else "")


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
    return field


class SettingsDialog(QDialog):
    """Edits a copy of the settings and secrets; `values()` reads them back after accept()."""

    def __init__(
        self,
        settings: Settings,
        secrets: Secrets,
        *,
        env: Mapping[str, str] | None = None,
        live_callback_url: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`live_callback_url`: the statusCallback URL of the running console (its real port
        and public URL, which the command line may have set); shown while the host has not
        edited the port or public URL."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(620)
        self._original = settings
        self._live_base = (
            live_callback_url.removesuffix(CONFERENCE_EVENTS_PATH) if live_callback_url else None
        )
        self._env = dict(os.environ if env is None else env)
        overrides = credentials.environment_overrides(self._env)
        self.tabs = QTabWidget()
        # every declared setting's field, by key, built from moderator/settings.py's list
        self.editors: dict[str, QWidget] = {}
        pages = {page: self._page(page, settings) for page in Page if page is not Page.HIDDEN}
        self.account_sid = cast(QLineEdit, self.editors["account_sid"])
        self.api_key = cast(QLineEdit, self.editors["api_key"])
        self.public_url = cast(QLineEdit, self.editors["public_url"])
        self.port = cast(QSpinBox, self.editors["port"])
        self.conference_name = cast(QLineEdit, self.editors["conference_name"])

        # ---- Twilio account: the secrets, each after the SID it goes with ----
        self.auth_token = _password_field()
        self.auth_token.setText(secrets.auth_token)
        self.api_secret = _password_field()
        self.api_secret.setText(secrets.api_secret)
        self.show_secrets = QCheckBox("Show secrets")
        self.show_secrets.toggled.connect(self._show_secrets)
        self.account_problem = plain_label()
        self.account_problem.setObjectName("warning")
        form = pages[Page.ACCOUNT]
        form.insertRow(1, "Auth Token", self.auth_token)
        form.addRow("API key secret", self.api_secret)
        for env_name, field in (
            (credentials.ENV_ACCOUNT_SID, self.account_sid),
            (credentials.ENV_AUTH_TOKEN, self.auth_token),
            (credentials.ENV_API_KEY, self.api_key),
            (credentials.ENV_API_SECRET, self.api_secret),
        ):
            if env_name in overrides:
                field.setEnabled(False)
                field.setToolTip(f"{env_name} is set in the environment and wins over this field")
                field.setPlaceholderText(f"set by {env_name}")
                if field.echoMode() != QLineEdit.EchoMode.Normal:
                    field.clear()  # never show a secret that came from the environment
        where = QLabel(
            f"The Auth Token and API secret are kept in the system keyring "
            f"({credentials.keyring_name()}) under the service “{credentials.KEYRING_SERVICE}”, "
            f"never in the settings file. Environment variables (TWILIO_ACCOUNT_SID, "
            f"TWILIO_AUTH_TOKEN, TWILIO_API_KEY, TWILIO_API_SECRET) win over what is entered here."
        )
        where.setObjectName("hint")
        where.setWordWrap(True)
        if not credentials.keyring_available():
            where.setObjectName("warning")
            where.setText(
                "No system keyring is available here, so the Auth Token cannot be saved: set "
                "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN in the environment instead."
            )
        form.addRow("", self.show_secrets)
        form.addRow(self.account_problem)
        form.addRow(where)

        # ---- server: where it really listens, and when a change takes effect ----
        live_port = urlsplit(self._live_base).port if self._live_base else None
        self.live_port = live_port
        restart_text = "A new port or public URL takes effect the next time the console starts."
        if live_port is not None and live_port != settings.port:
            # --port, --port 0 or the demo (any free port): say where it really listens
            restart_text = f"Listening on port {live_port} now. " + restart_text
        restart = QLabel(restart_text)
        restart.setObjectName("hint")
        restart.setWordWrap(True)
        pages[Page.SERVER].addRow(restart)

        # ---- how to connect ----
        self.connect_panel = ConnectPanel()
        self.tabs.addTab(self.connect_panel, "How to connect")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)

        for field in (self.public_url, self.conference_name, self.account_sid, self.api_key):
            field.textChanged.connect(self._refresh)
        self.port.valueChanged.connect(self._refresh)
        self._refresh()

    def _page(self, page: Page, settings: Settings) -> QFormLayout:
        """A tab with a row for each setting declared on `page`, in declaration order."""
        tab = QWidget()
        form = QFormLayout(tab)
        for declared in on_page(page):
            editor = _editor(declared, getattr(settings, declared.key))
            self.editors[declared.key] = editor
            form.addRow(declared.label, editor)
            if declared.enabled_by:
                switch = cast(QCheckBox, self.editors[declared.enabled_by])
                editor.setEnabled(switch.isChecked())
                switch.toggled.connect(editor.setEnabled)
        self.tabs.addTab(tab, page.value)
        return form

    def _show_secrets(self, show: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if show else QLineEdit.EchoMode.PasswordEchoOnEdit
        self.auth_token.setEchoMode(mode)
        self.api_secret.setEchoMode(mode)

    def _refresh(self) -> None:
        edited = (
            self.public_url.text().strip().rstrip("/") != self._original.public_url
            or self.port.value() != self._original.port
        )
        self.connect_panel.update_for(
            self.public_url.text(),
            self.port.value(),
            self.conference_name.text().strip(),
            live_base=None if edited else self._live_base,
        )
        problems = []
        sid = self.account_sid.text().strip()
        if sid and not ACCOUNT_SID.match(sid):
            problems.append("The Account SID is AC followed by 32 hex digits.")
        key = self.api_key.text().strip()
        if key and not API_KEY.match(key):
            problems.append("An API key SID is SK followed by 32 hex digits.")
        self.account_problem.setText(" ".join(problems))
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not problems)

    def values(self) -> tuple[Settings, Secrets]:
        """The edited settings (unknown fields kept as they were) and secrets."""
        settings = dataclasses.replace(
            self._original,
            **{
                declared.key: _value_of(declared, self.editors[declared.key])
                for declared in SETTINGS
                if declared.key in self.editors
            },
        )
        secrets = Secrets(self.auth_token.text().strip(), self.api_secret.text().strip())
        return settings, secrets

    def edit(self) -> SettingsEdit:
        """Everything the host saved, for the app to store and apply."""
        settings, secrets = self.values()
        token_editable, secret_editable = self.secrets_editable()
        return SettingsEdit(settings, secrets, token_editable, secret_editable)

    def secrets_editable(self) -> tuple[bool, bool]:
        """Whether the token and the API secret fields are the user's (not set by environment)."""
        return self.auth_token.isEnabled(), self.api_secret.isEnabled()
