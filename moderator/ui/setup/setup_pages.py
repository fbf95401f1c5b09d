"""The setup assistant's pages: credentials, public URL, phone number, check."""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol, TypeVar

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from moderator import credentials
from moderator.credentials import Credentials
from moderator.settings import Settings
from moderator.setup.account import AccountInfo
from moderator.setup.errors import SetupError
from moderator.setup.ngrok_tunnel import EXTRA_HINT, sdk_available
from moderator.setup.numbers import PhoneNumber, VoiceUrlChange, points_here, voice_url_for
from moderator.setup.public_url import normalize_public_url
from moderator.setup.readiness import Readiness
from moderator.setup.service import SetupService
from moderator.ui.plain_text import plain_label
from moderator.ui.setup.connect_panel import ConnectPanel
from moderator.ui.shell.settings_dialog import ACCOUNT_SID, API_KEY, Secrets

T = TypeVar("T")


class SetupWizard(Protocol):
    """What the pages read and write on their wizard (setup_wizard.SetupWizard is the one)."""

    service: SetupService
    settings: Settings
    secrets: Secrets
    ngrok_authtoken: str
    credentials: Credentials | None
    account: AccountInfo | None
    public_url: str | None
    tunnel: str
    number: PhoneNumber | None

    def run_step(
        self,
        step: Coroutine[Any, Any, T],
        done: Callable[[T], None],
        failed: Callable[[str], None],
    ) -> None: ...


OK = "✓ "
FAIL = "✗ "


def _result_label() -> QLabel:
    label = plain_label()  # says what Twilio or the tunnel answered
    label.setWordWrap(True)
    label.setObjectName("hint")
    return label


def _show(label: QLabel, ok: bool | None, text: str) -> None:
    """A ✓/✗ line, coloured by the style sheet's hint/warning names."""
    prefix = {True: OK, False: FAIL, None: ""}[ok]
    label.setText(prefix + text)
    name = "warning" if ok is False else "hint"
    if label.objectName() != name:
        label.setObjectName(name)
        label.style().unpolish(label)
        label.style().polish(label)


def _secret_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def keyring_words(available: bool) -> str:
    """Where the assistant keeps the secrets, checked first as Settings does."""
    if available:
        return (
            f"Secrets are saved in the system keyring ({credentials.keyring_name()}) when you "
            "finish, never in a file."
        )
    return (
        "No system keyring is available here, so the Auth Token cannot be saved. The checked "
        "credentials are used for this session only. To keep them, set TWILIO_ACCOUNT_SID and "
        "TWILIO_AUTH_TOKEN in the environment (for example in ~/.profile) before starting."
    )


# ---- 1. credentials ------------------------------------------------------------------------


