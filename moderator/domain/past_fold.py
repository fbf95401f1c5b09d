"""The roster's ended conferences known by their summary alone, each folded from the journal
the first time anything asks about its participants or timeline, or a late callback for it
arrives (listing conferences never folds one); and put back to its summary once it is not
looked at (`unload`), so a long history costs the memory of its summaries only.

`PastFolding` is a part of `Roster` (roster.py), kept apart because it is one job: what a start
with a long journal does not fold, and when it is folded after all.
"""

from __future__ import annotations

from collections.abc import Iterable

from moderator.domain.fold import Entry
from moderator.domain.roster_types import Change, ChangeKind, ConferenceRecord, PastLoader
from moderator.domain.state import Conference, PastConference, took_part
from moderator.domain.timeline import Timelines


class PastFolding:
    """Roster's past conferences: added by summary, folded when first asked, unloaded again."""

    # what Roster.__init__ sets
    _records: dict[str, ConferenceRecord]
    _load_past: PastLoader | None
    _quiet: bool  # folding a past conference in: nobody is told
    timelines: Timelines

    def replay(self, entries: Iterable[Entry]) -> None:
        raise NotImplementedError  # Roster folds them

    def _notify(self, changes: list[Change]) -> list[Change]:
        raise NotImplementedError  # Roster tells its listeners

    def add_past(self, past: PastConference, *, announce: bool = False) -> None:
        """Know an ended conference by its summary; it is folded (from `load_past`) when first
        asked about. Announces nothing unless `announce` (set up while the views run: an older
        journal summarised in the background)."""
        sid = past.conference.sid
        self._records[sid] = ConferenceRecord(past.conference, shown=past.conference, past=past)
        if announce:
            self._notify([Change(ChangeKind.CONFERENCE_ADDED, sid)])

    def summary(self, sid: str) -> PastConference | None:
        """What `add_past` needs to stand in for this ended conference; None while it is live.

        Who took part is counted without the console's overlays (numbers, address-book names),
        which a later start does not have either.
        """
        record = self._records.get(sid)
        if record is None or record.past is not None:
            return record.past if record else None
        shown = record.shown or record.conference
        if shown.status.live:
            return None
        base = record.base.values()
        return PastConference(shown, took_part(base), sum(p.present or p.ringing for p in base))

    def unload(self, sid: str) -> None:
        """Forget an ended conference's fold, keeping its summary (folded again when asked)."""
        past = self.summary(sid)
        record = self._records.get(sid)
        if past is None or record is None or record.past is not None or record.pending:
            return
        self._records[sid] = ConferenceRecord(past.conference, shown=past.conference, past=past)
        self.timelines.drop(sid)

    def folded_counts(self, sid: str) -> tuple[int, int]:
        """How many callbacks (distinct sequence numbers) and snapshots its fold holds."""
        record = self._records.get(sid)
        if record is None or record.past is not None:
            return (0, 0)
        snapshots = sum(key.snapshot for key in record.entries)
        return (
            len(record.entries) - snapshots + len(record.below),
            snapshots + record.snapshots_below,
        )

    def is_folded(self, sid: str) -> bool:
        record = self._records.get(sid)
        return record is not None and record.past is None

    def took_part(self, conference_sid: str) -> int:
        """How many people took part (a past conference's summary says, without folding it)."""
        record = self._records.get(conference_sid)
        if record is None:
            return 0
        if record.past is not None:
            return record.past.took_part
        return took_part(record.view.values())

    def _folded(self, sid: str) -> ConferenceRecord | None:
        """The conference's record, folded first if only its summary was known."""
        record = self._records.get(sid)
        if record is not None and record.past is not None:
            self._fold_past(record)
        return record

    def _unfolded(self, sid: str) -> None:
        self._folded(sid)

    def _fold_past(self, record: ConferenceRecord) -> list[Change]:
        """Fold a past conference's journaled entries in without announcing them; a change to
        its summary (a late callback was journaled since) is returned for the caller to tell."""
        past = record.past
        assert past is not None
        sid = past.conference.sid
        record.past = None
        record.conference = Conference(sid=sid, friendly_name=past.conference.friendly_name)
        record.shown = None
        quiet, self._quiet = self._quiet, True
        try:
            self.replay(self._load_past(sid) if self._load_past is not None else ())
        finally:
            self._quiet = quiet
        if record.shown is None:  # nothing journaled after all: the summary is all there is
            record.conference = record.shown = past.conference
        if record.shown != past.conference or took_part(record.base.values()) != past.took_part:
            return [Change(ChangeKind.CONFERENCE_UPDATED, sid)]
        return []
