"""The voice route's door: PIN prompt, lock, waiting room, and the announcement TwiML.

The server verifies each request's signature, then asks VoiceDoor for the TwiML. Every decision
is journaled (origin "door", the meeting's name in place of a conference SID: the caller is in
no conference yet) and told to listeners, so the event log and the report show each attempt.
The decisions are journaled with store/action_log.py's ActionLog directly, not through the host
actions' lifecycle (control/actions/lifecycle.py): server/ may not import control/ (DESIGN.md's
package table), and a decision has nothing to send, mark pending or confirm: it is the voice
route's answer. The rows are the same ActionLog writes, folded by domain/host_state.py alike.
Wrong PINs are counted across calls by a PinGuard (domain/pin_guard.py): a number that keys
too many is refused for a while, and many from any numbers slow the door and alarm the host.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from urllib.parse import urlencode

from moderator.dispatch import Signal
from moderator.domain import door_twiml
from moderator.domain.actions import ActionKind, Origin
from moderator.domain.clock import utc_now
from moderator.domain.door import (
    HUNG_UP_AT_PIN,
    LEFT_LOBBY,
    MAX_PIN_ATTEMPTS,
    PIN_ALARM_KIND,
    PIN_LOCKED_OUT,
    PIN_LOCKED_OUT_KIND,
    PIN_RIGHT,
    TOO_MANY_ATTEMPTS,
    Addresses,
    Decision,
    Door,
    DoorEntry,
    Verdict,
    on_arrival,
    on_pin,
)
from moderator.domain.pin_guard import PinGuard
from moderator.domain.roster import Roster
from moderator.domain.twilio_words import PIN_PATH
from moderator.store.action_log import ActionLog
from moderator.store.journal import ActionRecord, Journal

log = logging.getLogger(__name__)

MAX_ANNOUNCEMENT_CHARS = 500
MAX_HELD = 10_000  # calls followed at the door at once
# the journal's words that leave a call with the door (at the PIN prompt, in the waiting room)
_HOLDING = {Verdict.ASK_PIN.value, Verdict.WRONG_PIN.value, Verdict.WAIT.value}
# and those that take it out of the door's hands (in the meeting, turned away, hung up)
_RELEASING = {
    Verdict.JOIN.value,
    Verdict.LOCKED_OUT.value,
    Verdict.PIN_REFUSED.value,
    PIN_LOCKED_OUT_KIND,
    ActionKind.ADMIT,
    ActionKind.DENY,
    ActionKind.GONE,
    ActionKind.MOVE,
    HUNG_UP_AT_PIN,
    LEFT_LOBBY,
}


class VoiceDoor:
    """Answers /twilio/voice and the PIN prompt's action by the door's current settings."""

    def __init__(
        self,
        door: Door,
        journal: Journal,
        roster: Roster,
        *,
        clock: Callable[[], datetime] = utc_now,
        guard: PinGuard | None = None,
    ) -> None:
        self.door = door
        self.actions = ActionLog(journal, clock)  # every decision, journaled as the host's are
        self._roster = roster
        self.clock = clock  # when a PIN was keyed (the guard's windows); tests read it too
        self.guard = guard or PinGuard()
        self.entries: Signal[[DoorEntry]] = Signal("voice_door.entries")  # each decision
        # calls the door still holds (call SID -> the last word: at the PIN prompt, waiting),
        # followed through every journaled row, the host's admit, deny and move included
        self._held: OrderedDict[str, str] = OrderedDict()
        journal.action_listeners.append(self._follow)

    def arrival(self, form: Mapping[str, str], where: Addresses) -> str:
        """A new call: PIN prompt, or straight to admission."""
        number = form.get("From", "")
        call_sid = form.get("CallSid", "")
        if call_sid and number:
            self._roster.note_caller(call_sid, number, form.get("CallerName") or None)
        if self.door.settings.pin_hash and self.guard.locked_out(number, self.clock()):
            return self._refuse(form, where)
        decision = on_arrival(self.door.settings, self.door.book, number)
        self._record(form, where, decision.verdict.value, decision.attempt)
        return self._twiml(decision, where, number)

    def pin(self, form: Mapping[str, str], query: Mapping[str, str], where: Addresses) -> str:
        """The PIN prompt's action: Digits for attempt `?attempt=N`."""
        try:
            attempt = max(1, min(MAX_PIN_ATTEMPTS, int(query.get("attempt", "1"))))
        except ValueError:
            attempt = 1
        number = form.get("From", "")
        now = self.clock()
        if self.door.settings.pin_hash and self.guard.locked_out(number, now):
            return self._refuse(form, where)  # another call from it used the last tries
        decision = on_pin(
            self.door.settings, self.door.book, number, form.get("Digits", ""), attempt
        )
        if decision.verdict not in (Verdict.WRONG_PIN, Verdict.PIN_REFUSED):
            self.guard.succeeded(number)
            self._record(form, where, PIN_RIGHT, attempt)
            self._record(form, where, decision.verdict.value, 0)
            return self._twiml(decision, where, number)
        failure = self.guard.failed(number, now)
        if failure.alarm:
            self._record(form, where, PIN_ALARM_KIND, 0)
        if failure.locked_out:
            self._record(form, where, decision.verdict.value, attempt)
            return self._refuse(form, where)
        if decision.verdict is Verdict.WRONG_PIN and self.guard.under_attack(now):
            # while someone guesses, one try a call: each guess costs a new call and the pause
            decision = Decision(Verdict.PIN_REFUSED, attempt, TOO_MANY_ATTEMPTS)
        self._record(form, where, decision.verdict.value, attempt)
        return self._twiml(decision, where, number)

    def call_ended(self, form: Mapping[str, str], where: Addresses) -> None:
        """The number's call status callback said this call ended: a call the door still held
        hung up at the PIN prompt or left the waiting room, and the journal says so."""
        word = self._held.pop(form.get("CallSid", ""), None)
        if word in (Verdict.ASK_PIN, Verdict.WRONG_PIN):
            self._record(form, where, HUNG_UP_AT_PIN, 0)
        elif word == Verdict.WAIT:
            self._record(form, where, LEFT_LOBBY, 0)

    def still_waiting(self, call_sids: Iterable[str]) -> None:
        """Callers the journal says wait in the waiting room (a restart found them there): their
        end is followed as if this console had put them there."""
        for call_sid in call_sids:
            self._held.setdefault(call_sid, Verdict.WAIT.value)

    def holds(self, call_sid: str) -> str | None:
        """Where the door holds this call: the last word (ask-pin, wrong-pin, wait), or None."""
        return self._held.get(call_sid)

    def _follow(self, action: ActionRecord) -> None:
        sid = action.call_sid
        if sid is None:
            return
        if action.kind in _HOLDING:
            self._held[sid] = action.kind
            self._held.move_to_end(sid)
            while len(self._held) > MAX_HELD:  # calls whose end never came: the oldest go
                self._held.popitem(last=False)
        elif action.kind in _RELEASING:
            self._held.pop(sid, None)

    def _refuse(self, form: Mapping[str, str], where: Addresses) -> str:
        """A number locked out for wrong PINs: told so and hung up, no PIN asked."""
        self._record(form, where, PIN_LOCKED_OUT_KIND, 0)
        return door_twiml.goodbye(PIN_LOCKED_OUT)

    def _twiml(self, decision: Decision, where: Addresses, number: str) -> str:
        verdict = decision.verdict
        if verdict in (Verdict.ASK_PIN, Verdict.WRONG_PIN):
            action = where.public_base + PIN_PATH + "?" + urlencode({"attempt": decision.attempt})
            attacked = self.guard.under_attack(self.clock())
            pause = self.guard.policy.slow_seconds if attacked else 0
            return door_twiml.ask_pin(action, decision.say, pause=pause)
        if verdict is Verdict.WAIT:
            return where.lobby(number, decision.say)
        if verdict is Verdict.JOIN:
            return where.join(where.meeting, number, entering=True)
        return door_twiml.goodbye(decision.say)  # locked out, PIN refused

    def _record(self, form: Mapping[str, str], where: Addresses, kind: str, attempt: int) -> None:
        number = form.get("From", "")
        call_sid = form.get("CallSid", "")
        meeting = where.meeting
        name = self.door.book.name_of(number)
        now = self.clock()
        params = {"from": number, **({"name": name} if name else {})}
        if form.get("CallerName"):
            params["caller_name"] = form["CallerName"]  # Twilio's lookup: a name for the report
        name = name or where.label_of(number)  # what the tile will call them
        if attempt:
            params["attempt"] = str(attempt)
        self.actions.record(
            kind, meeting, call_sid or None, origin=Origin.DOOR, params=params, done=True, at=now
        )
        entry = DoorEntry(now, call_sid, number, name, kind, attempt)
        log.info("door: %s", entry.text)
        self.entries.emit(entry)
