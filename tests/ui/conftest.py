"""UI test fixtures: the qasync loop recipe, an in-memory keyring, and roster feeders."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication

from moderator.domain.events import ConferenceEvent, parse_callback
from moderator.domain.roster import Roster
from moderator.loop import ConsoleEventLoop
from moderator.ui.bridge import RosterBridge
from moderator.ui.theme import apply_theme
from tests.forms import START


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, so no test touches the OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def no_twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def themed(qapp: QApplication) -> QApplication:
    apply_theme(qapp)
    return qapp


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[ConsoleEventLoop]:
    """The console's loop marked running: Qt event processing (qtbot.wait*) drives asyncio."""
    loop = ConsoleEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    # A loop marked running cannot be closed; its thread pool (DNS lookups, to_thread) is
    # shut down here so no worker outlives the test.
    loop.executor.shutdown(wait=True, cancel_futures=True)
    # already_running=True registered it as this thread's running loop; undo that too, or a
    # later test's asyncio.run() in the same process says a loop is already running.
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


def run(
    qtbot: Any, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], timeout: int = 5000
) -> Any:
    """Run a coroutine to completion while Qt keeps processing events."""
    task = loop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


class Feed:
    """Applies callback forms to a roster the way the ingest does (roster, then bridge)."""

    def __init__(self, roster: Roster, bridge: RosterBridge) -> None:
        self.roster = roster
        self.bridge = bridge

    def __call__(self, *forms: dict[str, str]) -> list[ConferenceEvent]:
        events = []
        for form in forms:
            event = parse_callback(form, START)
            self.roster.apply(event)
            self.bridge.on_event(event)
            events.append(event)
        self.bridge.flush()  # what the next display frame would deliver, delivered now
        return events


@pytest.fixture
def roster() -> Roster:
    return Roster()


@pytest.fixture
def bridge(roster: Roster, qapp: QApplication) -> Iterator[RosterBridge]:
    made = RosterBridge(roster)
    yield made
    made.detach()


@pytest.fixture
def feed(roster: Roster, bridge: RosterBridge) -> Feed:
    return Feed(roster, bridge)
