"""The World: every simulated conference and call, and the callback events each change causes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from moderator.domain.sids import CALL, CONFERENCE, is_sid, new_sid
from moderator.sim.errors import CONFERENCE_FULL, DUPLICATE_LABEL, SimError, not_found
from moderator.sim.records import (
    DEFAULT_REST_EVENTS,
    MAX_PARTICIPANTS,
    Call,
    Conference,
    Participant,
    parse_events,
    rfc2822,
    tf,
    utcnow,
)

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11; only read by the type checker

IN_PROGRESS = "in-progress"
ADD_FAILED = "participant_add_failed"  # ReasonParticipantLeft of a dial-out that never joined


def _modifiable(part: Participant) -> tuple[object, ...]:
    return (part.coaching, part.call_sid_to_coach, part.beep_on_exit, part.end_conference_on_exit)


class ParticipantOptions(TypedDict, total=False):
    """A participant's settings as it joins; each one left out takes Participant's default."""

    label: str | None
    muted: bool
    hold: bool
    coaching: bool
    call_sid_to_coach: str | None
    start_conference_on_enter: bool
    end_conference_on_exit: bool
    beep_on_exit: bool


@dataclass(frozen=True)
class Event:
    """A conference status callback waiting to be numbered and delivered."""

    conference: Conference
    name: str
    params: dict[str, str]


class World:
    """All simulated state for one account; every change returns the events it causes.

    SIDs are always fresh (never from a seed): a second run must not reuse the identities of
    the first, or a journal kept between runs would take its callbacks for duplicates.
    """

    def __init__(self, account_sid: str, now: Callable[[], datetime] = utcnow):
        self.account_sid = account_sid
        self.now = now
        self.conferences: dict[str, Conference] = {}
        self.calls: dict[str, Call] = {}

    # ----- lookups -------------------------------------------------------------------------
    def conference(self, sid: str) -> Conference:
        """A conference by SID, or 20404."""
        conf = self.conferences.get(sid)
        if conf is None:
            raise not_found(f"Conference {sid}")
        return conf

    def live_conference_named(self, name: str) -> Conference | None:
        """The live conference with this friendly name, if any."""
        for conf in self.conferences.values():
            if conf.live and conf.friendly_name == name:
                return conf
        return None

    def participant(self, conf: Conference, key: str) -> Participant:
        """A live participant by CallSid or label, or 20404."""
        found = conf.participants.get(key)
        if found is None and not is_sid(key, CALL):
            found = next((p for p in conf.participants.values() if p.label == key), None)
        if found is None:
            raise not_found(f"Participant {key} in conference {conf.sid}")
        return found

    def call(self, sid: str) -> Call:
        """A call by SID, or 20404."""
        call = self.calls.get(sid)
        if call is None:
            raise not_found(f"Call {sid}")
        return call

    # ----- conference lifecycle --------------------------------------------------------------
    def create_conference(
        self,
        friendly_name: str,
        status_callback: str | None = None,
        events: str | Iterable[str] | None = None,
    ) -> Conference:
        """A new conference in status init; a given callback fixes the subscription now."""
        now = self.now()
        conf = Conference(
            sid=new_sid(CONFERENCE),
            account_sid=self.account_sid,
            friendly_name=friendly_name,
            date_created=now,
            date_updated=now,
        )
        if status_callback is not None:
            self._fix_subscription(conf, status_callback, events)
        self.conferences[conf.sid] = conf
        return conf

    def _fix_subscription(
        self,
        conf: Conference,
        url: str | None,
        events: str | Iterable[str] | None,
        method: str = "POST",
    ) -> None:
        if conf.subscription_fixed:
            return
        conf.status_callback = url
        conf.status_callback_method = method
        parsed = parse_events(events)
        conf.events = DEFAULT_REST_EVENTS if parsed is None else parsed
        conf.subscription_fixed = True

    def add_participant(
        self,
        conf: Conference,
        *,
        from_: str,
        to: str,
        direction: str,
        caller_name: str | None = None,
        status_callback: str | None = None,
        events: str | Iterable[str] | None = None,
        status_callback_method: str = "POST",
        call: Call | None = None,
        **options: Unpack[ParticipantOptions],
    ) -> Participant:
        """Reserve a place (status queued); `connect` makes the participant join.

        `call` is an existing call that joins through TwiML; without it a new call is made.
        """
        label = options.get("label")
        if not conf.live:
            raise not_found(f"Conference {conf.sid}")
        if len(conf.participants) >= MAX_PARTICIPANTS:
            raise SimError(
                400, CONFERENCE_FULL, f"Conference {conf.sid} is full ({MAX_PARTICIPANTS})"
            )
        if label is not None and any(p.label == label for p in conf.participants.values()):
            raise SimError(400, DUPLICATE_LABEL, f"Participant label {label!r} is already in use")
        self._fix_subscription(conf, status_callback, events, status_callback_method)
        now = self.now()
        if call is None:
            call = Call(
                sid=new_sid(CALL),
                from_=from_,
                to=to,
                direction=direction,
                caller_name=caller_name,
                status="queued",
                date_created=now,
                date_updated=now,
            )
            self.calls[call.sid] = call
        call.conference_sid = conf.sid
        part = Participant(call.sid, conf.sid, date_created=now, date_updated=now, **options)
        conf.participants[part.call_sid] = part
        return part

    def ringing(self, part: Participant) -> None:
        """The dial-out call is ringing (Twilio lists the participant as `ringing`)."""
        now = self.now()
        part.status = "ringing"
        part.date_updated = now
        call = self.calls[part.call_sid]
        call.status = "ringing"
        call.date_updated = now

    def dial_failed(self, conf: Conference, part: Participant, call_status: str) -> list[Event]:
        """A dial-out that never joined: participant-leave with participant_add_failed."""
        return self.remove(conf, part, ADD_FAILED, call_status=call_status)

    def connect(self, conf: Conference, part: Participant) -> list[Event]:
        """The call is answered: participant-join, and conference-start when mixing begins."""
        now = self.now()
        part.status = "connected"
        part.date_updated = now
        call = self.calls[part.call_sid]
        call.status, call.date_updated = "in-progress", now
        call.start_time = call.start_time or now
        events = [self._participant_event(conf, part, "participant-join")]
        present = conf.connected()
        if (
            not conf.started
            and len(present) >= 2
            and any(p.start_conference_on_enter for p in present)
        ):
            conf.started = True
            conf.status = "in-progress"
            conf.date_updated = now
            events.append(self._conference_event(conf, "conference-start"))
        return events

    def remove(
        self,
        conf: Conference,
        part: Participant,
        reason: str,
        *,
        call_status: str = "completed",
        kicked: bool = False,
    ) -> list[Event]:
        """The participant leaves; the conference ends when it was the last or a moderator."""
        was_connected = part.connected
        dialled = self.calls[part.call_sid].direction == "outbound-api"
        self._finish(conf, part, call_status)
        events: list[Event] = []
        if not was_connected:  # a dial-out that never joined: Twilio still reports its leave
            reason = ADD_FAILED
        if was_connected or dialled:
            leave = self._participant_event(conf, part, "participant-leave")
            leave.params["ParticipantCallStatus"] = call_status
            leave.params["ReasonParticipantLeft"] = reason
            events.append(leave)
        if not conf.live:
            return events
        how = "kicked" if kicked else "left"
        if was_connected and part.end_conference_on_exit:
            events += self.end_conference(
                conf,
                f"participant-with-end-conference-on-exit-{how}",
                f"Participant {part.call_sid} with endConferenceOnExit {how} the conference",
                ending=part,
                participant_reason="moderator_ended_conference",
            )
        elif was_connected and not conf.participants:
            events += self.end_conference(
                conf,
                f"last-participant-{how}",
                f"Last participant {part.call_sid} {how} the conference",
                ending=part,
                participant_reason=reason,
            )
        return events

    def _finish(self, conf: Conference, part: Participant, call_status: str) -> None:
        """The participant is gone; its call ends too unless it goes on (`in-progress`:
        moved by a Calls update, its TwiML continues)."""
        now = self.now()
        conf.participants.pop(part.call_sid, None)
        part.status = "complete" if call_status in ("completed", IN_PROGRESS) else "failed"
        part.speaking = False
        part.date_updated = now
        call = self.calls[part.call_sid]
        call.conference_sid = None
        call.status = call_status
        call.end_time = now if call.start_time and call_status != IN_PROGRESS else None
        call.date_updated = now

    def end_conference(
        self,
        conf: Conference,
        reason_code: str,
        reason_text: str,
        *,
        ending: Participant | None = None,
        participant_reason: str = "conference_ended_via_api",
    ) -> list[Event]:
        """Everyone still present leaves, then conference-end."""
        if not conf.live:
            return []
        events: list[Event] = []
        for part in list(conf.participants.values()):
            if part.connected:
                self._finish(conf, part, "completed")
                leave = self._participant_event(conf, part, "participant-leave")
                leave.params["ParticipantCallStatus"] = "completed"
                leave.params["ReasonParticipantLeft"] = participant_reason
                events.append(leave)
            else:
                self._finish(conf, part, "canceled")
        conf.status = "completed"
        conf.date_updated = self.now()
        conf.reason_conference_ended = reason_code
        conf.call_sid_ending_conference = ending.call_sid if ending else None
        end = self._conference_event(conf, "conference-end")
        end.params["ReasonConferenceEnded"] = reason_code
        end.params["Reason"] = reason_text
        if ending is not None:
            end.params["CallSidEndingConference"] = ending.call_sid
            if ending.label:
                end.params["ParticipantLabelEndingConference"] = ending.label
        events.append(end)
        return events

    # ----- participant changes -------------------------------------------------------------
    def set_muted(self, conf: Conference, part: Participant, muted: bool) -> list[Event]:
        """participant-mute / participant-unmute (sent even when unchanged, like an echo)."""
        part.muted = muted
        return self._touch(conf, part, "participant-mute" if muted else "participant-unmute")

    def set_hold(self, conf: Conference, part: Participant, hold: bool) -> list[Event]:
        """participant-hold / participant-unhold."""
        part.hold = hold
        if hold:
            part.speaking = False
        return self._touch(conf, part, "participant-hold" if hold else "participant-unhold")

    def modify(
        self,
        conf: Conference,
        part: Participant,
        *,
        coaching: bool | None = None,
        call_sid_to_coach: str | None = None,
        beep_on_exit: bool | None = None,
        end_conference_on_exit: bool | None = None,
    ) -> list[Event]:
        """participant-modify when Coaching, CallSidToCoach, BeepOnExit or EndConferenceOnExit
        change."""
        before = _modifiable(part)
        if coaching is not None:
            part.coaching = coaching
            if not coaching:
                part.call_sid_to_coach = None  # coaching nobody
        if call_sid_to_coach is not None:
            part.call_sid_to_coach = call_sid_to_coach
        if beep_on_exit is not None:
            part.beep_on_exit = beep_on_exit
        if end_conference_on_exit is not None:
            part.end_conference_on_exit = end_conference_on_exit
        after = _modifiable(part)
        return [] if before == after else self._touch(conf, part, "participant-modify")

    def set_speaking(self, conf: Conference, part: Participant, speaking: bool) -> list[Event]:
        """participant-speech-start / participant-speech-stop when it changes."""
        if part.speaking == speaking or not part.connected:
            return []
        part.speaking = speaking
        name = "participant-speech-start" if speaking else "participant-speech-stop"
        return [self._participant_event(conf, part, name)]

    def announcement_done(
        self,
        conf: Conference,
        part: Participant | None,
        announce_url: str,
        failed_reason: str | None = None,
    ) -> list[Event]:
        """announcement-end (or -fail with ReasonAnnouncementFailed) for the conference or one
        participant. A participant who left meanwhile gets a fail without CallSid: Twilio sends
        CallSid only while the participant is present."""
        if not conf.live:
            return []
        if part is not None and part.connected:
            event = self._participant_event(conf, part, "announcement-end")
        else:
            event = self._conference_event(conf, "announcement-end")
            if part is not None:
                failed_reason = failed_reason or "Participant is no longer in the conference"
        if failed_reason is not None:
            event = Event(conf, "announcement-fail", event.params)
            event.params["StatusCallbackEvent"] = "announcement-fail"
            event.params["ReasonAnnouncementFailed"] = failed_reason
        event.params["AnnounceUrl"] = announce_url
        return [event]

    def _touch(self, conf: Conference, part: Participant, name: str) -> list[Event]:
        part.date_updated = self.now()
        return [self._participant_event(conf, part, name)] if part.connected else []

    # ----- event building ------------------------------------------------------------------
    def _conference_event(self, conf: Conference, name: str) -> Event:
        params = {
            "AccountSid": self.account_sid,
            "ConferenceSid": conf.sid,
            "FriendlyName": conf.friendly_name,
            "StatusCallbackEvent": name,
            "Timestamp": rfc2822(self.now()) or "",
        }
        return Event(conf, name, params)

    def _participant_event(self, conf: Conference, part: Participant, name: str) -> Event:
        event = self._conference_event(conf, name)
        event.params.update(
            {
                "CallSid": part.call_sid,
                "Muted": tf(part.muted),
                "Hold": tf(part.hold),
                "Coaching": tf(part.coaching),
                "EndConferenceOnExit": tf(part.end_conference_on_exit),
                "StartConferenceOnEnter": tf(part.start_conference_on_enter),
            }
        )
        if part.label:
            event.params["ParticipantLabel"] = part.label
        if part.coaching and part.call_sid_to_coach:
            event.params["CallSidToCoach"] = part.call_sid_to_coach
        return event
