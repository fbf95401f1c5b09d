"""What the host decided for a meeting, folded from the journal's action rows (pure, as the
roster is).

The door's rows (origin "door", under the meeting's name), the host's door, room and captions rows
(under the meeting's name), and the host's presenter and recording rows (under a conference SID of
the meeting) are folded in journal order: the last word on each setting wins. A meeting's end starts
a new fold (`MEETING_ENDED` rows, and every row before `since`: the end of the meeting's last main
conference), so a lock from yesterday's meeting never closes today's.

The PIN is kept as a salted hash only (`hash_pin`); the journal row of a PIN change holds that
hash, so the clear PIN is nowhere but in the caller's keypad and the host's dialog.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from moderator.domain.actions import ActionKind
from moderator.domain.door import LEFT_LOBBY  # a waiting caller hung up
from moderator.domain.pin_hash import hash_pin, is_pin_hash, pin_matches
from moderator.domain.rooms import MAX_ROOMS, RoomPlan, room_number

# The kinds of the journal's rows this fold reads are ActionKinds. "wait" is the door's verdict
# (domain/door.py Verdict.WAIT: into the waiting room) and the host's send-to-waiting alike.
WAIT = ActionKind.SEND_TO_WAITING
RECORDING_INTENTS: dict[str, str] = {
    ActionKind.RECORDING_PAUSE: "paused",
    ActionKind.RECORDING_RESUME: "in-progress",
    ActionKind.RECORDING_STOP: "stopped",
}

__all__ = ["ActionRow", "HostState", "fold", "hash_pin", "pin_matches"]


class ActionRow(Protocol):
    """One journaled action row as the fold reads it (store.journal.ActionRecord is one)."""

    @property
    def at(self) -> datetime: ...

    @property
    def conference_sid(self) -> str: ...

    @property
    def call_sid(self) -> str | None: ...

    @property
    def kind(self) -> str: ...

    @property
    def params(self) -> Mapping[str, str]: ...

    @property
    def ok(self) -> bool | None: ...


# ---- rooms in a row's params ----------------------------------------------------------------


def plan_params(plan: RoomPlan) -> dict[str, str]:
    """A plan as a journal row's params: {"rooms": "3", "plan": "CA…=1,CA…=2"}."""
    return {
        "rooms": str(plan.count),
        "plan": ",".join(f"{sid}={room}" for sid, room in sorted(plan.rooms_of.items())),
    }


def plan_of(meeting: str, params: Mapping[str, str]) -> RoomPlan | None:
    """The plan a row's params describe; None when they describe none (a damaged row)."""
    try:
        count = int(params.get("rooms", ""))
        rooms_of: dict[str, int] = {}
        for item in filter(None, params.get("plan", "").split(",")):
            sid, _, room = item.partition("=")
            rooms_of[sid] = int(room)
        if not 1 <= count <= MAX_ROOMS or any(not 1 <= r <= count for r in rooms_of.values()):
            return None
        return RoomPlan(meeting, count, rooms_of)
    except ValueError:
        return None


