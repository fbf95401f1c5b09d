"""The running console: setup assistant, readiness marks, built-in tunnel, signature hint."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu
from twilio.request_validator import RequestValidator

from moderator import credentials
from moderator.app import Console, ConsoleOptions
from moderator.domain.clock import utc_now
from moderator.settings import Settings
from moderator.settings_flow import SETTINGS_FILE
from moderator.setup.ngrok_tunnel import AUTHTOKEN_ENTRY
from moderator.setup.numbers import CONNECT
from moderator.sim import Faults, Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.store.journal import Journal
from moderator.ui.setup.readiness_indicator import SIGNATURE_HINT
from moderator.ui.shell.settings_store import save_settings
from tests.setup.fake_ngrok import FakeSdk

from ..conftest import MemoryKeyring, run


@pytest.fixture
def sim(qtbot: Any, qloop: qasync.QEventLoop) -> Iterator[Simulator]:
    simulator = Simulator(seed=9, speed=50.0, faults=Faults())
    run(qtbot, qloop, simulator.start())
    yield simulator
    run(qtbot, qloop, simulator.stop())


def start(qtbot: Any, loop: qasync.QEventLoop, options: ConsoleOptions) -> tuple[Console, Any]:
    console = Console(options)
    task = loop.create_task(console.run())
    qtbot.waitUntil(
        lambda: console.window is not None and console.window.isVisible(), timeout=10000
    )
    return console, task


def stop(qtbot: Any, console: Console, task: Any) -> None:
    console.request_quit()
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()


def save(data_dir: Path, settings: Settings) -> None:
    save_settings(QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat), settings)


def test_first_start_without_credentials_opens_the_assistant(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    console, task = start(qtbot, qloop, ConsoleOptions(port=0, data_dir=tmp_path / "a"))
    assert console.setup is not None
    qtbot.waitUntil(lambda: console.setup is not None and console.setup.wizard is not None)
    assert console.setup.wizard is not None and console.setup.wizard.isVisible()
    stop(qtbot, console, task)

    scripted = ConsoleOptions(port=0, data_dir=tmp_path / "b", quit_after=30)
    console, task = start(qtbot, qloop, scripted)
    assert console.setup is not None and console.setup.wizard is None  # scripts are not asked
    console.setup.indicator.setup_requested.emit()  # a click on the readiness marks
    assert console.setup.wizard is not None
    console.setup.wizard.reject()
    qtbot.waitUntil(lambda: console.setup is not None and console.setup.wizard is None)
    assert console.window is not None
    (file_menu,) = [m for m in console.window.menuBar().findChildren(QMenu) if m.title() == "&File"]
    texts = [a.text() for a in file_menu.actions()]
    assert texts[texts.index("&Settings…") + 1] == "Set&up assistant…"
    console.setup.action.trigger()  # File → Setup assistant…
    assert console.setup.wizard is not None
    stop(qtbot, console, task)


def test_the_assistant_stores_and_applies_and_the_marks_turn_green(
    qtbot: Any,
    qloop: qasync.QEventLoop,
    tmp_path: Path,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
) -> None:
    options = ConsoleOptions(port=0, data_dir=tmp_path, twilio_api_url=sim.base_url)
    console, task = start(qtbot, qloop, options)
    setup = console.setup
    assert setup is not None and console.server is not None
    qtbot.waitUntil(lambda: setup.wizard is not None)
    wizard = setup.wizard
    assert wizard is not None
    wizard.credentials_page.sid.setText(sim.account_sid)
    wizard.credentials_page.token.setText(sim.auth_token)
    wizard.credentials_page.check_button.click()
    qtbot.waitUntil(wizard.credentials_page.isComplete, timeout=10000)
    wizard.next()
    local = console.server.local_url
    wizard.public_url_page.pasted.setText(local)
    wizard.public_url_page.use_button.click()
    qtbot.waitUntil(wizard.public_url_page.isComplete, timeout=10000)
    wizard.next()
    numbers = wizard.number_page
    qtbot.waitUntil(lambda: numbers.numbers.count() == 1, timeout=10000)
    numbers.connect_button.click()
    qtbot.waitUntil(numbers.isComplete, timeout=10000)
    wizard.next()
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=10000)
    wizard.accept()

    # stored through the console's settings path: settings file and keyring
    assert memory_keyring.entries[(credentials.KEYRING_SERVICE, "auth-token")] == sim.auth_token
    assert console.settings.public_url == local
    assert console.server.callback_url == f"{local}/twilio/conference-events"
    marks = setup.indicator.marks
    qtbot.waitUntil(lambda: marks["Number"].text() == "Number ✓", timeout=10000)
    assert [label.text() for label in marks.values()] == ["Twilio ✓", "Tunnel ✓", "Number ✓"]
    assert "Simulated account" in marks["Twilio"].toolTip()
    assert f"{LINE_NUMBER} → {local}/twilio/voice" in marks["Number"].toolTip()
    stop(qtbot, console, task)


def test_the_hint_rises_only_on_evidence_and_names_the_form_twilio_signed(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path, sim: Simulator
) -> None:
    """Unsigned or wrongly signed POSTs (anyone can send them) raise nothing; a signature made
    with the auth token for another form of the URL (here: the URL as received, not the old
    tunnel's) raises the hint, saying which URL Twilio signed."""
    save(
        tmp_path, Settings(account_sid=sim.account_sid, public_url="https://127.0.0.2:9/old-tunnel")
    )
    credentials.write_secret(credentials.AUTH_TOKEN_ENTRY, sim.auth_token)
    options = ConsoleOptions(port=0, data_dir=tmp_path, twilio_api_url=sim.base_url)
    console, task = start(qtbot, qloop, options)
    assert console.setup is not None and console.setup.wizard is None  # credentials are set
    assert console.server is not None and console.window is not None
    url = console.server.local_url + "/twilio/conference-events"
    fields = {"StatusCallbackEvent": "participant-join"}
    attacker = "https://attacker.example/phish"

    async def post(signature: str | None, host: str | None = None) -> None:
        headers = {"X-Twilio-Signature": signature} if signature else {}
        if host:
            headers["Host"] = host
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=fields, headers=headers) as answer,
        ):
            assert answer.status == 403

    async def strangers() -> None:
        await post(None)
        await post("A" * 27 + "=")
        await post(RequestValidator("not-the-token").compute_signature(attacker, fields))
        await post("bm90IGEgc2lnbmF0dXJl", host="attacker.example")

    run(qtbot, qloop, strangers())
    hint = console.setup.indicator.hint
    assert not hint.isVisibleTo(console.window)
    assert console.window.status.last_error is None or "attacker" not in (
        console.window.status.last_error
    )
    twilio = RequestValidator(sim.auth_token).compute_signature(url, fields)
    run(qtbot, qloop, post(twilio))
    assert hint.isVisibleTo(console.window)
    assert SIGNATURE_HINT in hint.toolTip() and f"Twilio signed {url}" in hint.toolTip()
    assert "another host" in hint.toolTip() and "attacker" not in hint.toolTip()
    assert console.window.status.last_error is not None
    assert f"Twilio signed {url}" in console.window.status.last_error
    assert sim.auth_token not in hint.toolTip() + console.window.status.last_error
    stop(qtbot, console, task)


