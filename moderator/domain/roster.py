"""The roster: every conference seen and its participants, rebuilt from callbacks in any order.

State is a pure function of the set of callbacks received: each conference keeps its callbacks
keyed by SequenceNumber and the state is their fold in sequence order. A callback newer than
everything seen is applied in place (the common case); an older one (Twilio does not promise
order) refolds just its participant, or the whole conference for a conference-level callback.
Duplicates are ignored. REST snapshots taken by a reconcile are folded in at the position where
they were taken. The fold itself lives in fold.py.

Console-side facts that are not in callbacks (a pending action, the caller's number, the presenter
the host picked) are overlays kept beside the fold.

An ended conference can be known by its summary alone (`add_past`): its callbacks are folded,
from `load_past`, the first time anything asks about its participants or timeline or a late
callback for it arrives. Listing conferences never folds one. That part is past_fold.py's; the
changes announced and the record kept per conference are roster_types.py's.

A long meeting's older entries become a checkpoint plus a tail (compaction.py's Compacting), so
its memory stays bounded while the fold stays the fold of every callback.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from moderator.dispatch import Signal
from moderator.domain.actions import ActionKind, PendingAction, Scope, Target
from moderator.domain.compaction import Compacting, below_floor
from moderator.domain.events import ConferenceEvent, EventKind
from moderator.domain.fold import (
    Entry,
    fold_participant,
    listed_only,
    participant_of,
    step,
    step_conference,
    touches_everyone,
)
from moderator.domain.past_fold import PastFolding
from moderator.domain.roster_types import (
    ANNOUNCEMENT_CHANGES,
    Change,
    ChangeKind,
    ConferenceRecord,
    EntryKey,
    PastLoader,
)
from moderator.domain.snapshots import ConferenceSnapshot
from moderator.domain.state import Conference, Participant, PastConference, evolve
from moderator.domain.timeline import ConferenceTimeline, Timelines

__all__ = [
    "Change",
    "ChangeKind",
    "Conference",
    "Participant",
    "PastConference",
    "PastLoader",
    "Roster",
]


class Roster(PastFolding, Compacting):
    """All conferences and participants, converging whatever order callbacks arrive in."""

    def __init__(self, load_past: PastLoader | None = None) -> None:
        self._records: dict[str, ConferenceRecord] = {}
        # the pending overlay of conferences and meetings, one mark per kind: a conference may
        # be ending while its recording stops (a participant's one mark is in its record)
        self._marks: dict[Target, dict[ActionKind, PendingAction]] = {}
        # every mutation that changed something; not while a past conference is folded in
        self.changed: Signal[[list[Change]]] = Signal("roster.changed")
        self._callers: dict[str, str] = {}  # call sid -> From, as the voice route saw it
        self._caller_names: dict[str, str] = {}  # call sid -> CallerName (Twilio's lookup)
        self._name_of: Callable[[str | None], str | None] = lambda number: None
        self._load_past = load_past
        self._quiet = False  # folding a past conference in: nobody is told
        self._replaying = False  # a journal's entries: compacted once they are all in
        self.timelines = Timelines()  # spans and talk time, fed the same entries
        self.timelines.missing = self._unfolded

    # ---- observers -------------------------------------------------------------------------

    def _notify(self, changes: list[Change]) -> list[Change]:
        if changes and not self._quiet:
            self.changed.emit(changes)
        return changes

    # ---- queries ---------------------------------------------------------------------------

    def arrange(self, order: Sequence[str]) -> None:
        """Put the conferences in this order (oldest first); any not named keep theirs, last."""
        rank = {sid: index for index, sid in enumerate(order)}
        ordered = sorted(self._records, key=lambda sid: rank.get(sid, len(rank)))
        self._records = {sid: self._records[sid] for sid in ordered}

    def conferences(self) -> list[Conference]:
        """Every conference seen, oldest first."""
        return [record.shown or record.conference for record in self._records.values()]

    def conference(self, sid: str) -> Conference | None:
        record = self._records.get(sid)
        return (record.shown or record.conference) if record else None

    def timeline(self, conference_sid: str) -> ConferenceTimeline | None:
        """The conference's spans, each row called as its tile is (the one display name)."""
        timeline = self.timelines.conference(conference_sid)
        if timeline is None:
            return None
        return timeline.named(
            {p.call_sid: p.display_name for p in self.participants(conference_sid)}
        )

    def find_conference(self, sid_or_name: str) -> Conference | None:
        """The conference with this SID, else the newest with this friendly name."""
        if sid_or_name in self._records:
            return self.conference(sid_or_name)
        named = [c for c in self.conferences() if c.friendly_name == sid_or_name]
        return named[-1] if named else None

    def participants(self, conference_sid: str, *, present_only: bool = False) -> list[Participant]:
        """Participants in the order they were first seen."""
        record = self._folded(conference_sid)
        if record is None:
            return []
        return [p for p in record.view.values() if p.present or not present_only]

    def present_or_ringing(self, conference_sid: str) -> list[Participant]:
        """Who is in the call or being dialled (a tile each), in the order first seen; a past
        conference with nobody so is not folded to say so."""
        record = self._records.get(conference_sid)
        if record is not None and record.past is not None and not record.past.present_or_ringing:
            return []
        return [p for p in self.participants(conference_sid) if p.present or p.ringing]

    def participant(self, conference_sid: str, call_sid: str) -> Participant | None:
        record = self._folded(conference_sid)
        return record.view.get(call_sid) if record else None

    def find_call(self, call_sid: str, *, present_only: bool = False) -> Participant | None:
        """The call where the roster saw it last: in the newest conference that has it (and
        where it is present, with `present_only`). Only folded conferences are looked in: a
        past one known by its summary is not folded for a question about a call of now."""
        for record in reversed(self._records.values()):
            participant = record.view.get(call_sid) if record.past is None else None
            if participant is not None and (participant.present or not present_only):
                return participant
        return None

    def pending(self, conference_sid: str, call_sid: str) -> PendingAction | None:
        """The action sent for this participant and not yet confirmed (the overlay)."""
        record = self._records.get(conference_sid)
        return record.pending.get(call_sid) if record else None

    def pending_on(self, target: Target, *kinds: ActionKind) -> PendingAction | None:
        """The action sent for this participant, conference or meeting and not yet confirmed;
        with `kinds`, the newest of those kinds (a conference's recording, its end)."""
        if target.scope is Scope.PARTICIPANT:
            assert target.call_sid is not None
            mark = self.pending(target.key, target.call_sid)
            return mark if mark is None or not kinds or mark.kind in kinds else None
        marks = [m for k, m in self._marks.get(target, {}).items() if not kinds or k in kinds]
        return max(marks, key=lambda mark: mark.token, default=None)

    def presenter(self, conference_sid: str) -> str | None:
        """The host's chosen presenter, else the present participant who runs the conference."""
        record = self._folded(conference_sid)
        return _presenter_of(record) if record else None

    def chosen_presenter(self, conference_sid: str) -> str | None:
        """The presenter the host picked (None: the automatic choice stands)."""
        record = self._records.get(conference_sid)
        return record.chosen_presenter if record else None

    def last_sequence(self, conference_sid: str) -> int:
        record = self._records.get(conference_sid)
        return record.max_sequence if record else 0

    # ---- callbacks and snapshots -----------------------------------------------------------

    def apply(self, event: ConferenceEvent) -> list[Change]:
        """Fold one callback in. Returns (and announces) what changed; [] for a duplicate."""
        key = EntryKey(event.sequence, 0)
        record, changes = self._record_for(event.conference_sid, event.friendly_name)
        if key in record.entries or (below_floor(record, key) and key.sequence in record.below):
            return self._notify(changes)
        previous_max = record.max_sequence
        if event.sequence > previous_max + 1:
            changes.append(Change(ChangeKind.SEQUENCE_GAP, event.conference_sid))
        affected = self._add(record, key, event)
        changes += self._confirm_pending(record, event)
        if event.kind in ANNOUNCEMENT_CHANGES:
            changes.append(
                Change(
                    ANNOUNCEMENT_CHANGES[event.kind],
                    event.conference_sid,
                    event.call_sid,
                    announce_url=event.announce_url,
                    reason=event.announcement_failed,
                )
            )
        changes += self._recompose(record, affected)
        return self._notify(changes)

    def apply_snapshot(self, snapshot: ConferenceSnapshot) -> list[Change]:
        """Fold in what Twilio's REST API reported, at the sequence position it was taken."""
        record, changes = self._record_for(snapshot.conference_sid, snapshot.friendly_name)
        # Snapshots taken at the same sequence position are ordered by when they were taken.
        key = EntryKey(snapshot.after_sequence, 1, int(snapshot.taken_at.timestamp() * 1_000_000))
        while key in record.entries:
            key = key._replace(taken=key.taken + 1)
        affected = self._add(record, key, snapshot)
        for call_sid in list(record.pending):
            base = record.base.get(call_sid)
            if base is not None and not base.present:
                del record.pending[call_sid]
        changes += self._recompose(record, affected)
        return self._notify(changes)

    def replay(self, entries: Iterable[Entry]) -> None:
        """Rebuild from journaled callbacks and snapshots (announces the changes as usual).

        A journal lists a conference's snapshots after its callbacks: compacting before the
        end would make each of them refold the conference from the journal again."""
        replaying, self._replaying = self._replaying, True
        sids: set[str] = set()
        try:
            for entry in entries:
                sids.add(entry.conference_sid)
                if isinstance(entry, ConferenceEvent):
                    self.apply(entry)
                else:
                    self.apply_snapshot(entry)
        finally:
            self._replaying = replaying
        for sid in sids & self._records.keys():
            self._compact(self._records[sid])

    # ---- overlays --------------------------------------------------------------------------

    def mark_pending(
        self,
        conference_sid: str,
        call_sid: str,
        kind: ActionKind,
        now: datetime,
        *,
        token: int = 0,
    ) -> list[Change]:
        """Show `kind` as sent and unconfirmed until its callback arrives or it is rolled back.

        The overlay is the one record of pending actions: the tile, the grid's animation and
        the control service's wait for confirmation all read it here.
        """
        record = self._folded(conference_sid)
        if record is None or call_sid not in record.base:
            return []
        record.pending[call_sid] = PendingAction(kind, now, record.max_sequence, token)
        return self._notify(self._recompose(record, {call_sid}))

    def mark(self, target: Target, kind: ActionKind, now: datetime, *, token: int) -> None:
        """The one pending overlay, for any target: a participant's mark shows on its tile (and
        is announced as a change; a newer one replaces it); a conference's or a meeting's is read
        with `pending_on`, one mark per kind (a newer one of the same kind replaces it)."""
        if target.scope is Scope.PARTICIPANT:
            assert target.call_sid is not None
            self.mark_pending(target.key, target.call_sid, kind, now, token=token)
        else:
            mark = PendingAction(kind, now, self.last_sequence(target.key), token)
            self._marks.setdefault(target, {})[kind] = mark

    def unmark(self, target: Target, *, token: int) -> None:
        """Roll back (or resolve) the mark `token` set; a newer action's mark stays."""
        if target.scope is Scope.PARTICIPANT:
            assert target.call_sid is not None
            self.clear_pending(target.key, target.call_sid, token=token)
        else:
            marks = self._marks.get(target, {})
            for kind, mark in list(marks.items()):
                if mark.token == token:
                    del marks[kind]
            if not marks:
                self._marks.pop(target, None)

    def clear_pending(
        self,
        conference_sid: str,
        call_sid: str,
        kind: ActionKind | None = None,
        *,
        token: int | None = None,
    ) -> list[Change]:
        """Roll back (or resolve) a pending action; with `kind` or `token`, only that one."""
        record = self._records.get(conference_sid)
        if record is None:
            return []
        pending = record.pending.get(call_sid)
        if pending is None or (kind is not None and pending.kind != kind):
            return []
        if token is not None and pending.token != token:
            return []
        del record.pending[call_sid]
        return self._notify(self._recompose(record, {call_sid}))

    def set_number(self, conference_sid: str, call_sid: str, number: str) -> list[Change]:
        """Remember the caller's phone number (from Twilio's Calls resource)."""
        record = self._folded(conference_sid)
        if record is None or call_sid not in record.base:
            return []
        record.numbers[call_sid] = number
        return self._notify(self._recompose(record, {call_sid}))

    def note_caller(self, call_sid: str, number: str, caller_name: str | None = None) -> None:
        """The voice route saw this call's From (and CallerName) before it joined: no Calls
        lookup needed."""
        if number:
            self._callers[call_sid] = number
        if caller_name:
            self._caller_names[call_sid] = caller_name

    def set_names(self, name_of: Callable[[str | None], str | None]) -> list[Change]:
        """Name participants by their number (the address book); every tile is renamed."""
        self._name_of = name_of
        changes: list[Change] = []
        for record in self._records.values():
            if record.past is None:  # a past one is named as it is folded
                changes += self._recompose(record, set(record.base))
        return self._notify(changes)

    def choose_presenter(self, conference_sid: str, call_sid: str | None) -> list[Change]:
        """The host marks the presenter (None returns to the automatic choice)."""
        record = self._folded(conference_sid)
        if record is None:
            return []
        record.chosen_presenter = call_sid
        return self._notify(self._recompose(record, set()))

    # ---- the fold --------------------------------------------------------------------------

    def _record_for(self, sid: str, friendly_name: str) -> tuple[ConferenceRecord, list[Change]]:
        record = self._records.get(sid)
        if record is not None:
            # a late callback for a past conference: fold it first, then this one on top
            return record, self._fold_past(record) if record.past is not None else []
        record = ConferenceRecord(Conference(sid=sid, friendly_name=friendly_name))
        self._records[sid] = record
        return record, [Change(ChangeKind.CONFERENCE_ADDED, sid)]

    def _add(self, record: ConferenceRecord, key: EntryKey, entry: Entry) -> set[str]:
        """Fold a new entry in (and into the timelines); returns the call SIDs whose base state
        may differ. A long conference's older entries are then compacted."""
        if below_floor(record, key):
            return self._refold_history(record, key, entry)
        in_order = key > record.last_key
        affected = self._insert(record, key, entry)
        self.timelines.add(key, entry, record.base if in_order else None)
        self._compact(record)
        return affected

    def _insert(self, record: ConferenceRecord, key: EntryKey, entry: Entry) -> set[str]:
        """Store `entry` and update the fold; returns the call SIDs whose base state may differ."""
        record.entries[key] = entry
        listed = listed_only(entry)
        if listed is not None:
            return self._insert_listed(record, key, entry, listed)
        call_sid = participant_of(entry)
        if call_sid is not None:
            bisect.insort(record.by_call.setdefault(call_sid, []), key)
        elif touches_everyone(entry):
            bisect.insort(record.shared, key)
        if key > record.last_key:  # the common case: newer than anything seen
            record.last_key = key
            record.conference = step(record.conference, record.base, entry)
            if call_sid is not None:
                return {call_sid}
            return set(record.base) if touches_everyone(entry) else set()
        if call_sid is not None:
            # A late participant callback changes only that participant: refold just them.
            assert isinstance(entry, ConferenceEvent)
            record.conference = step_conference(record.conference, entry)
            keys = heapq.merge(record.by_call[call_sid], record.shared)
            record.base[call_sid] = fold_participant(
                (record.entries[k] for k in keys), call_sid, record.checkpoint_base.get(call_sid)
            )
            return {call_sid}
        # A late conference-level entry (or a snapshot on replay): refold everything in order.
        conference = record.checkpoint or Conference(sid=record.conference.sid, friendly_name="")
        base = dict(record.checkpoint_base)
        for _, earlier in sorted(record.entries.items(), key=lambda item: item[0]):
            conference = step(conference, base, earlier)
        if not conference.friendly_name:
            conference = replace(conference, friendly_name=record.conference.friendly_name)
        record.conference = conference
        record.base = {**{sid: base[sid] for sid in record.base if sid in base}, **base}
        return set(record.base)

    @staticmethod
    def _insert_listed(
        record: ConferenceRecord, key: EntryKey, entry: Entry, listed: tuple[str, ...]
    ) -> set[str]:
        """A snapshot about `listed` only: filed under each of them, refolding only them."""
        for call_sid in listed:
            bisect.insort(record.by_call.setdefault(call_sid, []), key)
        if key > record.last_key:
            record.last_key = key
            record.conference = step(record.conference, record.base, entry)
            return set(listed)
        for call_sid in listed:
            keys = heapq.merge(record.by_call[call_sid], record.shared)
            record.base[call_sid] = fold_participant(
                (record.entries[k] for k in keys), call_sid, record.checkpoint_base.get(call_sid)
            )
        return set(listed)

    def _confirm_pending(self, record: ConferenceRecord, event: ConferenceEvent) -> list[Change]:
        if event.call_sid is None or event.call_sid not in record.pending:
            return []
        pending = record.pending[event.call_sid]
        if pending.confirmed_by(event.kind, event.sequence):
            del record.pending[event.call_sid]
            return [
                Change(
                    ChangeKind.ACTION_CONFIRMED,
                    record.conference.sid,
                    event.call_sid,
                    pending.kind,
                    token=pending.token,
                )
            ]
        if event.kind is EventKind.PARTICIPANT_LEAVE:
            del record.pending[event.call_sid]  # gone: the action can no longer take effect
        return []

    def _recompose(self, record: ConferenceRecord, affected: set[str]) -> list[Change]:
        """Rebuild the shown participants in `affected` (and both presenters) and diff them."""
        presenter = _presenter(record, affected)
        if presenter != record.shown_presenter:
            affected = affected | {record.shown_presenter, presenter} - {None}  # type: ignore[operator]
            record.shown_presenter = presenter
        ordered = sorted(affected, key=_order_in(record.base)) if len(affected) > 1 else affected
        changes: list[Change] = []
        sid = record.conference.sid
        for call_sid in ordered:
            base = record.base.get(call_sid)
            if base is None:
                continue
            number = record.numbers.get(call_sid) or self._callers.get(call_sid)
            ordinal = record.ordinals.setdefault(call_sid, len(record.ordinals) + 1)
            new = evolve(
                base,
                pending=record.pending.get(call_sid),
                number=number,
                presenter=call_sid == presenter,
                name=self._name_of(number),
                caller_name=self._caller_names.get(call_sid),
                ordinal=ordinal,
            )
            old = record.view.get(call_sid)
            if old == new:
                continue
            record.view[call_sid] = new  # a new SID lands last, as in `base`: same order
            was_present = old is not None and old.present
            record.headcount += int(new.present) - int(was_present)
            if new.present and not was_present:
                changes.append(Change(ChangeKind.PARTICIPANT_JOINED, sid, call_sid))
            elif was_present and not new.present:
                changes.append(Change(ChangeKind.PARTICIPANT_LEFT, sid, call_sid))
            else:
                changes.append(Change(ChangeKind.PARTICIPANT_UPDATED, sid, call_sid))
        shown = evolve(record.conference, headcount=record.headcount)
        if shown != record.shown:
            if record.shown is not None:
                changes.append(Change(ChangeKind.CONFERENCE_UPDATED, sid))
            record.shown = shown
        return changes


