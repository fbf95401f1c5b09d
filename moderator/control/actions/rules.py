"""How each kind of action is confirmed: the roster's facts that settle it, and what the grace
does when none came. The recording's rules live with it (control/recording.py)."""

from __future__ import annotations

from collections.abc import Callable

from moderator.control.actions.lifecycle import (
    Lifecycle,
    Outcome,
    Rule,
    Settled,
    Ticket,
    Verdict,
)
from moderator.domain.actions import ActionKind, Target
from moderator.domain.roster import Change, ChangeKind
from moderator.domain.state import ConferenceStatus, Participant

# ---- a participant: mute, unmute, hold, unhold, kick; a call moved by the door or the rooms ----


def _confirmed_by_callback(lc: Lifecycle, ticket: Ticket, fact: object) -> Verdict:
    """The roster confirms the mark with the action's callback (CONFIRMED_BY); once the mark is
    gone otherwise (they left, a snapshot says so, a newer action), stop waiting. A kick or a
    move has reached its goal when they have left."""
    if not isinstance(fact, Change) or fact.call_sid is None:
        return None
    if fact.kind is ChangeKind.ACTION_CONFIRMED:
        return Settled.CONFIRMED if fact.token == ticket.token else None
    mark = lc.roster.pending_on(ticket.target)
    if mark is not None and mark.token == ticket.token:
        return None
    if fact.kind is ChangeKind.PARTICIPANT_LEFT and ticket.kind is ActionKind.KICK:
        return Settled.CONFIRMED
    return Settled.DROPPED


# what Twilio's list shows of a participant once the action took effect, in the host's words
# (whether it took effect, how it reads when it did not)
_LISTED: dict[ActionKind, tuple[Callable[[Participant], bool], str]] = {
    ActionKind.MUTE: (lambda p: p.muted, "not muted"),
    ActionKind.UNMUTE: (lambda p: not p.muted, "muted"),
    ActionKind.HOLD: (lambda p: p.hold, "not on hold"),
    ActionKind.UNHOLD: (lambda p: not p.hold, "on hold"),
}


def _show_the_answer(lc: Lifecycle, ticket: Ticket) -> Verdict:
    """No callback in time; the conference was listed. A mute, hold (and their undoing) is
    confirmed by what the list shows of them, or finished with it; else (a whisper, a move, or
    Twilio could not be asked) the tile shows what Twilio answered."""
    listed = _LISTED.get(ticket.kind)
    call_sid = ticket.target.call_sid
    participant = lc.roster.participant(ticket.target.key, call_sid) if call_sid else None
    if ticket.listed and listed is not None and participant is not None:
        took, undone = listed
        if participant.present and took(participant):
            return Settled.CONFIRMED
        shows = f"{participant.display_name} {undone if participant.present else 'gone'}"
        return Outcome(
            f"{ticket.action.says}: no word from Twilio; the conference list shows {shows}"
        )
    answer = ticket.answer
    if answer is not None and hasattr(answer, "call_sid"):
        lc.apply_answer(ticket.target.key, ticket.answered_after, answer)
    lc.on_stale(ticket.target.key)
    return Settled.DROPPED


PARTICIPANT = Rule(
    settles=_confirmed_by_callback, after_grace=_show_the_answer, reconcile_first=True
)


# ---- a conference: end, announce -------------------------------------------------------------


def _ended(lc: Lifecycle, ticket: Ticket, fact: object) -> Verdict:
    if not isinstance(fact, Change) or fact.kind is not ChangeKind.CONFERENCE_UPDATED:
        return None
    conference = lc.roster.conference(fact.conference_sid)
    ended = conference is not None and conference.status is ConferenceStatus.COMPLETED
    return Settled.CONFIRMED if ended else None


def _not_ended(lc: Lifecycle, ticket: Ticket) -> Verdict:
    """No conference-end, and the reconcile's list did not confirm it (it would have, through
    `_ended`): the end did not take effect, or Twilio could not be asked."""
    conference = lc.roster.conference(ticket.target.key)
    if conference is not None and conference.status is ConferenceStatus.COMPLETED:
        return Settled.CONFIRMED
    if not ticket.listed:  # Twilio accepted the end and nothing says it failed: a warning
        return Outcome(f"Ending {ticket.action.who}: {lc.no_word(ticket)}", ok=True)
    return Outcome(f"{ticket.action.says}: {lc.no_word(ticket)}")


ENDING = Rule(settles=_ended, after_grace=_not_ended, reconcile_first=True)


