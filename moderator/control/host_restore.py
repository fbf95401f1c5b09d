"""At start: the host's meeting state comes back from the journal while the meeting is live.

The rule (README, "The door"): while the meeting, its waiting room or one of its rooms is live (by
the journal's roster), what the host set for it is restored: the door (lock, waiting room, PIN
hash), the presenter, the rooms (checked against who is in the live `-room-N` conferences), the
recording's intent and live captions (new callers are transcribed again at once; callers already in
whose transcription is not running get theirs once Twilio has been asked who is in). Start flags
turn things on; they never turn off what the host set. A start with no live meeting begins from the
flags and Settings, and says so in the journal (a "fresh-start" row), so older rows never come back
later. Whatever the flags turned on is journaled too, so the next start without flags finds it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime

from moderator.control.captions import CaptionsControl
from moderator.control.door_service import DoorControl
from moderator.control.recording import RecordingControl
from moderator.domain.actions import ActionKind, Origin
from moderator.domain.door import Door, DoorSettings, is_lobby, lobby_name
from moderator.domain.host_state import HostState, fold
from moderator.domain.rooms import room_number
from moderator.domain.roster import Roster
from moderator.store.journal import ActionRecord, Journal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Restored:
    """What a start found: the fold, and whether the meeting was live (so it was restored)."""

    state: HostState
    live: bool
    flags: DoorSettings  # what the start's flags and Settings asked for
    captions: bool = False  # whether the start's flags and Settings turned captions on


def meeting_state(
    roster: Roster, journal: Journal, meeting: str, actions: Sequence[ActionRecord] | None = None
) -> tuple[HostState, bool]:
    """The meeting's host state by the journal, and whether the meeting is live now.
    `actions`: the journal's actions as just read (None: read them now)."""
    sids: set[str] = set()
    since: datetime | None = None
    live = False
    for conference in roster.conferences():
        name = conference.friendly_name
        ours = name == meeting or room_number(name, meeting) is not None
        if ours:
            sids.add(conference.sid)
        if (ours or name == lobby_name(meeting)) and conference.status.live:
            live = True
        ended = conference.ended_at
        if name == meeting and not conference.status.live and ended is not None:
            since = ended if since is None or ended > since else since
    journaled = journal.actions() if actions is None else actions
    state = fold(meeting, journaled, meeting_sids=sids, since=since)
    # someone the door put in the waiting room whose lobby join the console never heard of (it
    # stopped in between) still waits, unless the roster saw them leave
    left = {
        person.call_sid
        for conference in roster.conferences()
        if conference.friendly_name == lobby_name(meeting) and roster.is_folded(conference.sid)
        for person in roster.participants(conference.sid)
        if not person.present
    }
    return state, live or bool(state.waiting - left)


def restore(
    roster: Roster,
    journal: Journal,
    door: Door,
    service: DoorControl,
    recordings: RecordingControl | None,
    captions: CaptionsControl | None = None,
    actions: Sequence[ActionRecord] | None = None,
) -> Restored:
    """Restore the live meeting's host state (see the module's docstring); never raises.
    `actions`: the journal's actions as just read (None: read them now)."""
    meeting = service.meeting
    state, live = meeting_state(roster, journal, meeting, actions)
    flags = door.settings
    captions_flag = captions is not None and captions.on  # built with the flags' word
    if live:
        merged = state.with_flags(
            locked=flags.locked,
            waiting_room=flags.waiting_room,
            pin_hash=flags.pin_hash,
            captions=captions_flag,
        )
        door.update(
            locked=merged.locked, waiting_room=merged.waiting_room, pin_hash=merged.pin_hash
        )
        _restore_meeting(roster, meeting, state, service, recordings)
        log.info("the meeting %s is live: %s", meeting, describe(door, service, state))
    else:
        merged = HostState(meeting).with_flags(
            locked=flags.locked,
            waiting_room=flags.waiting_room,
            pin_hash=flags.pin_hash,
            captions=captions_flag,
        )
        if not state.empty:
            service.decide(ActionKind.FRESH_START, origin=Origin.START)
    if captions is not None:
        captions.restore(merged.captions)
    # what the flags turned on, so the next start (without them) finds it in the journal
    before = state if live else HostState(meeting)
    if merged.locked and not before.locked:
        service.decide(ActionKind.LOCK, origin=Origin.START)
    if merged.waiting_room and not before.waiting_room:
        service.decide(ActionKind.WAITING_ROOM_ON, origin=Origin.START)
    if merged.pin_hash and merged.pin_hash != before.pin_hash:
        service.decide(ActionKind.PIN_SET, {"hash": merged.pin_hash}, origin=Origin.START)
    if captions is not None and merged.captions and not before.captions:
        captions.decide(True, origin=Origin.START)
    return Restored(state, live, flags, captions_flag)


