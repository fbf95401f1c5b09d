"""The setup assistant driven with pytest-qt against the simulator and a fake ngrok agent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QLabel, QWizard

from moderator.core import Core, CoreConfig, build_core
from moderator.credentials import Credentials
from moderator.settings import Settings
from moderator.setup.service import SetupContext, SetupService
from moderator.sim import Faults, Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.ui.setup.setup_wizard import SetupResult, SetupWizard
from moderator.ui.shell.settings_dialog import Secrets
from tests.setup.fake_ngrok import FakeSdk, agent_tunnel, serve_agent_api
from tests.sim.helpers import async_client_for

from ..conftest import run

OLD_URL = "https://handler.twilio.com/twiml/EH0123"


class Rig:
    """A simulator and a console core (server + journal) on the qasync loop, torn down after."""

    def __init__(self, qtbot: Any, loop: qasync.QEventLoop, tmp_path: Path) -> None:
        from contextlib import AsyncExitStack

        self.qtbot, self.loop = qtbot, loop
        self.stack = AsyncExitStack()
        self.sim = Simulator(seed=5, speed=50.0, faults=Faults())
        run(qtbot, loop, self.sim.start())
        self.stack.push_async_callback(self.sim.stop)
        config = CoreConfig(tmp_path, control=False)
        self.core: Core = run(qtbot, loop, build_core(config, self.stack))
        self.sdk, sdk_http = async_client_for(self.sim)
        self.stack.push_async_callback(sdk_http.close)

    def service(self, **context: Any) -> SetupService:
        server = self.core.server
        return SetupService(
            SetupContext(
                local_port=server.port,
                instance=server.instance,
                journal=self.core.journal,
                api_base_url=self.sim.base_url,
                timeout=5.0,
                **context,
            )
        )

    def voice_url(self) -> str:
        async def read() -> str:
            (number,) = await self.sdk.incoming_phone_numbers.list_async(phone_number=LINE_NUMBER)
            return str(number.voice_url)

        return str(run(self.qtbot, self.loop, read()))

    def close(self) -> None:
        run(self.qtbot, self.loop, self.stack.aclose())


@pytest.fixture
def rig(qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path) -> Iterator[Rig]:
    made = Rig(qtbot, qloop, tmp_path)
    yield made
    made.close()


def wizard_for(qtbot: Any, service: SetupService, **kwargs: Any) -> SetupWizard:
    wizard = SetupWizard(service, Settings(), Secrets(), env={}, **kwargs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def fill_credentials(wizard: SetupWizard, sid: str, token: str) -> None:
    page = wizard.credentials_page
    page.sid.setText(sid)
    page.token.setText(token)
    page.check_button.click()


def test_wrong_then_right_credentials(qtbot: Any, rig: Rig) -> None:
    wizard = wizard_for(qtbot, rig.service())
    page = wizard.credentials_page
    next_button = wizard.button(QWizard.WizardButton.NextButton)

    fill_credentials(wizard, rig.sim.account_sid, "0" * 32)
    qtbot.waitUntil(lambda: page.result.text().startswith("✗"), timeout=10000)
    assert page.result.text() == "✗ Wrong SID or token: Twilio refused them (20003)"
    assert not next_button.isEnabled()
    # focus is back on the token (not on Cancel, where Enter would close the assistant)
    cancel = wizard.button(QWizard.WizardButton.CancelButton)
    assert not cancel.hasFocus()
    assert page.token.hasFocus() or not wizard.isActiveWindow()
    assert page.token.selectedText() == "0" * 32 or not wizard.isActiveWindow()

    page.token.setText(rig.sim.auth_token)
    page.check_button.click()
    qtbot.waitUntil(lambda: page.result.text().startswith("✓"), timeout=10000)
    assert page.result.text() == "✓ Simulated account: Full account"
    assert next_button.isEnabled()
    page.token.setText(rig.sim.auth_token + "x")  # an edit invalidates the check
    assert not next_button.isEnabled()


def test_no_network_is_cannot_reach_twilio(qtbot: Any, rig: Rig) -> None:
    service = rig.service()
    service.context.api_base_url = "http://127.0.0.1:9"
    service.context.timeout = 2.0
    wizard = wizard_for(qtbot, service)
    fill_credentials(wizard, rig.sim.account_sid, rig.sim.auth_token)
    page = wizard.credentials_page
    qtbot.waitUntil(lambda: page.result.text().startswith("✗"), timeout=10000)
    assert page.result.text().startswith("✗ Cannot reach Twilio")


def to_public_url_page(qtbot: Any, wizard: SetupWizard, rig: Rig) -> None:
    fill_credentials(wizard, rig.sim.account_sid, rig.sim.auth_token)
    qtbot.waitUntil(wizard.credentials_page.isComplete, timeout=10000)
    wizard.next()
    assert wizard.currentPage() is wizard.public_url_page


def at_the_public_url_page(
    qtbot: Any, rig: Rig, service: SetupService
) -> tuple[SetupWizard, list[SetupResult]]:
    """The assistant past its credentials page; what it completes with is collected."""
    results: list[SetupResult] = []
    wizard = wizard_for(qtbot, service)
    wizard.completed.connect(results.append)
    to_public_url_page(qtbot, wizard, rig)
    return wizard, results


def test_a_running_ngrok_agent_is_detected_then_checked(qtbot: Any, rig: Rig) -> None:
    port = rig.core.server.port
    # Nothing listens on port 9: the detected tunnel stands for one that does not reach us.
    ours, elsewhere = "https://127.0.0.1:9", "https://127.0.0.2:9"
    agent = run(
        qtbot,
        rig.loop,
        serve_agent_api(
            [
                agent_tunnel(elsewhere, "http://localhost:3000"),
                agent_tunnel("http://127.0.0.1:9", f"localhost:{port}", proto="http"),
                agent_tunnel(ours, f"http://localhost:{port}"),
            ]
        ),
    )
    try:
        wizard = wizard_for(qtbot, rig.service(agent_api_url=str(agent.make_url(""))))
        to_public_url_page(qtbot, wizard, rig)
        page = wizard.public_url_page
        page.agent.setChecked(True)
        page.detect_button.click()
        qtbot.waitUntil(lambda: page.result.text().startswith("✗"), timeout=10000)
        # the https tunnel to our port was picked, and the chain check caught that it is dead
        assert page.result.text().startswith(f"✗ Cannot reach {ours}/healthz")
        assert not page.isComplete()
    finally:
        run(qtbot, rig.loop, agent.close())

    agent = run(
        qtbot,
        rig.loop,
        serve_agent_api([agent_tunnel(elsewhere, "http://localhost:3000")]),
    )
    try:
        wizard.service.context.agent_api_url = str(agent.make_url(""))
        page.detect_button.click()
        qtbot.waitUntil(lambda: "no https tunnel" in page.result.text(), timeout=10000)
        assert f"ngrok http {port}" in page.result.text()
    finally:
        run(qtbot, rig.loop, agent.close())


def test_pasted_url_number_connect_and_disconnect(qtbot: Any, rig: Rig) -> None:
    rig.sim.set_voice_url(LINE_NUMBER, OLD_URL)
    wizard, results = at_the_public_url_page(qtbot, rig, rig.service())
    page = wizard.public_url_page
    page.paste.setChecked(True)
    page.pasted.setText("https://abc.ngrok.app/twilio/voice")
    page.use_button.click()
    assert page.result.text().startswith("✗ That URL ends in the route /twilio/voice")

    public = rig.core.server.local_url + "/"  # reaches this console, trailing slash and all
    page.pasted.setText(public)
    page.use_button.click()
    qtbot.waitUntil(page.isComplete, timeout=10000)
    assert page.result.text() == f"✓ {rig.core.server.local_url} reaches this console"
    wizard.next()

    numbers = wizard.number_page
    qtbot.waitUntil(lambda: numbers.numbers.count() == 1, timeout=10000)
    assert numbers.voice_url.text() == f"Voice URL now: {OLD_URL} (POST)"
    assert not numbers.isComplete()
    numbers.connect_button.click()
    voice = rig.core.server.local_url + "/twilio/voice"
    qtbot.waitUntil(numbers.isComplete, timeout=10000)
    assert numbers.result.text() == f"✓ {LINE_NUMBER}: Voice URL was {OLD_URL}, now {voice}"
    assert rig.voice_url() == voice  # the real SDK reads it back

    numbers.disconnect_button.click()
    qtbot.waitUntil(lambda: not numbers.isComplete(), timeout=10000)
    assert rig.voice_url() == OLD_URL
    numbers.connect_button.click()
    qtbot.waitUntil(numbers.isComplete, timeout=10000)
    wizard.next()

    check = wizard.check_page
    qtbot.waitUntil(check.isComplete, timeout=10000)
    assert [label.text()[:1] for label in check.lines.values()] == ["✓", "✓", "✓"]
    assert check.call_now.text() == f"Call {LINE_NUMBER} now: you will appear as the first tile."
    wizard.accept()
    (result,) = results
    assert result.settings.account_sid == rig.sim.account_sid
    assert result.settings.public_url == rig.core.server.local_url
    assert result.secrets.auth_token == rig.sim.auth_token
    assert result.settings.tunnel == ""


def test_own_twiml_shows_the_status_callback_snippet(qtbot: Any, rig: Rig) -> None:
    wizard = wizard_for(qtbot, rig.service())
    to_public_url_page(qtbot, wizard, rig)
    wizard.public_url_page.pasted.setText(rig.core.server.local_url)
    wizard.public_url_page.use_button.click()
    qtbot.waitUntil(wizard.public_url_page.isComplete, timeout=10000)
    wizard.next()
    numbers = wizard.number_page
    numbers.own_twiml.setChecked(True)
    assert numbers.isComplete()
    snippet = numbers.snippet.twiml.toPlainText()
    assert f'statusCallback="{rig.core.server.local_url}/twilio/conference-events"' in snippet
    # the URL was just accepted: not "No public URL", but where it can be reached from
    warning = numbers.snippet.warning.text()
    assert not warning.startswith("No public URL")
    assert warning.startswith(f"{rig.core.server.local_url} is on this machine")
    wizard.next()
    check = wizard.check_page
    qtbot.waitUntil(check.isComplete, timeout=10000)
    assert check.lines["Number"].text().startswith("no number connected")
    assert check.call_now.text().startswith("Call into your TwiML or Studio flow now")


def test_the_built_in_tunnel_through_the_sdk_boundary(qtbot: Any, rig: Rig) -> None:
    # The fake SDK hands out the console's own URL, as ngrok would hand out one forwarding here.
    sdk = FakeSdk(urls=[rig.core.server.local_url])
    wizard, results = at_the_public_url_page(qtbot, rig, rig.service(ngrok_sdk=sdk.module()))
    page = wizard.public_url_page
    page.builtin.setChecked(True)
    page.ngrok_token.setText("2ngrokTOKEN")
    page.start_button.click()
    qtbot.waitUntil(page.isComplete, timeout=10000)
    assert sdk.forwarded == [f"http://127.0.0.1:{rig.core.server.port}"]
    assert sdk.tokens == ["2ngrokTOKEN"]
    wizard.next()
    wizard.number_page.own_twiml.setChecked(True)
    wizard.next()
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=10000)
    wizard.accept()
    (result,) = results
    assert result.settings.tunnel == "ngrok"
    assert result.ngrok_authtoken == "2ngrokTOKEN"
    assert "2ngrokTOKEN" not in repr(result)
    run(qtbot, rig.loop, wizard.service.stop_tunnel())
    assert sdk.closed == 2


def test_credentials_from_the_environment_are_used_not_stored(qtbot: Any, rig: Rig) -> None:
    env = {"TWILIO_ACCOUNT_SID": rig.sim.account_sid, "TWILIO_AUTH_TOKEN": rig.sim.auth_token}
    wizard = SetupWizard(rig.service(), Settings(), Secrets(), env=env)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.credentials_page
    assert not page.token.isEnabled()
    qtbot.waitUntil(page.isComplete, timeout=10000)  # checked at once: nothing to type
    assert wizard.result_value().token_editable is False
    assert Credentials(rig.sim.account_sid, rig.sim.auth_token) == wizard.credentials


def test_a_number_with_no_voice_url_says_so_in_words() -> None:
    from moderator.setup.numbers import PhoneNumber
    from moderator.ui.setup.setup_pages import voice_url_text

    bare = PhoneNumber("PN1", LINE_NUMBER, LINE_NUMBER, "", "POST")
    assert "(none)" not in voice_url_text(bare, False)
    assert voice_url_text(bare, False).startswith("Voice URL now: none set")


def test_without_a_keyring_the_assistant_says_so_plainly(qtbot: Any, rig: Rig) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    wizard = wizard_for(qtbot, rig.service())
    text = " ".join(label.text() for label in wizard.credentials_page.findChildren(QLabel))
    assert "No system keyring is available here" in text
    assert "this session only" in text and "TWILIO_AUTH_TOKEN" in text
    assert "fail Keyring" not in text