class CredentialsPage(QWizardPage):
    """Account SID + Auth Token (or API key + secret), checked live by fetching the Account."""

    def __init__(self, wizard: SetupWizard, env: Mapping[str, str] | None) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Your Twilio account")
        self.setSubTitle(
            "The Account SID and Auth Token are on the Twilio Console's front page. The Auth "
            "Token also checks that callbacks really come from Twilio, so it is needed even when "
            "an API key makes the REST calls."
        )
        env = dict(os.environ if env is None else env)
        found = credentials.from_environment(env)
        self.sid = QLineEdit(found.account_sid or wizard.settings.account_sid)
        self.sid.setPlaceholderText("AC followed by 32 hex digits")
        self.token = _secret_field()
        self.token.setText(found.auth_token or wizard.secrets.auth_token)
        self.api_key = QLineEdit(found.api_key or wizard.settings.api_key)
        self.api_key.setPlaceholderText("optional: SK…")
        self.api_secret = _secret_field()
        self.api_secret.setText(found.api_secret or wizard.secrets.api_secret)
        overrides = credentials.environment_overrides(env)
        for name, field in (
            (credentials.ENV_ACCOUNT_SID, self.sid),
            (credentials.ENV_AUTH_TOKEN, self.token),
            (credentials.ENV_API_KEY, self.api_key),
            (credentials.ENV_API_SECRET, self.api_secret),
        ):
            if name in overrides:
                field.setEnabled(False)
                field.setToolTip(f"{name} is set in the environment and wins")
        self.check_button = QPushButton("Check with Twilio")
        self.check_button.clicked.connect(self.check)
        self.result = _result_label()
        where = QLabel(keyring_words(credentials.keyring_available()))
        where.setObjectName("hint" if credentials.keyring_available() else "warning")
        where.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Account SID", self.sid)
        form.addRow("Auth Token", self.token)
        form.addRow("API key SID", self.api_key)
        form.addRow("API key secret", self.api_secret)
        form.addRow("", self.check_button)
        form.addRow(self.result)
        form.addRow(where)
        for field in (self.sid, self.token, self.api_key, self.api_secret):
            field.textChanged.connect(self._edited)

    def entered(self) -> Credentials:
        return Credentials(
            account_sid=self.sid.text().strip() or None,
            auth_token=self.token.text().strip() or None,
            api_key=self.api_key.text().strip() or None,
            api_secret=self.api_secret.text().strip() or None,
        )

    def secrets_editable(self) -> tuple[bool, bool]:
        return self.token.isEnabled(), self.api_secret.isEnabled()

    def initializePage(self) -> None:
        if self._wizard.account is None and self._problem() is None:
            self.check()  # everything is filled in already (a rerun): check it at once

    def _problem(self) -> str | None:
        creds = self.entered()
        if not creds.account_sid or not ACCOUNT_SID.match(creds.account_sid):
            return "The Account SID is AC followed by 32 hex digits."
        if not creds.auth_token:
            return "The Auth Token is needed: Twilio signs every callback with it."
        if creds.api_key and not API_KEY.match(creds.api_key):
            return "An API key SID is SK followed by 32 hex digits."
        if creds.api_key and not creds.api_secret:
            return "The API key needs its secret (or leave both empty)."
        return None

    def _edited(self) -> None:
        self._wizard.account = None
        self._wizard.credentials = None
        _show(self.result, None, "")
        self.completeChanged.emit()

    def check(self) -> None:
        problem = self._problem()
        if problem:
            _show(self.result, False, problem)
            return
        creds = self.entered()
        self.check_button.setEnabled(False)
        _show(self.result, None, "Asking Twilio…")
        self._wizard.run_step(
            self._wizard.service.check_credentials(creds),
            lambda account: self._checked(creds, account),
            self._failed,
        )

    def _checked(self, creds: Credentials, account: AccountInfo) -> None:
        self.check_button.setEnabled(True)
        if creds != self.entered():
            return  # edited while Twilio was asked: that answer is for other credentials
        self._wizard.credentials = creds
        self._wizard.account = account
        _show(self.result, True, f"{account.friendly_name}: {account.type} account")
        self.completeChanged.emit()

    def _failed(self, reason: str) -> None:
        self.check_button.setEnabled(True)
        _show(self.result, False, reason[:1].upper() + reason[1:])
        # The check button was disabled while Twilio was asked, so focus went on (to Cancel,
        # where Enter closes the assistant): put it back on what is most likely wrong.
        field = next((f for f in (self.token, self.sid) if f.isEnabled()), self.check_button)
        field.setFocus()
        if isinstance(field, QLineEdit):
            field.selectAll()

    def isComplete(self) -> bool:
        return self._wizard.account is not None


# ---- 2. public URL -------------------------------------------------------------------------


