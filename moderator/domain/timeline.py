"""Who was present, muted, on hold and speaking when: spans and talk time from the callbacks.

Pure Python. Each participant's spans are a fold of its own callbacks and the entries that touch
everyone (conference-end, REST snapshots) in sequence order, reusing the roster's fold, so the
spans agree with the tiles and converge whatever order Twilio delivered in. A callback newer
than everything seen extends the spans in place; a late one refolds just its participant (a late
conference-level entry refolds everyone). Totals of closed spans are kept, so the talk time of a
tile is O(1) to read at any moment.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from moderator.domain.events import EventKind
from moderator.domain.fold import (
    Entry,
    end_participant,
    listed_only,
    participant_of,
    snapshot_participant,
    step_participant,
    touches_everyone,
)
from moderator.domain.names import display_name
from moderator.domain.seen import drop_below
from moderator.domain.snapshots import ConferenceSnapshot
from moderator.domain.state import ConferenceStatus, Participant

Key = tuple[int, int, int]  # the roster's entry key: (sequence, 0, 0) or (after, 1, n)


class Track(str, Enum):
    """A kind of span on a participant's row."""

    PRESENT = "present"
    MUTED = "muted"
    HOLD = "hold"
    SPEAKING = "speaking"


def _flags(participant: Participant | None) -> dict[Track, bool]:
    present = participant is not None and participant.present
    return {
        Track.PRESENT: present,
        Track.MUTED: present and participant is not None and participant.muted,
        Track.HOLD: present and participant is not None and participant.hold,
        Track.SPEAKING: present and participant is not None and participant.speaking,
    }


def entry_time(entry: Entry) -> datetime:
    return entry.taken_at if isinstance(entry, ConferenceSnapshot) else entry.timestamp


@dataclass(frozen=True, slots=True)
class Span:
    """[start, end) of one state; end None while it lasts."""

    start: datetime
    end: datetime | None = None

    def seconds(self, until: datetime) -> float:
        end = self.end if self.end is not None else until
        return max(0.0, (end - self.start).total_seconds())


@dataclass
class _Lane:
    """One participant's fold state and spans."""

    call_sid: str
    state: Participant | None = None
    last_key: Key = (-1, 0, 0)
    closed: dict[Track, list[Span]] = field(default_factory=lambda: {t: [] for t in Track})
    totals: dict[Track, float] = field(default_factory=lambda: dict.fromkeys(Track, 0.0))
    open: dict[Track, datetime] = field(default_factory=dict)

    def advance(self, entry: Entry, key: Key, folded: Participant | None = None) -> None:
        """Step to the state after `entry`; `folded` is that state when the roster has it."""
        before = self.state
        if folded is not None:
            after: Participant | None = folded
        elif isinstance(entry, ConferenceSnapshot):
            after = snapshot_participant(before, self.call_sid, entry)
        elif entry.kind is EventKind.CONFERENCE_END:
            after = before and end_participant(before, entry)
        else:
            after = step_participant(before, entry)
        self.state = after
        self.last_key = key
        at = entry_time(entry)
        for track, on in _flags(after).items():
            start = self.open.get(track)
            if on and start is None:
                self.open[track] = at
            elif not on and start is not None:
                span = Span(start, max(start, at))
                self.closed[track].append(span)
                self.totals[track] += span.seconds(at)
                del self.open[track]

    def seconds(self, track: Track, until: datetime) -> float:
        start = self.open.get(track)
        return self.totals[track] + (Span(start).seconds(until) if start is not None else 0.0)

    def copy(self) -> _Lane:
        """A lane to advance further, leaving this one as it is (spans are immutable)."""
        closed = {track: list(spans) for track, spans in self.closed.items()}
        return _Lane(
            self.call_sid, self.state, self.last_key, closed, dict(self.totals), dict(self.open)
        )


@dataclass(frozen=True)
class ParticipantTimeline:
    """One participant's spans per track (open spans end None) and who they are."""

    call_sid: str
    label: str | None
    spans: dict[Track, tuple[Span, ...]]
    shown_as: str | None = None  # the one display name (the roster's `timeline` sets it)

    @property
    def name(self) -> str:
        return self.shown_as or display_name(label=self.label)

    def seconds(self, track: Track, until: datetime) -> float:
        return sum((span.seconds(until) for span in self.spans[track]), 0.0)


