"""The roster's vocabulary: the changes it announces, and what it keeps about each conference
(its entries in fold order, the fold, the overlays, the indexes for a late callback)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from moderator.domain.actions import ActionKind, PendingAction
from moderator.domain.events import EventKind
from moderator.domain.fold import Entry
from moderator.domain.seen import SeenSequences
from moderator.domain.state import Conference, Participant, PastConference


class ChangeKind(str, Enum):
    CONFERENCE_ADDED = "conference-added"
    CONFERENCE_UPDATED = "conference-updated"
    PARTICIPANT_JOINED = "participant-joined"
    PARTICIPANT_UPDATED = "participant-updated"
    PARTICIPANT_LEFT = "participant-left"
    ACTION_CONFIRMED = "action-confirmed"
    ANNOUNCEMENT_ENDED = "announcement-ended"  # call_sid None: played to the whole conference
    ANNOUNCEMENT_FAILED = "announcement-failed"
    SEQUENCE_GAP = "sequence-gap"


@dataclass(frozen=True)
class Change:
    """One thing that changed in the roster; listeners (the UI, the control service) react."""

    kind: ChangeKind
    conference_sid: str
    call_sid: str | None = None
    action: ActionKind | None = None
    # announcements: what was played and, for a failure, Twilio's ReasonAnnouncementFailed
    announce_url: str | None = None
    reason: str | None = None
    token: int = 0  # ACTION_CONFIRMED: the confirmed PendingAction's token


PastLoader = Callable[[str], Iterable[Entry]]  # one conference's callbacks, then its snapshots
ANNOUNCEMENT_CHANGES = {
    EventKind.ANNOUNCEMENT_END: ChangeKind.ANNOUNCEMENT_ENDED,
    EventKind.ANNOUNCEMENT_FAIL: ChangeKind.ANNOUNCEMENT_FAILED,
}


class EntryKey(NamedTuple):
    """Where an entry folds in a conference's order: a callback at its SequenceNumber, a REST
    snapshot after the callback it was taken after (ties between snapshots by time taken)."""

    sequence: int  # a callback's SequenceNumber, or the last one a snapshot had seen
    snapshot: int  # 0 for a callback, 1 for a snapshot: a snapshot folds after its callback
    taken: int = 0  # a snapshot's time taken (µs), bumped to keep two snapshots apart


START = EntryKey(0, 0)


@dataclass
class ConferenceRecord:
    """Everything the roster keeps about one conference."""

    conference: Conference
    entries: dict[EntryKey, Entry] = field(default_factory=dict)
    base: dict[str, Participant] = field(default_factory=dict)  # the fold, without overlays
    view: dict[str, Participant] = field(default_factory=dict)  # base + overlays
    pending: dict[str, PendingAction] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    ordinals: dict[str, int] = field(default_factory=dict)  # "Caller N": order of first sight
    chosen_presenter: str | None = None
    last_key: EntryKey = START
    shown: Conference | None = None  # the fold plus headcount, as last announced
    shown_presenter: str | None = None
    # _presenter_of's last answer with what it depends on beyond the participants' roles:
    # (chosen_presenter, how many participants, the presenter); see Roster._presenter
    presenter_memo: tuple[str | None, int, str | None] | None = None
    headcount: int = 0
    # Indexes for refolding one participant when its callback arrives late (sorted keys):
    by_call: dict[str, list[EntryKey]] = field(default_factory=dict)  # its own callbacks
    shared: list[EntryKey] = field(default_factory=list)  # conference-end and snapshots: touch all
    past: PastConference | None = None  # not folded yet: this summary stands in for it
    # A long meeting's older entries, folded into a checkpoint and dropped (compaction.py):
    floor: EntryKey | None = None  # entries below this key are in the checkpoint only
    checkpoint: Conference | None = None  # the fold of everything below `floor`
    checkpoint_base: dict[str, Participant] = field(default_factory=dict)
    below: SeenSequences = field(default_factory=SeenSequences)  # callbacks below `floor`
    snapshots_below: int = 0

    @property
    def max_sequence(self) -> int:
        return self.conference.last_sequence