class PublicUrlPage(QWizardPage):
    """Three ways to a public URL, then GET {url}/healthz must reach this very console."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        port = wizard.service.context.local_port
        self.setTitle("A public URL for Twilio")
        self.setSubTitle(
            f"Twilio must reach this console, which listens on 127.0.0.1:{port}. Pick one way; "
            "the assistant then checks that the URL reaches this console and not another."
        )
        self.builtin = QRadioButton("Start a tunnel here (ngrok, started with the console)")
        self.agent = QRadioButton(f"Use my running ngrok agent (ngrok http {port})")
        self.paste = QRadioButton("Paste a URL (cloudflared, a reverse proxy with a path prefix…)")
        self.choice = QButtonGroup(self)
        for button in (self.builtin, self.agent, self.paste):
            self.choice.addButton(button)
        self.ngrok_token = _secret_field()
        self.ngrok_token.setText(wizard.ngrok_authtoken)
        self.ngrok_token.setPlaceholderText("ngrok authtoken (dashboard.ngrok.com)")
        self.start_button = QPushButton("Start tunnel")
        self.start_button.clicked.connect(self.start_tunnel)
        self.detect_button = QPushButton("Find it")
        self.detect_button.clicked.connect(self.detect_agent)
        self.pasted = QLineEdit(wizard.settings.public_url)
        self.pasted.setPlaceholderText("https://moderator.example.com/prefix")
        self.use_button = QPushButton("Check this URL")
        self.use_button.clicked.connect(self.use_pasted)
        self.result = _result_label()
        has_sdk = wizard.service.context.ngrok_sdk is not None or sdk_available()
        layout = QVBoxLayout(self)
        layout.addWidget(self.builtin)
        layout.addLayout(_row(self.ngrok_token, self.start_button))
        if not has_sdk:
            missing = QLabel(f"Needs the ngrok agent SDK: {EXTRA_HINT}")
            missing.setObjectName("hint")
            layout.addWidget(missing)
            for widget in (self.builtin, self.ngrok_token, self.start_button):
                widget.setEnabled(False)
        layout.addWidget(self.agent)
        layout.addLayout(_row(self.detect_button))
        layout.addWidget(self.paste)
        layout.addLayout(_row(self.pasted, self.use_button))
        layout.addWidget(self.result)
        layout.addStretch(1)
        (self.builtin if wizard.settings.tunnel == "ngrok" and has_sdk else self.paste).setChecked(
            True
        )
        self.choice.buttonToggled.connect(lambda *_: self._enable())
        self._enable()

    def authtoken(self) -> str:
        return self.ngrok_token.text().strip() if self._wizard.tunnel == "ngrok" else ""

    def _enable(self) -> None:
        if self.builtin.isEnabled():
            self.ngrok_token.setEnabled(self.builtin.isChecked())
            self.start_button.setEnabled(self.builtin.isChecked())
        self.detect_button.setEnabled(self.agent.isChecked())
        self.pasted.setEnabled(self.paste.isChecked())
        self.use_button.setEnabled(self.paste.isChecked())

    def start_tunnel(self) -> None:
        self._wizard.public_url = None
        self.completeChanged.emit()
        _show(self.result, None, "Starting the ngrok tunnel…")
        self._wizard.run_step(
            self._wizard.service.start_tunnel(self.ngrok_token.text().strip()),
            lambda url: self._verify(url, "ngrok"),
            self._failed,
        )

    def detect_agent(self) -> None:
        _show(self.result, None, "Asking the ngrok agent at 127.0.0.1:4040…")
        self._wizard.run_step(
            self._wizard.service.detect_agent(),
            lambda url: self._verify(url, ""),
            self._failed,
        )

    def use_pasted(self) -> None:
        try:
            url = normalize_public_url(self.pasted.text())
        except SetupError as exc:
            self._failed(str(exc))
            return
        self._verify(url, "")

    def _verify(self, url: str, tunnel: str) -> None:
        self._wizard.public_url = None
        self.completeChanged.emit()
        _show(self.result, None, f"Checking that {url} reaches this console…")
        self._wizard.run_step(
            self._wizard.service.verify(url),
            lambda _none: self._verified(url, tunnel),
            self._failed,
        )

    def _verified(self, url: str, tunnel: str) -> None:
        self._wizard.public_url = url
        self._wizard.tunnel = tunnel
        _show(self.result, True, f"{url} reaches this console")
        self.completeChanged.emit()

    def _failed(self, reason: str) -> None:
        _show(self.result, False, reason[:1].upper() + reason[1:])

    def isComplete(self) -> bool:
        return self._wizard.public_url is not None


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(24, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget, 1 if isinstance(widget, QLineEdit | QComboBox) else 0)
    if not any(isinstance(widget, QLineEdit | QComboBox) for widget in widgets):
        row.addStretch(1)
    return row


def voice_url_text(number: PhoneNumber, here: bool) -> str:
    """'Voice URL now: https://… (POST, this console)' or 'Voice URL now: none set'."""
    if not number.voice_url:
        return "Voice URL now: none set (calls to this number get Twilio's default answer)"
    method = number.voice_method or "POST"
    return f"Voice URL now: {number.voice_url} ({method}{', this console' if here else ''})"


# ---- 3. phone number -----------------------------------------------------------------------


class NumberPage(QWizardPage):
    """Point one of the account's numbers here (Disconnect restores it), or use own TwiML."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._numbers: list[PhoneNumber] = []
        self.setTitle("Your phone number")
        self.setSubTitle(
            "Calls to the number go to the console's Voice URL, which puts callers in the "
            "conference. The number's old Voice URL is kept in the journal: Disconnect puts it "
            "back."
        )
        self.connect_choice = QRadioButton("Connect a number of this account")
        self.own_twiml = QRadioButton("I use my own TwiML or Studio flow")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.connect_choice)
        self.choice.addButton(self.own_twiml)
        self.connect_choice.setChecked(True)
        self.numbers = QComboBox()
        self.voice_url = plain_label()  # the number's Voice URL, whatever it was set to
        self.voice_url.setWordWrap(True)
        self.connect_button = QPushButton("Connect")
        self.connect_button.clicked.connect(self.connect_number)
        self.disconnect_button = QPushButton("Disconnect")
        self.disconnect_button.setToolTip("Put back the Voice URL the number had before")
        self.disconnect_button.clicked.connect(self.disconnect_number)
        self.result = _result_label()
        self.snippet = ConnectPanel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.connect_choice)
        layout.addLayout(_row(self.numbers, self.connect_button, self.disconnect_button))
        layout.addWidget(self.voice_url)
        layout.addWidget(self.result)
        layout.addWidget(self.own_twiml)
        layout.addWidget(self.snippet, 1)
        layout.addStretch(1)  # keeps the lines together while the snippet is hidden
        self.numbers.currentIndexChanged.connect(lambda _i: self._show_selected())
        self.choice.buttonToggled.connect(lambda *_: self._enable())
        self._enable()

    def initializePage(self) -> None:
        public = self._wizard.public_url or ""
        port = self._wizard.service.context.local_port
        self.snippet.update_for(public, port, self._wizard.settings.conference_name, public)
        creds = self._wizard.credentials
        if creds is None:
            return
        _show(self.result, None, "Listing the account's numbers…")
        self._wizard.run_step(self._wizard.service.numbers(creds), self._listed, self._failed)

    def _listed(self, numbers: list[PhoneNumber]) -> None:
        self._numbers = numbers
        self.numbers.clear()
        for number in numbers:
            self.numbers.addItem(number.label(), number.sid)
        if not numbers:
            _show(self.result, False, "This account has no phone numbers: buy one in Twilio")
        else:
            _show(self.result, None, "")
            here = [i for i, n in enumerate(numbers) if self._points_here(n)]
            self.numbers.setCurrentIndex(here[0] if here else 0)
        self._show_selected()

    def selected(self) -> PhoneNumber | None:
        index = self.numbers.currentIndex()
        return self._numbers[index] if 0 <= index < len(self._numbers) else None

    def _points_here(self, number: PhoneNumber) -> bool:
        public = self._wizard.public_url
        return bool(public) and points_here(number, public or "")

    def _show_selected(self) -> None:
        number = self.selected()
        if number is None:
            self.voice_url.setText("")
        else:
            self.voice_url.setText(voice_url_text(number, self._points_here(number)))
        self._wizard.number = number if number and self._points_here(number) else None
        self._enable()
        self.completeChanged.emit()

    def _enable(self) -> None:
        connecting = self.connect_choice.isChecked()
        number = self.selected()
        for widget in (self.numbers, self.voice_url, self.result):
            widget.setVisible(connecting)
        self.connect_button.setVisible(connecting)
        self.disconnect_button.setVisible(connecting)
        self.snippet.setVisible(not connecting)
        self.connect_button.setEnabled(number is not None and not self._points_here(number))
        self.disconnect_button.setEnabled(number is not None and self._points_here(number))
        self.completeChanged.emit()

    def connect_number(self) -> None:
        number, creds, public = self.selected(), self._wizard.credentials, self._wizard.public_url
        if number is None or creds is None or public is None:
            return
        _show(self.result, None, f"Pointing {number.phone_number} at {voice_url_for(public)}…")
        self._wizard.run_step(
            self._wizard.service.connect(creds, number, public), self._changed, self._failed
        )

    def disconnect_number(self) -> None:
        number, creds = self.selected(), self._wizard.credentials
        if number is None or creds is None:
            return
        _show(self.result, None, f"Restoring the old Voice URL of {number.phone_number}…")
        self._wizard.run_step(
            self._wizard.service.restore(creds, number), self._changed, self._failed
        )

    def _changed(self, change: VoiceUrlChange) -> None:
        updated = PhoneNumber(
            change.number.sid,
            change.number.phone_number,
            change.number.friendly_name,
            change.new_voice_url,
            "POST" if self._points_here_url(change.new_voice_url) else change.number.voice_method,
            change.new_status_callback,
        )
        index = next(i for i, n in enumerate(self._numbers) if n.sid == updated.sid)
        self._numbers[index] = updated
        _show(
            self.result,
            True,
            f"{updated.phone_number}: Voice URL was {change.old_voice_url or '(none)'}, "
            f"now {change.new_voice_url or '(none)'}",
        )
        self._show_selected()

    def _points_here_url(self, url: str) -> bool:
        public = self._wizard.public_url
        return bool(public) and url == voice_url_for(public or "")

    def _failed(self, reason: str) -> None:
        _show(self.result, False, reason[:1].upper() + reason[1:])

    def isComplete(self) -> bool:
        return self.own_twiml.isChecked() or self._wizard.number is not None


