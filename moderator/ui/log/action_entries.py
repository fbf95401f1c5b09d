"""Host actions and door decisions as event-log lines, and the shown conference's recent history
(its callbacks and the actions on it, the door's and the recording's included) after a restart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from moderator.domain.actions import ActionKind, Origin
from moderator.domain.door import DoorEntry
from moderator.domain.events import ConferenceEvent
from moderator.domain.host_state import ActionRow
from moderator.domain.rooms import place_words
from moderator.ui.log.event_log_model import LogEntry, NameOf, entry_for_event

HISTORY_LINES = 300  # the newest lines of the shown conference put back in the log
ACTION_KIND = "action"  # the kind of a host action's line (the filter's "errors only" reads level)

_WORDS: dict[str, str] = {
    ActionKind.LOCK: "Locked",
    ActionKind.UNLOCK: "Unlocked",
    ActionKind.WAITING_ROOM_ON: "Waiting room on",
    ActionKind.WAITING_ROOM_OFF: "Waiting room off",
    ActionKind.PIN_SET: "PIN set",
    ActionKind.PIN_CLEARED: "PIN cleared",
    ActionKind.PRESENTER: "Presenter chosen",
    ActionKind.ROOMS_PLAN: "Rooms planned",
    ActionKind.ROOMS_CLEAR: "Rooms plan cleared",
    ActionKind.ROOMS_OPEN: "Rooms opened",
    ActionKind.ROOMS_CLOSE: "Rooms closed",
    ActionKind.ADMIT: "Admitted",
    ActionKind.DENY: "Denied",
    ActionKind.SEND_TO_WAITING: "Sent to the waiting room",
    ActionKind.MOVE: "Moved",
    ActionKind.GONE: "Hung up: the meeting ended",
    ActionKind.MEETING_ENDED: "Meeting ended",
    ActionKind.BOOK_EDIT: "Address book changed",
    ActionKind.RECORDING_PAUSE: "Recording paused",
    ActionKind.RECORDING_RESUME: "Recording resumed",
    ActionKind.RECORDING_STOP: "Recording stopped",
    ActionKind.MUTE: "Mute sent",
    ActionKind.UNMUTE: "Unmute sent",
    ActionKind.HOLD: "Hold sent",
    ActionKind.UNHOLD: "Unhold sent",
    ActionKind.KICK: "Remove sent",
    ActionKind.END_CONFERENCE: "End sent",
    ActionKind.ANNOUNCE: "Announcement sent",
    ActionKind.ANNOUNCE_ROOMS: "Announced in the rooms",
    ActionKind.DIAL_OUT: "Dialled out",
    ActionKind.THIS_IS_ME: "Marked as you",
    ActionKind.WHISPER: "Whispering",
    ActionKind.STOP_WHISPER: "Whisper stopped",
    ActionKind.CAPTIONS_ON: "Captions on",
    ActionKind.CAPTIONS_OFF: "Captions off",
}
# what the services already tell the host in a message of their own as it happens
ALREADY_SAID = {
    ActionKind.LOCK,
    ActionKind.UNLOCK,
    ActionKind.WAITING_ROOM_ON,
    ActionKind.WAITING_ROOM_OFF,
    ActionKind.PIN_SET,
    ActionKind.PIN_CLEARED,
    ActionKind.ROOMS_OPEN,
    ActionKind.ROOMS_CLOSE,
    ActionKind.ANNOUNCE_ROOMS,
}


class Action(ActionRow, Protocol):
    """A journaled action as the log reads it (store.journal.ActionRecord is one)."""

    @property
    def origin(self) -> str: ...

    @property
    def error(self) -> str | None: ...


def entry_for_action(action: Action, name_of: NameOf, conference: str = "") -> LogEntry:
    """How a host action or a door decision reads in the log (never a PIN or its hash)."""
    params = action.params
    sid = action.call_sid or ""
    if action.origin == Origin.DOOR:
        door = DoorEntry(
            action.at, sid, params.get("from", ""), params.get("name"), action.kind,
            int(params.get("attempt", "0") or 0),
        )  # fmt: skip
        return LogEntry(action.at, "Door", door.who, conference, door.text, kind=Origin.DOOR.value)
    who = (name_of(action.conference_sid, sid) if sid else None) or params.get("name", "")
    who = who or params.get("from", "") or sid
    if action.kind == ActionKind.DIAL_OUT:  # whom it rang ("from" is the caller ID)
        who = params.get("label") or params.get("to") or who
    # where a move went: "to the waiting room", "to room 2" (the lobby's name is technical)
    details = [f"to {place_words(params['to'], conference)}"] if params.get("to") else []
    if action.kind in (ActionKind.ROOMS_PLAN, ActionKind.ROOMS_OPEN) and params.get("rooms"):
        details.append(f"{params['rooms']} rooms")
    if action.kind in (ActionKind.ANNOUNCE_ROOMS, ActionKind.ANNOUNCE) and params.get("text"):
        details.append(params["text"])
    if action.kind == ActionKind.WHISPER and params.get("call_sid_to_coach"):
        coached = params["call_sid_to_coach"]
        details.append(f"to {name_of(action.conference_sid, coached) or coached}")
    if action.origin not in (Origin.HOST, ""):
        details.append(f"by {action.origin}")
    if action.error:
        details.append(action.error)
    words = _WORDS.get(action.kind, action.kind)
    if action.kind == ActionKind.PRESENTER and not sid:
        words = "Presenter: the automatic choice"
    if action.kind == ActionKind.THIS_IS_ME and not sid:
        words = "Not marked as you"
    return LogEntry(
        action.at,
        words,
        who,
        conference,
        "  ".join(details),
        kind=ACTION_KIND,
        level="error" if action.error else "info",
    )


def said_live(action: Action) -> bool:
    """Whether a newly journaled action gets a line of its own (the door's decisions and what
    the services already said in a message do not: the host would read them twice)."""
    return (
        action.origin != Origin.DOOR
        and action.kind != ActionKind.FRESH_START
        and action.kind not in ALREADY_SAID
    )


def history(
    events: Iterable[ConferenceEvent],
    actions: Iterable[Action],
    name_of: NameOf,
    conference: str,
    limit: int = HISTORY_LINES,
) -> list[LogEntry]:
    """The newest `limit` lines of a conference's callbacks and actions, in time order."""
    lines = [entry_for_event(event, name_of) for event in events]
    lines += [
        entry_for_action(action, name_of, conference)
        for action in actions
        if action.kind != ActionKind.FRESH_START
    ]
    lines.sort(key=lambda line: line.at)
    return lines[-limit:]
