"""How a live conference's fold stays bounded: older entries become a checkpoint plus a tail.

A four-hour meeting of 250 people is about 288,000 callbacks; keeping every one in memory to
refold a participant when a late callback arrives grew the console by ~1.2 KB per callback.
Once a conference holds COMPACT_AT entries, all but the newest KEEP are folded into a
checkpoint (the state just before the oldest kept entry) and dropped: a late callback within
the tail refolds from the checkpoint exactly as before. What is below the checkpoint is only
asked again when a callback older than the whole tail arrives (Twilio's reordering is seconds;
the tail is minutes of the busiest meeting): then the conference is refolded from its full
history (the journal), so the fold is the same function of the same callbacks either way.
Duplicates below the checkpoint are recognised by their sequence numbers (SeenSequences).

`Compacting` is a part of `Roster` (roster.py), as past_fold.py's `PastFolding` is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from moderator.domain.events import ConferenceEvent
from moderator.domain.fold import Entry, step
from moderator.domain.roster_types import START, ConferenceRecord, EntryKey, PastLoader
from moderator.domain.seen import SeenSequences, drop_below
from moderator.domain.state import Conference
from moderator.domain.timeline import Timelines

KEEP = 10_000  # the newest entries kept as they came (a late callback within them refolds)
# Folding into the checkpoint costs about 20 µs an entry on the event loop: a step of 500 is a
# pause of about 10 ms every 500 callbacks, not one of 160 ms every 8,000.
STEP = 500
COMPACT_AT = KEEP + STEP  # entries of one conference before the oldest STEP are folded


class Compacting:
    """Roster's checkpoints: a conference past COMPACT_AT entries keeps the newest KEEP."""

    # what Roster.__init__ sets
    _load_past: PastLoader | None
    _replaying: bool
    timelines: Timelines

    def _insert(self, record: ConferenceRecord, key: EntryKey, entry: Entry) -> set[str]:
        raise NotImplementedError  # Roster folds an entry in

    def _compact(self, record: ConferenceRecord) -> None:
        """Past COMPACT_AT entries, fold all but the newest KEEP into the checkpoint (only
        where the full history can be read again: the console's roster, not a report's)."""
        if len(record.entries) < COMPACT_AT or self._replaying or self._load_past is None:
            return
        keys = sorted(record.entries)
        floor = keys[-KEEP]
        conference = record.checkpoint or Conference(sid=record.conference.sid, friendly_name="")
        for key in keys[:-KEEP]:
            conference = step(conference, record.checkpoint_base, record.entries.pop(key))
            if key.snapshot:
                record.snapshots_below += 1
            else:
                record.below.add(key.sequence)
        record.checkpoint = conference
        record.floor = floor
        for call_sid in list(record.by_call):
            drop_below(record.by_call[call_sid], floor)
            if not record.by_call[call_sid]:
                del record.by_call[call_sid]
        drop_below(record.shared, floor)
        self.timelines.compact(record.conference.sid, floor)

    def _refold_history(self, record: ConferenceRecord, key: EntryKey, entry: Entry) -> set[str]:
        """An entry older than the checkpoint (and not a duplicate): fold the conference again
        from its full history (the journal, through `load_past`) with the tail kept here and
        this entry. The overlays and what the views were last told stay, so the caller's
        recompose announces just what differs."""
        assert record.floor is not None
        floor, sid = record.floor, record.conference.sid
        history = _keyed(self._load_past(sid) if self._load_past is not None else ())
        entries = {k: e for k, e in history if k < floor} | record.entries | {key: entry}
        order = list(record.base)
        record.conference = Conference(sid=sid, friendly_name=record.conference.friendly_name)
        record.entries, record.base = {}, {}
        record.by_call, record.shared, record.last_key = {}, [], START
        record.floor, record.checkpoint, record.checkpoint_base = None, None, {}
        record.below, record.snapshots_below = SeenSequences(), 0
        self.timelines.drop(sid)
        for k in sorted(entries):
            self._insert(record, k, entries[k])
            self.timelines.add(k, entries[k], record.base)
            self._compact(record)
        record.base = {**{s: record.base[s] for s in order if s in record.base}, **record.base}
        return set(record.base)


def below_floor(record: ConferenceRecord, key: EntryKey) -> bool:
    """Is `key` older than the conference's checkpoint?"""
    return record.floor is not None and key < record.floor


def _keyed(entries: Iterable[Entry]) -> Iterator[tuple[EntryKey, Entry]]:
    """Journaled entries with the keys the roster files them under."""
    taken: set[EntryKey] = set()
    for entry in entries:
        if isinstance(entry, ConferenceEvent):
            key = EntryKey(entry.sequence, 0)
        else:
            key = EntryKey(entry.after_sequence, 1, int(entry.taken_at.timestamp() * 1_000_000))
            while key in taken:
                key = key._replace(taken=key.taken + 1)
        taken.add(key)
        yield key, entry
