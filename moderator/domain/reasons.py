"""Why someone left and why a meeting ended, in words a host reads (never Twilio's raw codes).

Twilio says `moderator_ended_conference` when the participant with endConferenceOnExit (the
meeting's chair) left and took the meeting with them: the host did nothing, so the words say so.
"""

from __future__ import annotations

LEAVE_WORDS = {
    "participant_hung_up": "hung up",
    "conference_ended_via_api": "the host ended the meeting",
    "moderator_ended_conference": "the meeting ended when its chair left",
    "participant_updated_via_api": "moved by the host (admitted, to a room or to the waiting room)",
    "participant_add_failed": "the call did not connect",
    "participant_kicked": "removed by the host",
}

END_WORDS = {
    "conference-ended-via-api": "the host ended the meeting",
    "last-participant-left": "the last person left",
    "last-participant-kicked": "the last person was removed",
    "participant-with-end-conference-on-exit-left": "{who} left and the meeting ended with them",
    "participant-with-end-conference-on-exit-kicked": (
        "{who} was removed and the meeting ended with them"
    ),
}


def reason_words(reason: str | None, who: str | None = None) -> str:
    """A leave or end reason in words ('' for none); `who` names the caller who ended it."""
    if not reason:
        return ""
    known = LEAVE_WORDS.get(reason) or END_WORDS.get(reason)
    if known is not None:
        return known.format(who=who or "the chair")
    return reason.replace("_", " ").replace("-", " ")
