"""A long meeting's fold stays bounded (checkpoint + tail) and still folds every callback."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest
from hypothesis import given, settings

from moderator.domain import compaction as compaction_module
from moderator.domain.events import ConferenceEvent
from moderator.domain.fold import Entry
from moderator.domain.roster import Change, ChangeKind, Roster
from moderator.domain.seen import SeenSequences
from tests.domain.histories import Entries, Forms, events, redelivered, replayed, with_snapshots
from tests.domain.test_roster import state
from tests.domain.test_timeline import everything
from tests.forms import CONFERENCE_SID, call_sid, form
from tests.helpers.properties import examples

COMPACT_AT, KEEP = 6, 3  # tiny, so the hypothesis histories (up to 30 callbacks) compact


@pytest.fixture(autouse=True)
def _small_checkpoints() -> Iterator[None]:
    # not monkeypatch: hypothesis's @given tests may not take function-scoped fixtures
    saved = compaction_module.COMPACT_AT, compaction_module.KEEP
    compaction_module.COMPACT_AT, compaction_module.KEEP = COMPACT_AT, KEEP
    yield
    compaction_module.COMPACT_AT, compaction_module.KEEP = saved


class Journaled:
    """A roster fed as the console feeds it: each entry is journaled once it is folded, and an
    entry older than the checkpoint makes the roster read the journal (`load_past`)."""

    def __init__(self) -> None:
        self.journal: list[Entry] = []
        self.reads = 0
        self.roster = Roster(load_past=self._read)

    def _read(self, sid: str) -> Iterable[Entry]:
        self.reads += 1
        return [entry for entry in self.journal if entry.conference_sid == sid]

    def feed(self, entries: Iterable[Entry]) -> Roster:
        for entry in entries:
            if isinstance(entry, ConferenceEvent):
                self.roster.apply(entry)
            else:
                self.roster.apply_snapshot(entry)
            self.journal.append(entry)
        return self.roster


def kept(roster: Roster, sid: str = CONFERENCE_SID) -> int:
    return len(roster._records[sid].entries)


@settings(max_examples=examples(300), deadline=None)
@given(redelivered())
def test_any_order_with_duplicates_converges_with_checkpoints(
    delivery: tuple[Forms, Forms],
) -> None:
    history, delivered = delivery
    compacted = Journaled().feed(events(delivered))
    everything_kept = replayed(events(history))
    assert state(compacted) == state(everything_kept)
    assert everything(compacted) == everything(everything_kept)


@settings(max_examples=examples(200), deadline=None)
@given(with_snapshots())
def test_snapshots_in_any_order_converge_with_checkpoints(mix: tuple[Entries, Entries]) -> None:
    in_order, shuffled = mix
    compacted = Journaled().feed(shuffled)
    assert state(compacted) == state(replayed(in_order))
    assert everything(compacted) == everything(replayed(in_order))
    journal = Journaled()  # a start: the journal's entries replayed, compacted once all are in
    journal.journal = list(shuffled)
    journal.roster.replay(shuffled)
    assert state(journal.roster) == state(replayed(in_order))
    assert everything(journal.roster) == everything(replayed(in_order))
    assert journal.reads == 0


def speech(first: int, count: int, who: str = "Alice") -> Forms:
    kinds = ("participant-speech-start", "participant-speech-stop")
    return [form(kinds[n % 2], first + n, who=who) for n in range(count)]


def test_a_long_meeting_keeps_a_bounded_tail_and_counts_every_callback() -> None:
    fed = Journaled()
    meeting = [form("participant-join", 1, who="Alice"), *speech(2, 99)]
    roster = fed.feed(events(meeting))
    assert kept(roster) < COMPACT_AT
    assert roster.folded_counts(CONFERENCE_SID) == (100, 0)
    assert state(roster) == state(replayed(events(meeting)))
    assert everything(roster) == everything(replayed(events(meeting)))
    assert fed.reads == 0  # in order: the journal is never read


def test_a_duplicate_older_than_the_checkpoint_changes_nothing_and_reads_nothing() -> None:
    fed = Journaled()
    roster = fed.feed(events([form("participant-join", 1, who="Alice"), *speech(2, 30)]))
    heard: list[list[Change]] = []
    roster.changed.connect(heard.append)
    fed.feed(events([form("participant-speech-start", 2, who="Alice")]))
    assert heard == [] and fed.reads == 0


def test_a_callback_older_than_the_checkpoint_refolds_from_the_journal_and_is_told() -> None:
    """Bob's leave comes after thirty newer callbacks: the journal holds what the checkpoint
    folded away, the roster folds it all again and the views hear that Bob left."""
    fed = Journaled()
    joins = [form("participant-join", 1, who="Alice"), form("participant-join", 2, who="Bob")]
    fed.feed(events([*joins, *speech(4, 30)]))
    heard: list[Change] = []
    fed.roster.changed.connect(heard.extend)
    late = events([form("participant-leave", 3, who="Bob")])
    roster = fed.feed(late)
    assert fed.reads == 1
    assert Change(ChangeKind.PARTICIPANT_LEFT, CONFERENCE_SID, call_sid("Bob")) in heard
    in_order = replayed(events([*joins, form("participant-leave", 3, who="Bob"), *speech(4, 30)]))
    assert state(roster) == state(in_order)
    assert everything(roster) == everything(in_order)
    assert kept(roster) < COMPACT_AT  # compacted again as it refolded


def test_seen_sequences_keep_runs() -> None:
    seen = SeenSequences()
    seen.update([5, 1, 2, 3, 7, 6])
    assert [n for n in range(10) if n in seen] == [1, 2, 3, 5, 6, 7]
    assert seen.runs == 2 and len(seen) == 6
    seen.add(4)
    assert seen.runs == 1 and len(seen) == 7
    seen.add(4)
    assert len(seen) == 7
