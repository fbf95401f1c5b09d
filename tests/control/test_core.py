"""build_core wires the parts once, for the app, the tests and the benchmarks alike."""

from __future__ import annotations

import ast
import inspect
import socket
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest

from moderator.control import Moderator
from moderator.core import CoreConfig, build_core, open_core
from moderator.server.webhooks import ServerStartError, WebhookServer
from moderator.sim import Simulator
from moderator.store.journal import Journal

ROOT = Path(__file__).resolve().parents[2]
WIRED_ONLY_IN_CORE = {"CallbackIngest", "WebhookServer", "Moderator"}
# The server's own unit tests build a bare WebhookServer on purpose.
ALLOWED = {"moderator/core.py", "tests/server/test_webhooks.py"}


def test_no_hand_copied_wiring() -> None:
    """Only core.py builds ingest, server and control; everyone else asks it."""
    builders: list[str] = []
    for folder in ("moderator", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in WIRED_ONLY_IN_CORE
                    and where not in ALLOWED
                ):
                    builders.append(f"{where}: {node.func.id}")
    assert builders == []


@pytest.fixture
def stopped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The order in which the parts were stopped (each still really stops)."""
    order: list[str] = []

    def record(cls: type, name: str, label: str) -> None:
        original = getattr(cls, name)
        if inspect.iscoroutinefunction(original):

            async def stop_async(self: object) -> None:
                order.append(label)
                await original(self)

            monkeypatch.setattr(cls, name, stop_async)
        else:

            def stop(self: object) -> None:
                order.append(label)
                original(self)

            monkeypatch.setattr(cls, name, stop)

    record(Moderator, "close", "control")
    record(Simulator, "stop", "simulator")
    record(WebhookServer, "stop", "server")
    record(Journal, "close", "journal")
    return order


async def test_the_stack_stops_parts_in_reverse_order(tmp_path: Path, stopped: list[str]) -> None:
    sim = Simulator(speed=50.0)
    async with open_core(CoreConfig(data_dir=tmp_path, simulator=sim)) as core:
        assert core.credentials.auth_token == sim.auth_token  # the simulator's account
        assert core.control.rest.api_base_url == sim.base_url
        url = core.server.local_url + "/healthz"
        async with aiohttp.ClientSession() as session, session.get(url) as answer:
            assert answer.status == 200
        assert stopped == []
    assert stopped == ["control", "simulator", "server", "journal"]
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(url)


async def test_a_failed_start_stops_what_had_started(tmp_path: Path, stopped: list[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        stack = AsyncExitStack()
        with pytest.raises(ServerStartError, match=f"port {port}"):
            await build_core(CoreConfig(data_dir=tmp_path, port=port), stack)
        await stack.aclose()
    assert stopped == ["journal"]  # opened before the server failed; nothing else had started


async def test_tiles_are_renamed_when_the_book_changes_not_when_the_door_locks(
    tmp_path: Path,
) -> None:
    """The door tells of its settings and its book alike; only the book renames the tiles."""
    from moderator.domain.address_book import AddressBook
    from moderator.domain.door import Door

    door = Door()
    async with open_core(CoreConfig(tmp_path, control=False, door=door)) as core:
        renamed: list[object] = []
        core.roster.changed.connect(renamed.append)
        calls = 0
        original = core.roster.set_names

        def counting(name_of: object) -> list[object]:
            nonlocal calls
            calls += 1
            return original(name_of)  # type: ignore[arg-type]

        core.roster.set_names = counting  # type: ignore[method-assign]
        door.update(locked=True)
        door.update(waiting_room=True)
        assert calls == 0
        door.set_book(AddressBook().with_name("+13125550101", "Alice"))
        assert calls == 1