@dataclass(frozen=True)
class ConferenceTimeline:
    """A conference's spans; `last_moment` is the latest time any of its entries carries."""

    conference_sid: str
    started_at: datetime | None
    ended_at: datetime | None
    last_moment: datetime | None
    participants: tuple[ParticipantTimeline, ...]

    def named(self, names: Mapping[str, str]) -> ConferenceTimeline:
        """The same spans with each row called by its display name (call SID -> name)."""
        rows = tuple(
            replace(p, shown_as=names.get(p.call_sid, p.shown_as)) for p in self.participants
        )
        return replace(self, participants=rows)

    @property
    def own_span(self) -> Span | None:
        """The conference's own span, started to ended (open while it runs): its row's bar."""
        return Span(self.started_at, self.ended_at) if self.started_at else None

    @property
    def first_moment(self) -> datetime | None:
        """When the timeline begins: the conference start, else the first presence."""
        starts = [s.start for p in self.participants for s in p.spans[Track.PRESENT]]
        candidates = [*starts, *([self.started_at] if self.started_at else [])]
        return min(candidates) if candidates else None

    def until(self, now: datetime | None = None) -> datetime | None:
        """Where open spans stop: the end (else `now`), but never before the last moment known
        (a clock behind Twilio's, or a stray callback after the end, must not cut spans)."""
        moments = [m for m in (self.ended_at or now, self.last_moment) if m is not None]
        return max(moments) if moments else None

    def duration_seconds(self, now: datetime | None = None) -> float | None:
        begin, end = self.started_at or self.first_moment, self.until(now)
        if begin is None or end is None:
            return None
        return max(0.0, (end - begin).total_seconds())

    def peak_participants(self) -> int:
        """Most people present at once (a leave and a join at the same moment do not overlap)."""
        edges: list[tuple[datetime, int]] = []
        for participant in self.participants:
            for span in participant.spans[Track.PRESENT]:
                edges.append((span.start, 1))
                if span.end is not None:
                    edges.append((span.end, -1))
        peak = count = 0
        for _, delta in sorted(edges):  # -1 sorts before +1 at the same moment
            count += delta
            peak = max(peak, count)
        return peak


@dataclass
class _TimelineRecord:
    """Everything the timelines keep about one conference: its entries and each call's lanes."""

    entries: dict[Key, Entry] = field(default_factory=dict)
    lanes: dict[str, _Lane] = field(default_factory=dict)
    by_call: dict[str, list[Key]] = field(default_factory=dict)
    shared: list[Key] = field(default_factory=list)
    started: tuple[int, datetime] | None = None  # (sequence, time) of the first conference-start
    # each lane as it stood before the roster's compaction floor (the entries below are gone)
    checkpoint: dict[str, _Lane] = field(default_factory=dict)
    ended_at: datetime | None = None
    last_moment: datetime | None = None