def _order_in(base: dict[str, Participant]) -> Callable[[str], int]:
    positions = {sid: index for index, sid in enumerate(base)}
    return lambda sid: positions.get(sid, len(positions))


def _presenter(record: ConferenceRecord, affected: set[str]) -> str | None:
    """_presenter_of(record), looked for again only when it may have changed: it reads every
    participant (about 20 us a callback at 250 people), and a callback changes one.

    The views hold each participant's roles (present, starts or ends the conference) as of
    the last recompose that included them, and every change to `base` is recomposed with its
    participants in `affected`; so with the same chosen presenter, the same number of
    participants (base keeps its order) and no role changed among `affected` (a participant
    not yet shown counts as changed), the answer is the last one."""
    memo = record.presenter_memo
    if (
        memo is not None
        and memo[0] == record.chosen_presenter
        and memo[1] == len(record.base)
        and _roles_kept(record, affected)
    ):
        return memo[2]
    presenter = _presenter_of(record)
    record.presenter_memo = (record.chosen_presenter, len(record.base), presenter)
    return presenter


def _roles_kept(record: ConferenceRecord, affected: set[str]) -> bool:
    """No participant in `affected` changed what _presenter_of reads since it was last shown."""
    for call_sid in affected:
        base, shown = record.base.get(call_sid), record.view.get(call_sid)
        if (
            base is None
            or shown is None
            or base.present != shown.present
            or base.end_conference_on_exit != shown.end_conference_on_exit
            or base.start_conference_on_enter != shown.start_conference_on_enter
        ):
            return False
    return True


def _presenter_of(record: ConferenceRecord) -> str | None:
    chosen = record.chosen_presenter
    if chosen is not None and chosen in record.base and record.base[chosen].present:
        return chosen
    starter: str | None = None
    starters = 0
    for participant in record.base.values():
        if not participant.present:
            continue
        if participant.end_conference_on_exit:
            return participant.call_sid
        if participant.start_conference_on_enter:
            starter, starters = participant.call_sid, starters + 1
    return starter if starters == 1 else None