# ---- 4. check ------------------------------------------------------------------------------


class CheckPage(QWizardPage):
    """Credentials ✓, tunnel reaches this console ✓, number points here ✓ — then call in."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.readiness: Readiness | None = None
        self.setTitle("Check")
        self.setSubTitle("The whole chain a call walks, checked once more from here.")
        self.lines = {name: _result_label() for name in ("Twilio", "Tunnel", "Number")}
        self.call_now = plain_label()
        self.call_now.setWordWrap(True)
        bold = self.call_now.font()
        bold.setBold(True)
        self.call_now.setFont(bold)
        layout = QFormLayout(self)
        for name, label in self.lines.items():
            layout.addRow(name, label)
        layout.addRow(self.call_now)

    def initializePage(self) -> None:
        self.readiness = None
        for label in self.lines.values():
            _show(label, None, "checking…")
        self.call_now.setText("")
        creds = self._wizard.credentials or Credentials()
        self._wizard.run_step(
            self._wizard.service.readiness(creds, self._wizard.public_url),
            self._checked,
            lambda reason: self.call_now.setText(reason),
        )

    def _checked(self, readiness: Readiness) -> None:
        self.readiness = readiness
        for name, check in readiness.lines():
            _show(self.lines[name], check.ok, check.detail)
        number = self._wizard.number
        if not readiness.ready:
            self.call_now.setText("Something is not right yet: go Back and fix the ✗ line.")
        elif number is not None:
            self.call_now.setText(
                f"Call {number.phone_number} now: you will appear as the first tile."
            )
        else:
            self.call_now.setText(
                "Call into your TwiML or Studio flow now: you will appear as the first tile."
            )
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.readiness is not None
