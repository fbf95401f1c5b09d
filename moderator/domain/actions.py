"""What a moderator can do to a conference, and which callback confirms each action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from moderator.domain.events import EventKind


class ActionKind(str, Enum):
    """A moderator action, as journaled and reported."""

    MUTE = "mute"
    UNMUTE = "unmute"
    HOLD = "hold"
    UNHOLD = "unhold"
    KICK = "kick"
    END_CONFERENCE = "end-conference"
    ANNOUNCE = "announce"
    DIAL_OUT = "dial-out"

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
    ActionKind.END_CONFERENCE: "end",
    ActionKind.ANNOUNCE: "play an announcement to",
    ActionKind.DIAL_OUT: "dial",
}

# The confirmation rule. A participant action is *pending* from the click until its callback
# (CONFIRMED_BY) arrives; the roster's overlay is the only record of it. When Twilio accepted
# the REST call but no confirming callback arrived within CONFIRM_GRACE seconds (a callback
# lost or late), the console stops waiting: the tile shows what the REST answer said, and a
# reconcile with Twilio's REST API settles the truth. See ActionPipeline.resolve_unconfirmed.
CONFIRM_GRACE = 3.0

# The callback that proves a participant action took effect.
CONFIRMED_BY: dict[ActionKind, EventKind] = {
    ActionKind.MUTE: EventKind.PARTICIPANT_MUTE,
    ActionKind.UNMUTE: EventKind.PARTICIPANT_UNMUTE,
    ActionKind.HOLD: EventKind.PARTICIPANT_HOLD,
    ActionKind.UNHOLD: EventKind.PARTICIPANT_UNHOLD,
    ActionKind.KICK: EventKind.PARTICIPANT_LEAVE,
}


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
