"""What a host (or a rule, or the door) can do, who did it, and which callback confirms it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from moderator.domain.events import EventKind


class Origin(str, Enum):
    """Who took an action, as journaled: the host, a rule, or the door deciding on a caller."""

    HOST = "host"
    AUTO_MUTE = "auto-mute"
    MUTE_ON_ENTRY = "mute-on-entry"
    DOOR = "door"
    START = "start"  # what a console's start flags turned on (control/host_restore.py)

    def __str__(self) -> str:
        return self.value


class ActionKind(str, Enum):
    """A host's action, as journaled and reported (the value is the journal's word)."""

    # a participant
    MUTE = "mute"
    UNMUTE = "unmute"
    HOLD = "hold"
    UNHOLD = "unhold"
    KICK = "kick"
    # whisper coaching: the host's own participant is updated (Coaching, CallSidToCoach)
    WHISPER = "whisper"
    STOP_WHISPER = "whisper-stop"
    THIS_IS_ME = "this-is-me"  # the host marks their own call (journaled, no REST call)
    # a conference
    END_CONFERENCE = "end-conference"
    ANNOUNCE = "announce"
    DIAL_OUT = "dial-out"
    # the meeting's door (journaled under the meeting's name)
    LOCK = "lock"
    UNLOCK = "unlock"
    WAITING_ROOM_ON = "waiting-room-on"
    WAITING_ROOM_OFF = "waiting-room-off"
    PIN_SET = "pin-set"  # never the PIN itself
    PIN_CLEARED = "pin-cleared"
    ADMIT = "admit"
    DENY = "deny"
    SEND_TO_WAITING = "wait"  # the host moves someone to the lobby (the door's word for it)
    # the breakout rooms
    MOVE = "move"
    ROOMS_OPEN = "rooms-open"
    ROOMS_CLOSE = "rooms-close"
    ANNOUNCE_ROOMS = "announce-rooms"
    # the conference's recording
    RECORDING_PAUSE = "recording-pause"
    RECORDING_RESUME = "recording-resume"
    RECORDING_STOP = "recording-stop"
    # live captions: a caller's real-time transcription started or stopped through REST
    CAPTIONS_ON = "captions-on"
    CAPTIONS_OFF = "captions-off"
    # the console's own choices and records (no REST call; journaled, folded by host_state)
    PRESENTER = "presenter"  # call_sid: the host's pick; None: back to the automatic one
    ROOMS_PLAN = "rooms-plan"  # params: rooms, plan
    ROOMS_CLEAR = "rooms-clear"
    GONE = "gone"  # a waiting caller hung up because the meeting ended
    MEETING_ENDED = "meeting-ended"  # the host ended the meeting: what follows is a new fold
    FRESH_START = "fresh-start"  # a console started with no live meeting: a new fold too
    BOOK_EDIT = "book-edit"  # the address book changed (params: number, what; never the file)
    NUMBER_CONNECT = "connect-number"  # a Twilio number's Voice URL pointed at this console
    NUMBER_RESTORE = "restore-number"  # … and put back (account-level: no conference)

    def __str__(self) -> str:
        return self.value

    @property
    def verb(self) -> str:
        """How the action reads in a sentence: "Could not {verb} Bob"."""
        return _VERBS[self]


_VERBS = {
    ActionKind.MUTE: "mute",
    ActionKind.UNMUTE: "unmute",
    ActionKind.HOLD: "hold",
    ActionKind.UNHOLD: "take off hold",
    ActionKind.KICK: "remove",
    ActionKind.WHISPER: "whisper to",
    ActionKind.STOP_WHISPER: "stop whispering to",
    ActionKind.THIS_IS_ME: "mark as you",
    ActionKind.END_CONFERENCE: "end",
    ActionKind.ANNOUNCE: "play an announcement to",
    ActionKind.DIAL_OUT: "dial",
    ActionKind.LOCK: "lock",
    ActionKind.UNLOCK: "unlock",
    ActionKind.WAITING_ROOM_ON: "turn on the waiting room of",
    ActionKind.WAITING_ROOM_OFF: "turn off the waiting room of",
    ActionKind.PIN_SET: "set the PIN of",
    ActionKind.PIN_CLEARED: "clear the PIN of",
    ActionKind.ADMIT: "let in",
    ActionKind.DENY: "turn away",
    ActionKind.SEND_TO_WAITING: "send {who} to the waiting room",  # the name goes inside
    ActionKind.MOVE: "move",
    ActionKind.ROOMS_OPEN: "open the rooms of",
    ActionKind.ROOMS_CLOSE: "close the rooms of",
    ActionKind.ANNOUNCE_ROOMS: "announce in the rooms of",
    ActionKind.RECORDING_PAUSE: "pause the recording of",
    ActionKind.RECORDING_RESUME: "resume the recording of",
    ActionKind.RECORDING_STOP: "stop the recording of",
    ActionKind.CAPTIONS_ON: "start captions for",
    ActionKind.CAPTIONS_OFF: "stop captions for",
    ActionKind.PRESENTER: "choose the presenter of",
    ActionKind.ROOMS_PLAN: "plan the rooms of",
    ActionKind.ROOMS_CLEAR: "clear the rooms of",
    ActionKind.GONE: "hang up",
    ActionKind.MEETING_ENDED: "end",
    ActionKind.FRESH_START: "start afresh",
    ActionKind.BOOK_EDIT: "change the address book entry of",
    ActionKind.NUMBER_CONNECT: "connect",
    ActionKind.NUMBER_RESTORE: "restore",
}

# The confirmation rule. An action is *pending* from the click until its callback (for a
# participant, CONFIRMED_BY) arrives; the roster's overlay is the only record of it. When Twilio
# accepted the REST call but no confirming callback arrived within CONFIRM_GRACE seconds (a
# callback lost or late, or one Twilio never sends), the console stops waiting: the kind's
# resolver confirms it from Twilio's REST answer or conference list, or finishes it with what
# that list shows; no action stays open. See control/actions/lifecycle.py
# (Lifecycle._after_grace). The one grace value.
CONFIRM_GRACE = 3.0

# The callback that proves a participant action took effect.
CONFIRMED_BY: dict[ActionKind, EventKind] = {
    ActionKind.MUTE: EventKind.PARTICIPANT_MUTE,
    ActionKind.UNMUTE: EventKind.PARTICIPANT_UNMUTE,
    ActionKind.HOLD: EventKind.PARTICIPANT_HOLD,
    ActionKind.UNHOLD: EventKind.PARTICIPANT_UNHOLD,
    ActionKind.KICK: EventKind.PARTICIPANT_LEAVE,
    # a call moved by replacing its TwiML leaves the conference it was in
    ActionKind.ADMIT: EventKind.PARTICIPANT_LEAVE,
    ActionKind.DENY: EventKind.PARTICIPANT_LEAVE,
    ActionKind.MOVE: EventKind.PARTICIPANT_LEAVE,
    ActionKind.GONE: EventKind.PARTICIPANT_LEAVE,
    ActionKind.SEND_TO_WAITING: EventKind.PARTICIPANT_LEAVE,
    ActionKind.WHISPER: EventKind.PARTICIPANT_MODIFY,  # Coaching changed
    ActionKind.STOP_WHISPER: EventKind.PARTICIPANT_MODIFY,
}

# the actions that move a call out of its conference (the waiting strip says "moving…")
MOVES = frozenset(
    {
        ActionKind.ADMIT,
        ActionKind.DENY,
        ActionKind.SEND_TO_WAITING,
        ActionKind.MOVE,
        ActionKind.GONE,
    }
)


class Scope(str, Enum):
    """What an action is on."""

    PARTICIPANT = "participant"  # a call in a conference
    CONFERENCE = "conference"
    MEETING = "meeting"  # the meeting's name: its door, its rooms
    ACCOUNT = "account"  # the Twilio account itself (a number's Voice URL): no conference


@dataclass(frozen=True)
class Target:
    """What an action is on, and the key of its pending mark: a participant (conference SID and
    call SID), a conference (its SID) or a meeting (its name)."""

    scope: Scope
    key: str  # the conference SID, or the meeting's name
    call_sid: str | None = None

    @classmethod
    def participant(cls, conference_sid: str, call_sid: str) -> Target:
        return cls(Scope.PARTICIPANT, conference_sid, call_sid)

    @classmethod
    def conference(cls, conference_sid: str) -> Target:
        return cls(Scope.CONFERENCE, conference_sid)

    @classmethod
    def meeting(cls, name: str) -> Target:
        return cls(Scope.MEETING, name)

    @classmethod
    def account(cls) -> Target:
        return cls(Scope.ACCOUNT, "")  # journaled with no conference


@dataclass(frozen=True)
class PendingAction:
    """An action sent to Twilio whose confirming callback has not arrived yet.

    `after_sequence` is the conference's last SequenceNumber when the action was sent: only a
    later callback can confirm it, so a stale duplicate cannot. `token` names the action that
    set the mark (the control service's ticket), so a newer action's mark is told apart.
    """

    kind: ActionKind
    since: datetime
    after_sequence: int = 0
    token: int = 0

    def confirmed_by(self, kind: EventKind, sequence: int) -> bool:
        """True when a callback of `kind` with `sequence` confirms this action."""
        return CONFIRMED_BY.get(self.kind) == kind and sequence > self.after_sequence
