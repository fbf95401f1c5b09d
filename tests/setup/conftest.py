"""Setup-step fixtures: a running simulator, a console core (server + journal) next to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from moderator.core import Core, CoreConfig, open_core
from moderator.credentials import Credentials
from moderator.setup.service import SetupContext, SetupService
from moderator.sim import Faults, Simulator
from tests.helpers.media import media  # noqa: F401  (a fixture: a static audio host)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(seed=3, speed=50.0, faults=Faults())
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def creds(sim: Simulator) -> Credentials:
    return Credentials(sim.account_sid, sim.auth_token)


@pytest.fixture
async def core(tmp_path: Path, creds: Credentials) -> AsyncIterator[Core]:
    async with open_core(CoreConfig(tmp_path, credentials=creds, control=False)) as running:
        yield running


@pytest.fixture
def service(sim: Simulator, core: Core) -> SetupService:
    context = SetupContext(
        local_port=core.server.port,
        instance=core.server.instance,
        journal=core.journal,
        api_base_url=sim.base_url,
        timeout=5.0,
    )
    return SetupService(context)
