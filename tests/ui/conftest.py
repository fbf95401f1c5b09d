"""UI test fixtures: the qasync loop recipe, an in-memory keyring, roster feeders, and the
window on a fed roster or on a running simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication

from moderator.core import Core, CoreConfig, build_core
from moderator.domain.events import ConferenceEvent, parse_callback
from moderator.domain.roster import Roster
from moderator.loop import ConsoleEventLoop
from moderator.settings import Settings
from moderator.sim import Faults, Simulator
from moderator.ui.bridge import RosterBridge
from moderator.ui.look.console_style import apply_theme
from moderator.ui.shell.main_window import MainWindow
from tests.forms import START, team_meeting
from tests.helpers.caller_numbers import look_up_numbers_soon


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


@pytest.fixture
def window(
    qtbot: Any, themed: QApplication, qloop: ConsoleEventLoop, bridge: RosterBridge, feed: Feed
) -> MainWindow:
    """The window showing TeamMeeting (Mary presenting, Alice muted, Charles; Bob left), with
    no moderator behind it. A test module that needs one defines its own `window`."""
    feed(*team_meeting())
    made = MainWindow(bridge, None)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    return made


@dataclass
class SimConsole:
    """The console's core and (not yet shown) window on an embedded simulator."""

    sim: Simulator
    roster: Roster
    bridge: RosterBridge
    core: Core
    window: MainWindow


@contextmanager
def console_on_simulator(
    qtbot: Any, loop: asyncio.AbstractEventLoop, data_dir: Path, *, seed: int, **config: Any
) -> Iterator[SimConsole]:
    """The console as --demo builds it, on a fast simulator (`seed`); `config` adds CoreConfig
    fields. Closes the core and detaches the bridge on the way out."""
    sim = Simulator(seed=seed, speed=50.0, faults=Faults(), callback_retry_delay=0.01)
    roster = Roster()
    bridge = RosterBridge(roster)
    core_config = CoreConfig(
        data_dir=data_dir,
        settings=Settings(rest_timeout=2.0),
        roster=roster,
        simulator=sim,
        event_listeners=[bridge.on_event],
        notify=bridge.message.emit,
        **config,
    )
    parts = AsyncExitStack()
    core = run(qtbot, loop, build_core(core_config, parts))
    if core.moderator is not None:
        look_up_numbers_soon(core.moderator)
    try:
        window = MainWindow(bridge, core.control)
        qtbot.addWidget(window)
        yield SimConsole(sim, roster, bridge, core, window)
    finally:
        run(qtbot, loop, parts.aclose())
        bridge.detach()
