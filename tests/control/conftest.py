"""A real mini-console (journal, roster, webhook server, Moderator) against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from moderator.control import Moderator
from moderator.control.retry import RetryPolicy
from moderator.core import Core, CoreConfig, build_core
from moderator.credentials import Credentials
from moderator.domain.roster import Roster
from moderator.server.webhooks import WebhookServer
from moderator.settings import Settings
from moderator.sim import Faults, Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.store.journal import Journal
from tests.helpers.caller_numbers import look_up_numbers_soon
from tests.helpers.media import media  # noqa: F401  (a fixture: a static audio host)
from tests.helpers.polling import poll_until

SPEED = 50.0
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.02, max_delay=1.0, total=5.0)


async def wait_until(
    check: Callable[[], Any],
    messages: list[tuple[str, str]],
    *,
    what: str = "the check",
    timeout: float = 5.0,
) -> None:
    """Poll `check` until it holds; past `timeout` seconds fail, naming `what` and the
    messages the console showed meanwhile."""
    await poll_until(check, what, timeout=timeout, detail=lambda: f"messages: {messages}")


@dataclass
class Console:
    """Everything one console session owns, plus what its notify callback heard."""

    sim: Simulator
    journal: Journal
    roster: Roster
    server: WebhookServer
    moderator: Moderator
    messages: list[tuple[str, str]] = field(default_factory=list)
    parts: AsyncExitStack = field(default_factory=AsyncExitStack)

    @property
    def errors(self) -> list[str]:
        return [text for level, text in self.messages if level == "error"]

    async def wait_for(self, check: Callable[[], Any], timeout: float = 5.0) -> None:
        await wait_until(check, self.messages, timeout=timeout)

    def sid_of(self, conf_sid: str, label: str) -> str:
        for participant in self.roster.participants(conf_sid, present_only=True):
            if participant.label == label:
                return participant.call_sid
        raise KeyError(label)


def make_settings(**overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "rest_timeout": 2.0,
        "rest_concurrency": 12,
        "caller_id": LINE_NUMBER,  # a From the simulated account owns
    }
    base.update(overrides)
    return Settings(**base)


async def open_console(
    sim: Simulator,
    data_dir: Path,
    *,
    settings: Settings | None = None,
    roster: Roster | None = None,
    port: int = 0,
    credentials: Credentials | None = None,
    start: bool = True,
    **kwargs: Any,
) -> Console:
    """The app's core (journal, roster, server, control) against the already running `sim`."""
    messages: list[tuple[str, str]] = []
    on_connection_state = kwargs.pop("on_connection_state", None)
    kwargs.setdefault("confirm_grace", 0.5)
    kwargs.setdefault("reconcile_debounce", 0.05)
    kwargs.setdefault("retry_policy", FAST_RETRY)
    config = CoreConfig(
        data_dir=data_dir,
        settings=settings or make_settings(),
        # The webhook server checks signatures with the simulator's token even when control
        # is given other (e.g. wrong) credentials for its REST calls.
        credentials=Credentials(sim.account_sid, sim.auth_token),
        rest_credentials=credentials,
        roster=roster,
        port=port,
        api_base_url=sim.base_url,
        start_control=start,
        notify=lambda level, text: messages.append((level, text)),
        on_connection_state=on_connection_state,
        control_options=kwargs,
        shutdown_grace=0.0,  # a test's teardown need not wait for a request in progress
    )
    parts = AsyncExitStack()
    core = await build_core(config, parts)
    look_up_numbers_soon(core.control)
    console = Console(
        sim, core.journal, core.roster, core.server, core.control, messages, parts=parts
    )
    if start and console.moderator.startup is not None:
        await console.moderator.startup
    return console


class Line:
    """Calls on the simulator's line, as a test places and follows them (`sim` set by the user)."""

    sim: Simulator

    def call(self, number: str, *digits: str) -> str:
        return self.sim.place_call(number, LINE_NUMBER, digits).sid

    def status(self, call_sid: str) -> str:
        return self.sim.world.call(call_sid).status

    def heard(self, call_sid: str) -> list[str]:
        return [text for _verb, text in self.sim.world.call(call_sid).heard]


async def answering_core(
    sim: Simulator, data_dir: Path, stack: AsyncExitStack, **fields: Any
) -> Core:
    """The console's core with the simulator's line pointed at its voice webhook, so placed
    calls walk the door; `fields` add CoreConfig fields. `stack` closes it."""
    config = CoreConfig(
        data_dir=data_dir,
        settings=make_settings(),
        credentials=Credentials(sim.account_sid, sim.auth_token),
        api_base_url=sim.base_url,
        control_options={"retry_policy": FAST_RETRY, "fetch_numbers": False},
        **fields,
    )
    core = await build_core(config, stack)
    sim.set_voice_url(LINE_NUMBER, core.server.voice_url)
    return core


async def close_console(console: Console) -> None:
    await console.parts.aclose()


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(seed=3, speed=SPEED, faults=Faults(), callback_retry_delay=0.01)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def console(sim: Simulator, tmp_path: Path) -> AsyncIterator[Console]:
    opened = await open_console(sim, tmp_path)
    yield opened
    await close_console(opened)


async def meeting(
    console: Console, *labels: str, timeout: float = 5.0
) -> tuple[str, dict[str, str]]:
    """A conference with Mary (the host: start + end on exit) and guests; waits for the roster."""
    sim = console.sim
    conf = sim.create_conference("TeamMeeting", status_callback=console.server.callback_url)
    sids = {
        "Mary": await sim.join(
            conf, label="Mary", number="+12125550100", end_conference_on_exit=True
        )
    }
    for index, label in enumerate(labels):
        sids[label] = await sim.join(
            conf, label=label, number=f"+1415555{index:04d}", start_conference_on_enter=False
        )
    await sim.drain()
    await console.wait_for(
        lambda: len(console.roster.participants(conf, present_only=True)) == len(sids),
        timeout=timeout,
    )
    return conf, sids