def test_the_built_in_tunnel_starts_with_the_console_and_the_number_follows(
    qtbot: Any,
    qloop: qasync.QEventLoop,
    tmp_path: Path,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two starts, each with a new ngrok URL: the number is re-pointed, journaled."""
    save(tmp_path, Settings(account_sid=sim.account_sid, tunnel="ngrok"))
    credentials.write_secret(credentials.AUTH_TOKEN_ENTRY, sim.auth_token)
    credentials.write_secret(AUTHTOKEN_ENTRY, "2ngrokTOKEN")
    line = sim.number_for(LINE_NUMBER)
    assert line is not None
    # connected at an earlier start (the original Voice URL was none)
    journal = Journal.in_dir(tmp_path)
    params = {
        "number": LINE_NUMBER,
        "number_sid": line.sid,
        "old_voice_url": "",
        "new_voice_url": "",
    }
    action = journal.record_action(utc_now(), "", None, CONNECT, params=params)
    journal.finish_action(action, utc_now(), ok=True)
    journal.close()

    for url in ("https://first.ngrok.app", "https://second.ngrok.app"):
        sdk = FakeSdk(urls=[url])
        monkeypatch.setitem(sys.modules, "ngrok", sdk.module())
        options = ConsoleOptions(port=0, data_dir=tmp_path, twilio_api_url=sim.base_url)
        console, task = start(qtbot, qloop, options)
        assert console.server is not None
        voice = f"{url}/twilio/voice"
        qtbot.waitUntil(lambda v=voice: line.voice_url == v, timeout=10000)  # type: ignore[misc]
        assert console.server.callback_url == f"{url}/twilio/conference-events"
        assert sdk.tokens == ["2ngrokTOKEN"]
        assert sdk.forwarded == [f"http://127.0.0.1:{console.server.port}"]
        stop(qtbot, console, task)
        assert sdk.closed == 2  # the tunnel closes with the console
    journal = Journal.in_dir(tmp_path)
    repointed = [a.params["new_voice_url"] for a in journal.actions() if a.kind == CONNECT][1:]
    journal.close()
    assert repointed == [
        "https://first.ngrok.app/twilio/voice",
        "https://second.ngrok.app/twilio/voice",
    ]


def test_without_a_keyring_finish_keeps_the_checked_credentials_for_the_session(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path, sim: Simulator
) -> None:
    """A plain Linux session has no keyring: the calls must still work, and the host is told
    how to keep the credentials (the environment)."""
    import keyring
    from keyring.backends import fail

    from moderator.ui.setup.setup_wizard import SetupResult
    from moderator.ui.shell.settings_dialog import Secrets

    keyring.set_keyring(fail.Keyring())
    options = ConsoleOptions(port=0, data_dir=tmp_path, twilio_api_url=sim.base_url, quit_after=60)
    console, task = start(qtbot, qloop, options)
    assert console.window is not None
    notes: list[str] = []
    console.window.log_model.rowsInserted.connect(
        lambda *_: notes.append(console.window.log_model.entry(  # type: ignore[union-attr]
            console.window.log_model.rowCount() - 1).details)  # type: ignore[union-attr]
    )  # fmt: skip
    console.apply_setup(
        SetupResult(Settings(account_sid=sim.account_sid), Secrets(sim.auth_token, ""))
    )
    assert console.credentials.account_sid == sim.account_sid
    assert console.credentials.auth_token == sim.auth_token  # kept for this session
    assert any("this session only" in n and "TWILIO_AUTH_TOKEN" in n for n in notes)
    stop(qtbot, console, task)
