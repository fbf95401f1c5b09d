"""A host's action is shown, sent and confirmed while the disk takes no writes at all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from moderator.sim import Simulator
from moderator.store.journal import JOURNAL_FILE
from tests.helpers.stuck_disk import StuckDisk, stuck_disk

from .conftest import Console, close_console, meeting, open_console


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[StuckDisk]:
    yield from stuck_disk(monkeypatch)


async def test_a_mute_is_confirmed_while_the_disk_is_stuck(
    sim: Simulator, tmp_path: Path, disk: StuckDisk
) -> None:
    console: Console = await open_console(sim, tmp_path)
    try:
        conf, sids = await meeting(console, "Bob")
        bob = sids["Bob"]
        disk.freeze()
        result = await console.moderator.mute(conf, bob)
        assert result.ok
        confirmed_while_stuck: list[bool] = []

        def confirmed() -> bool:
            participant = console.roster.participant(conf, bob)
            done = participant is not None and participant.muted and participant.pending is None
            if done:
                confirmed_while_stuck.append(disk.stuck > 0)
            return done

        # the participant-mute callback confirms it: its answer waits for the disk, the tile not
        await console.wait_for(confirmed, timeout=20)
        assert confirmed_while_stuck == [True]
        assert console.errors == []
        [action] = console.journal.actions(conf)  # read back before it is on disk
        assert (action.kind, action.ok, action.confirmed) == ("mute", True, True)
        disk.thaw()
        await console.sim.drain()
    finally:
        await close_console(console)  # drains the writer thread
    db = sqlite3.connect(tmp_path / JOURNAL_FILE)
    stored = db.execute("SELECT kind, ok, confirmed FROM actions").fetchall()
    muted = db.execute("SELECT COUNT(*) FROM callbacks WHERE event = 'participant-mute'").fetchone()
    db.close()
    assert stored == [("mute", 1, 1)] and muted == (1,)
    assert "MainThread" not in disk.threads  # the event loop never waited for the disk