# ---- the state ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostState:
    """One meeting's host state, as the journal's rows left it."""

    meeting: str
    locked: bool = False
    waiting_room: bool = False
    pin_hash: str = ""  # "" : no PIN
    presenters: Mapping[str, str | None] = field(default_factory=dict)  # conference SID -> pick
    plan: RoomPlan | None = None
    rooms_open: bool = False
    where: Mapping[str, str] = field(default_factory=dict)  # call SID -> conference name moved to
    recording: Mapping[str, str] = field(default_factory=dict)  # conference SID -> intent
    waiting: frozenset[str] = frozenset()  # call SIDs the door put in the waiting room
    me: str | None = None  # the host's own call ("This is me")
    coaching: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # CF -> (coach, coached)
    captions: bool = False  # live captions (the meeting's row; each caller's are the conference's)
    last_at: datetime | None = None  # the newest row folded

    @property
    def empty(self) -> bool:
        """Nothing was decided (the fold of no rows)."""
        return self == HostState(self.meeting, last_at=self.last_at)

    def presenter(self, conference_sid: str) -> str | None:
        return self.presenters.get(conference_sid)

    def apply(self, row: ActionRow, meeting_sids: Collection[str] = ()) -> HostState:
        """The state after one more row (rows of other meetings leave it as it is)."""
        if row.conference_sid == self.meeting:
            new = self._meeting_row(row)
        elif row.conference_sid in meeting_sids:
            new = self._conference_row(row)
        else:
            return self
        return replace(new, last_at=row.at)

    def _meeting_row(self, row: ActionRow) -> HostState:  # noqa: C901 - one flat branch per host-action kind
        kind, sid, params = row.kind, row.call_sid, row.params
        if kind in (ActionKind.MEETING_ENDED, ActionKind.FRESH_START):
            return HostState(self.meeting)
        if row.ok is False:  # a move Twilio refused: nothing changed
            return self
        if kind in (ActionKind.LOCK, ActionKind.UNLOCK):
            return replace(self, locked=kind == ActionKind.LOCK)
        if kind in (ActionKind.WAITING_ROOM_ON, ActionKind.WAITING_ROOM_OFF):
            return replace(self, waiting_room=kind == ActionKind.WAITING_ROOM_ON)
        if kind in (ActionKind.CAPTIONS_ON, ActionKind.CAPTIONS_OFF) and sid is None:
            return replace(self, captions=kind == ActionKind.CAPTIONS_ON)
        if kind == ActionKind.PIN_SET:
            pin_hash = params.get("hash", "")
            return replace(self, pin_hash=pin_hash if is_pin_hash(pin_hash) else self.pin_hash)
        if kind == ActionKind.PIN_CLEARED:
            return replace(self, pin_hash="")
        if kind == ActionKind.ROOMS_PLAN:
            plan = plan_of(self.meeting, params)
            return replace(self, plan=plan) if plan is not None else self
        if kind == ActionKind.ROOMS_CLEAR:
            return replace(self, plan=None, rooms_open=False)
        if kind == ActionKind.ROOMS_OPEN:
            plan = plan_of(self.meeting, params) if "plan" in params else self.plan
            return replace(self, plan=plan, rooms_open=True)
        if kind == ActionKind.ROOMS_CLOSE:
            back = {s: to for s, to in self.where.items() if room_number(to, self.meeting) is None}
            return replace(self, rooms_open=False, where=back)
        if sid is None:
            return self
        if kind == WAIT:
            return replace(self, waiting=self.waiting | {sid})
        if kind in (ActionKind.ADMIT, ActionKind.DENY, ActionKind.GONE, LEFT_LOBBY):
            moved = {**self.where, sid: self.meeting} if kind == ActionKind.ADMIT else self.where
            return replace(self, waiting=self.waiting - {sid}, where=moved)
        if kind == ActionKind.MOVE and params.get("to"):
            return replace(self, where={**self.where, sid: params["to"]})
        return self

    def _conference_row(self, row: ActionRow) -> HostState:
        if row.kind == ActionKind.PRESENTER:
            return replace(self, presenters={**self.presenters, row.conference_sid: row.call_sid})
        if row.kind == ActionKind.THIS_IS_ME:
            return replace(self, me=row.call_sid)
        if (
            row.kind in (ActionKind.WHISPER, ActionKind.STOP_WHISPER)
            and row.ok is not False
            and row.call_sid
        ):
            coaching = dict(self.coaching)
            coached = row.params.get("call_sid_to_coach", "")
            if row.kind == ActionKind.WHISPER and coached:
                coaching[row.conference_sid] = (row.call_sid, coached)
            else:
                coaching.pop(row.conference_sid, None)
            return replace(self, coaching=coaching)
        intent = RECORDING_INTENTS.get(row.kind)
        if intent is not None and row.ok is not False:
            return replace(self, recording={**self.recording, row.conference_sid: intent})
        return self

    def rooms_now(self, in_rooms: Mapping[str, int]) -> tuple[RoomPlan | None, bool]:
        """The plan and whether rooms are open, checked against who is in the live `-room-N`
        conferences now (call SID -> room number): rooms with people in them are open whatever
        the journal says (their calls must be brought back), and rooms the journal opened are
        closed when nobody is in any (they ended while the console was away)."""
        if not in_rooms:
            return self.plan, False
        planned = dict(self.plan.rooms_of) if self.plan is not None else {}
        count = max([self.plan.count if self.plan else 1, *in_rooms.values()])
        return RoomPlan(self.meeting, min(count, MAX_ROOMS), {**planned, **in_rooms}), True

    def with_flags(
        self, *, locked: bool, waiting_room: bool, pin_hash: str, captions: bool = False
    ) -> HostState:
        """Start flags turn things on; they never turn off what the host set."""
        return replace(
            self,
            locked=self.locked or locked,
            waiting_room=self.waiting_room or waiting_room,
            pin_hash=self.pin_hash or pin_hash,
            captions=self.captions or captions,
        )


def fold(
    meeting: str,
    rows: Iterable[ActionRow],
    *,
    meeting_sids: Collection[str] = (),
    since: datetime | None = None,
) -> HostState:
    """The meeting's host state from the journal's rows in journal order.

    `meeting_sids`: the SIDs of the meeting's conferences (main and rooms), whose presenter and
    recording rows count; `since`: rows before it belong to an earlier meeting of the same name.
    """
    state = HostState(meeting)
    for row in rows:
        if since is not None and row.at < since:
            continue
        state = state.apply(row, meeting_sids)
    return state
