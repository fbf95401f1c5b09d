"""Every action's journal rows go through one ActionLog: recorded, finished, confirmed."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator.domain.actions import ActionKind, Origin
from moderator.store.action_log import ActionLog
from moderator.store.journal import Journal


def test_recorded_finished_and_confirmed_as_plain_words(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    log = ActionLog(journal)
    mute = log.record(ActionKind.MUTE, "CF1", "CA1", params={"muted": "true"})
    lock = log.record(ActionKind.LOCK, "TeamMeeting", done=True)
    log.finish(mute, ok=True)
    log.confirm(mute)
    rows = {a.kind: a for a in journal.actions()}
    assert rows["mute"].ok and rows["mute"].confirmed and rows["mute"].origin == "host"
    assert rows["lock"].ok and not rows["lock"].confirmed and lock
    assert type(rows["lock"].kind) is str and type(rows["lock"].origin) is str
    door = log.record("join", "TeamMeeting", "CA2", origin=Origin.DOOR, done=True)
    assert door and [a.origin for a in journal.actions()][-1] == "door"
    journal.close()


def test_a_journal_that_cannot_write_is_logged_and_the_action_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Journal.in_dir(tmp_path).close()
    read_only = Journal.in_dir(tmp_path, create=False)
    log = ActionLog(read_only)
    assert log.record(ActionKind.ADMIT, "TeamMeeting", "CA1") == 0
    log.finish(0, ok=False, error="never journaled")  # a handle of 0 is ignored
    log.confirm(0)
    assert "could not journal admit of CA1" in caplog.text
    read_only.close()