async def settle(
    restored: Restored,
    startup: Awaitable[object],
    roster: Roster,
    journal: Journal,
    door: Door,
    service: DoorControl,
    captions: CaptionsControl | None = None,
) -> bool:
    """After the start's reconcile with Twilio: a meeting the journal thought live that ended
    while the console was away gets the start's flags back, not what the host set for it.
    True when it did so. A meeting still live with captions on: the callers in it whose
    transcription is not running get theirs."""
    if not restored.live:
        return False
    try:
        await startup
    except Exception:  # the reconcile logs its own failures; the journal's view stands
        return False
    _state, live = meeting_state(roster, journal, service.meeting)
    if live:
        if captions is not None and captions.on:
            await captions.set_on(True)  # those already transcribed are skipped
        return False
    flags = restored.flags
    door.update(locked=flags.locked, waiting_room=flags.waiting_room, pin_hash=flags.pin_hash)
    service.restore(None, False)
    service.decide(ActionKind.FRESH_START, origin=Origin.START)
    for kind, on in (
        (ActionKind.LOCK, flags.locked),
        (ActionKind.WAITING_ROOM_ON, flags.waiting_room),
    ):
        if on:
            service.decide(kind, origin=Origin.START)
    if flags.pin_hash:
        service.decide(ActionKind.PIN_SET, {"hash": flags.pin_hash}, origin=Origin.START)
    if captions is not None:
        captions.restore(restored.captions)
        if restored.captions:
            captions.decide(True, origin=Origin.START)
    log.info("the meeting %s ended while the console was away: the door is as the start set it",
             service.meeting)  # fmt: skip
    return True


def describe(door: Door, service: DoorControl, state: HostState) -> str:
    """The restored state in a log line (never the PIN, not even its hash)."""
    settings = door.settings
    words = [
        word
        for word, on in (
            ("locked", settings.locked),
            ("waiting room", settings.waiting_room),
            ("PIN", bool(settings.pin_hash)),
            ("presenter chosen", any(state.presenters.values())),
            ("captions", state.captions),
        )
        if on
    ]
    if service.rooms_open and service.plan is not None:
        inside = sum(len(people) for people in service.room_people().values())
        words.append(f"{service.plan.count} rooms open, {inside} people in them")
    words += [f"recording {intent}" for intent in state.recording.values()]
    words.append(f"{len(service.waiting())} waiting")
    return "restored " + ", ".join(words)


def _restore_meeting(
    roster: Roster,
    meeting: str,
    state: HostState,
    service: DoorControl,
    recordings: RecordingControl | None,
) -> None:
    in_rooms: dict[str, int] = {}
    for conference in roster.conferences():
        if not conference.status.live:
            continue
        number = room_number(conference.friendly_name, meeting)
        if number is not None:
            for person in roster.participants(conference.sid, present_only=True):
                in_rooms[person.call_sid] = number
        elif not is_lobby(conference.friendly_name):
            chosen = state.presenter(conference.sid)
            if chosen is not None:
                roster.choose_presenter(conference.sid, chosen)
        if recordings is not None and conference.sid in state.recording:
            recordings.restore(conference.sid, state.recording[conference.sid])
    plan, rooms_open = state.rooms_now(in_rooms)
    service.restore(plan, rooms_open)
