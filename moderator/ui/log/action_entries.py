"""Host actions and door decisions as event-log lines, and the shown conference's recent history
(its callbacks and the actions on it, the door's and the recording's included) after a restart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from moderator.domain import host_state as hs
from moderator.domain.door import DoorEntry
from moderator.domain.events import ConferenceEvent
from moderator.domain.host_state import ActionRow
from moderator.ui.log.event_log_model import LogEntry, NameOf, entry_for_event

HISTORY_LINES = 300  # the newest lines of the shown conference put back in the log at start
ACTION_KIND = "action"  # the kind of a host action's line (the filter's "errors only" reads level)
DOOR = "door"

_WORDS = {
    hs.LOCK: "Locked",
    hs.UNLOCK: "Unlocked",
    hs.WAITING_ROOM_ON: "Waiting room on",
    hs.WAITING_ROOM_OFF: "Waiting room off",
    hs.PIN_SET: "PIN set",
    hs.PIN_CLEARED: "PIN cleared",
    hs.PRESENTER: "Presenter chosen",
    hs.ROOMS_PLAN: "Rooms planned",
    hs.ROOMS_CLEAR: "Rooms plan cleared",
    hs.ROOMS_OPEN: "Rooms opened",
    hs.ROOMS_CLOSE: "Rooms closed",
    hs.ADMIT: "Admitted",
    hs.DENY: "Denied",
    hs.MOVE: "Moved",
    hs.GONE: "Hung up: the meeting ended",
    hs.MEETING_ENDED: "Meeting ended",
    "recording-pause": "Recording paused",
    "recording-resume": "Recording resumed",
    "recording-stop": "Recording stopped",
    "mute": "Mute sent",
    "unmute": "Unmute sent",
    "hold": "Hold sent",
    "unhold": "Unhold sent",
    "kick": "Remove sent",
    "end-conference": "End sent",
    "announce": "Announcement sent",
    "announce-rooms": "Announced in the rooms",
    "dial-out": "Dialled out",
    hs.THIS_IS_ME: "Marked as you",
    hs.WHISPER: "Whispering",
    hs.STOP_WHISPER: "Whisper stopped",
    hs.WAIT: "Sent to the waiting room",
}
# what the services already tell the host in a message of their own as it happens
ALREADY_SAID = {
    hs.LOCK,
    hs.UNLOCK,
    hs.WAITING_ROOM_ON,
    hs.WAITING_ROOM_OFF,
    hs.PIN_SET,
    hs.PIN_CLEARED,
    hs.ROOMS_OPEN,
    hs.ROOMS_CLOSE,
    "announce-rooms",
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
    if action.origin == DOOR:
        door = DoorEntry(
            action.at, sid, params.get("from", ""), params.get("name"), action.kind,
            int(params.get("attempt", "0") or 0),
        )  # fmt: skip
        return LogEntry(action.at, "Door", door.who, conference, door.text, kind=DOOR)
    who = (name_of(action.conference_sid, sid) if sid else None) or params.get("name", "")
    who = who or params.get("from", "") or sid
    details = [f"to {params['to']}"] if params.get("to") else []
    if action.kind in (hs.ROOMS_PLAN, hs.ROOMS_OPEN) and params.get("rooms"):
        details.append(f"{params['rooms']} rooms")
    if action.kind in ("announce-rooms", "announce") and params.get("text"):
        details.append(params["text"])
    if action.kind == hs.WHISPER and params.get("call_sid_to_coach"):
        coached = params["call_sid_to_coach"]
        details.append(f"to {name_of(action.conference_sid, coached) or coached}")
    if action.origin not in ("host", ""):
        details.append(f"by {action.origin}")
    if action.error:
        details.append(action.error)
    words = _WORDS.get(action.kind, action.kind)
    if action.kind == hs.PRESENTER and not sid:
        words = "Presenter: the automatic choice"
    if action.kind == hs.THIS_IS_ME and not sid:
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
        action.origin != DOOR and action.kind != hs.FRESH_START and action.kind not in ALREADY_SAID
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
        if action.kind != hs.FRESH_START
    ]
    lines.sort(key=lambda line: line.at)
    return lines[-limit:]