def _announced(lc: Lifecycle, ticket: Ticket, fact: object) -> Verdict:
    """announcement-end confirms it, announcement-fail turns it into an error. Twilio sends the
    CallSid only while the participant is present: one who left is found by the URL played."""
    if not isinstance(fact, Change):
        return None
    if fact.kind not in (ChangeKind.ANNOUNCEMENT_ENDED, ChangeKind.ANNOUNCEMENT_FAILED):
        return None
    url = (ticket.action.params or {}).get("announce_url")
    ours = fact.call_sid == ticket.target.call_sid or (
        fact.call_sid is None and fact.announce_url == url
    )
    if not ours:
        return None
    if fact.kind is ChangeKind.ANNOUNCEMENT_ENDED:
        return Settled.CONFIRMED
    why = f" ({fact.reason})" if fact.reason else ""
    return f"{ticket.action.says}: Twilio could not play it{why}"


WORDS_PER_SECOND = 2.5  # a text-to-speech voice's pace: how long a spoken announcement lasts


def speaking_time(text: str) -> float:
    """About how many seconds a voice takes to say `text` (its grace starts after)."""
    return len(text.split()) / WORDS_PER_SECOND


def _not_heard_of(lc: Lifecycle, ticket: Ticket) -> Verdict:
    """Neither announcement-end nor -fail: Twilio accepted it, nothing says it was heard."""
    conference = lc.roster.conference(ticket.watch.key)
    live = conference is not None and conference.status.live
    said = lc.no_word(ticket, ticket.target.call_sid)
    return Outcome(f"The announcement to {ticket.action.who}: {said}", live)


# an announcement lasts as long as its audio (Action.lasts): its end (or failure) settles it
ANNOUNCING = Rule(settles=_announced, after_grace=_not_heard_of, reconcile_first=True)


# ---- a dial-out ------------------------------------------------------------------------------

_DIAL_OUTCOMES = {
    "busy": "{who} did not answer (busy)",
    "no-answer": "{who} did not answer",
    "failed": "Could not dial {who}: the call failed",
    "canceled": "The call to {who} was canceled before they answered",
}


def dial_failure(who: str, call_status: str | None) -> str:
    """What the host reads when a dial-out never joined (Twilio's ParticipantCallStatus)."""
    text = _DIAL_OUTCOMES.get(call_status or "", "Could not dial {who}: they never joined")
    return text.format(who=who)


def _joined(lc: Lifecycle, ticket: Ticket, fact: object) -> Verdict:
    """Its participant-join confirms it; a leave without a join (participant_add_failed) fails."""
    target = ticket.watch
    if target.call_sid is None:
        return None  # Twilio has not answered with the new call yet
    participant = lc.roster.participant(target.key, target.call_sid)
    if participant is None or participant.ringing:
        return None
    if participant.present:
        return Settled.CONFIRMED
    if participant.left_at is not None:
        return dial_failure(ticket.action.who, participant.call_status)
    return None


def _ringing(lc: Lifecycle, ticket: Ticket) -> None:
    """Twilio answered with the new call: show it ringing (its answer, folded in as a snapshot
    taken before the action began) and follow that call; the join or the leave may have come
    before the answer."""
    answer = ticket.answer
    if answer is None:
        return
    call = Target.participant(ticket.target.key, str(answer.call_sid))
    lc.rewatch(ticket, call)
    lc.apply_answer(ticket.target.key, ticket.begun_after, answer)
    lc.observe(call, None)


RING_LIMIT = 60.0  # Twilio's default Timeout: how long a dial-out rings before no-answer


def _not_joined(lc: Lifecycle, ticket: Ticket) -> Verdict:
    """No join (nor leave) in time; the reconcile's list has them in the call (confirmed, by
    `_joined`), ringing (wait on: Twilio ends the ring), or not at all (it failed)."""
    target = ticket.watch
    if target.call_sid is not None:
        participant = lc.roster.participant(target.key, target.call_sid)
        if participant is not None and participant.present:
            return Settled.CONFIRMED
        if participant is not None and participant.ringing:
            if ticket.listed:
                return None
            # Twilio could not be asked (the host was told): one warning, not one a grace
            return Outcome(
                f"Dialling {ticket.action.who}: {lc.no_word(ticket, target.call_sid)}", ok=True
            )
    return Outcome(f"Could not dial {ticket.action.who}: {lc.no_word(ticket, target.call_sid)}")


DIALLING = Rule(settles=_joined, answered=_ringing, after_grace=_not_joined, reconcile_first=True)