class Timelines:
    """Spans of every conference, fed the roster's entries (any order, duplicates ignored)."""

    def __init__(self) -> None:
        self._records: dict[str, _TimelineRecord] = {}
        # asked before a query about a conference not fed yet: the roster folds a past one
        self.missing: Callable[[str], None] = lambda conference_sid: None
        # lanes rebuilt from all their entries: what late entries cost (tests, benchmarks)
        self.refolds = 0

    def drop(self, conference_sid: str) -> None:
        """Forget a conference's spans (the roster keeps only a past conference's summary)."""
        self._records.pop(conference_sid, None)

    def _record(self, conference_sid: str) -> _TimelineRecord | None:
        if conference_sid not in self._records:
            self.missing(conference_sid)
        return self._records.get(conference_sid)

    def add(self, key: Key, entry: Entry, folded: Mapping[str, Participant] | None = None) -> None:
        """Fold in one callback or snapshot stored by the roster under `key`.

        `folded`: the roster's participants after this entry, when it was newer than everything
        (both folds are the same function of the same entries: this saves stepping twice).
        """
        record = self._records.setdefault(entry.conference_sid, _TimelineRecord())
        if key in record.entries:
            return
        record.entries[key] = entry
        at = entry_time(entry)
        record.last_moment = at if record.last_moment is None else max(record.last_moment, at)
        self._note_conference(record, entry)
        own = _own(entry)
        if own is not None:  # about these participants only
            for sid in own:
                insort(record.by_call.setdefault(sid, []), key)
            lanes = list(own)
        elif touches_everyone(entry):
            insort(record.shared, key)
            lanes = _with_listed(record.lanes, entry)
        else:
            return
        for sid in lanes:
            lane = record.lanes.get(sid)
            if lane is not None and key > lane.last_key:
                lane.advance(entry, key, folded.get(sid) if folded else None)
            else:
                record.lanes[sid] = self._refold(record, sid)
                if lane is not None:
                    self.refolds += 1

    @staticmethod
    def _note_conference(record: _TimelineRecord, entry: Entry) -> None:
        if isinstance(entry, ConferenceSnapshot):
            if entry.status == ConferenceStatus.COMPLETED:
                record.ended_at = min(filter(None, (record.ended_at, entry.taken_at)))
            return
        if entry.kind is EventKind.CONFERENCE_START:
            if record.started is None or entry.sequence < record.started[0]:
                record.started = (entry.sequence, entry.timestamp)
        elif entry.kind is EventKind.CONFERENCE_END:
            record.ended_at = min(filter(None, (record.ended_at, entry.timestamp)))

    def compact(self, conference_sid: str, floor: Key) -> None:
        """Fold the entries below `floor` into each lane's checkpoint and forget them (the
        roster's compaction: an entry below the floor makes it refold from the journal)."""
        record = self._records.get(conference_sid)
        if record is None:
            return
        checkpoint = record.checkpoint
        for key in sorted(k for k in record.entries if k < floor):
            entry = record.entries.pop(key)
            own = _own(entry)
            if own is None and not touches_everyone(entry):
                continue
            for sid in own if own is not None else _with_listed(checkpoint, entry):
                checkpoint.setdefault(sid, _Lane(sid)).advance(entry, key)
        for sid, lane in record.lanes.items():  # one Span object for both: the older spans
            start = checkpoint.get(sid)  # are the same in the lane as in its checkpoint
            for track, spans in start.closed.items() if start is not None else ():
                lane.closed[track][: len(spans)] = spans
        for keys in record.by_call.values():
            drop_below(keys, floor)
        drop_below(record.shared, floor)

    @staticmethod
    def _refold(record: _TimelineRecord, call_sid: str) -> _Lane:
        start = record.checkpoint.get(call_sid)
        lane = start.copy() if start is not None else _Lane(call_sid)
        keys: Iterable[Key] = heapq.merge(record.by_call.get(call_sid, []), record.shared)
        for key in keys:
            lane.advance(record.entries[key], key)
        return lane

    # ---- queries ---------------------------------------------------------------------------

    def seconds(self, conference_sid: str, call_sid: str, track: Track, until: datetime) -> float:
        """Seconds `call_sid` spent in `track` up to `until` (open spans end there)."""
        record = self._record(conference_sid)
        lane = record.lanes.get(call_sid) if record else None
        return lane.seconds(track, until) if lane else 0.0

    def talk_total(self, conference_sid: str, until: datetime) -> float:
        """Everyone's talk seconds together, for each person's share."""
        record = self._record(conference_sid)
        if record is None:
            return 0.0
        return sum(lane.seconds(Track.SPEAKING, until) for lane in record.lanes.values())

    def speaking_since(self, conference_sid: str) -> dict[str, datetime]:
        """Who is speaking now and since when."""
        record = self._record(conference_sid)
        if record is None:
            return {}
        return {
            sid: lane.open[Track.SPEAKING]
            for sid, lane in record.lanes.items()
            if Track.SPEAKING in lane.open
        }

    def conference(self, conference_sid: str) -> ConferenceTimeline | None:
        """A frozen copy of the conference's spans (for a timeline view or a report)."""
        record = self._record(conference_sid)
        if record is None:
            return None
        participants: list[ParticipantTimeline] = []
        for sid, lane in record.lanes.items():
            if lane.state is None:
                continue  # only named in a snapshot that did not list them as present
            spans = {
                track: (
                    *lane.closed[track],
                    *([Span(lane.open[track])] if track in lane.open else []),
                )
                for track in Track
            }
            participants.append(ParticipantTimeline(sid, lane.state.label, spans))
        return ConferenceTimeline(
            conference_sid=conference_sid,
            started_at=record.started[1] if record.started else None,
            ended_at=record.ended_at,
            last_moment=record.last_moment,
            participants=tuple(sorted(participants, key=_first_presence)),
        )


def _own(entry: Entry) -> tuple[str, ...] | None:
    """The participants an entry is about alone (None: everyone, or no one)."""
    call_sid = participant_of(entry)
    return (call_sid,) if call_sid is not None else listed_only(entry)


def _with_listed(lanes: Mapping[str, _Lane], entry: Entry) -> list[str]:
    """The lanes an entry that touches everyone advances: every one so far and those listed."""
    listed = (
        [p.call_sid for p in entry.participants] if isinstance(entry, ConferenceSnapshot) else []
    )
    return [*lanes, *(s for s in listed if s not in lanes)]


def _first_presence(participant: ParticipantTimeline) -> tuple[bool, float, str]:
    """Rows in the order people first came in (the call SID breaks ties, for a stable order)."""
    present = participant.spans[Track.PRESENT]
    first = present[0].start.timestamp() if present else 0.0
    return (not present, first, participant.call_sid)


@dataclass(frozen=True)
class Marker:
    """Something the host or a rule did, for a timeline: `by` is "host" or the rule's name."""

    at: datetime
    kind: str
    by: str
    call_sid: str | None = None
    ok: bool | None = None
