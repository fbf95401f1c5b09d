"""Live captions on and off while the meeting runs: the voice route transcribes callers from
now on, and callers already in get their transcription started (or stopped) through the Calls
Transcriptions REST resource, each as one host action on the action lifecycle.

The switch itself is host state (domain/host_state.py): each turn is journaled under the
meeting's name, so a console restarted while the meeting is live turns captions back on
(control/host_restore.py). A call already being transcribed, or asked to be, is never asked
again: Twilio refuses a second transcription of the same name on a call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from moderator.control.actions.lifecycle import Action, Lifecycle
from moderator.control.bulk import bounded
from moderator.control.requests import transcription_start_call, transcription_stop_call
from moderator.control.results import ActionResult
from moderator.dispatch import Signal
from moderator.domain.actions import ActionKind, Origin, Target
from moderator.domain.door import is_lobby
from moderator.domain.rooms import side_of
from moderator.domain.roster import Roster
from moderator.domain.transcripts import (
    ERROR,
    STARTED,
    STOPPED,
    Line,
    Transcript,
    TranscriptionEvent,
)

log = logging.getLogger(__name__)

CAPTIONS_CONCURRENCY = 8  # REST calls at once when a whole meeting is switched


class CaptionsControl:
    """The host's captions switch. `on` is what the voice route does for new callers;
    `lines` tells each caption line as it is shown or replaced (partial → final)."""

    def __init__(
        self,
        lifecycle: Lifecycle,
        roster: Roster,
        transcript: Transcript,
        *,
        meeting: Callable[[], str],
        callback_url: Callable[[], str],
        on: bool = False,
        switch_voice: Callable[[bool], None] = lambda _on: None,
    ) -> None:
        self._lifecycle = lifecycle
        self._roster = roster
        self.transcript = transcript
        self._meeting = meeting
        self._callback_url = callback_url
        self._switch_voice = switch_voice  # the voice route's <Start><Transcription>
        self.on = on
        # call -> what was last asked of Twilio for it, until its callbacks tell (a started
        # callback comes a moment after the REST answer: turning on twice must not ask twice)
        self._asked: dict[str, bool] = {}
        # calls whose transcription the voice route started just before captions went off,
        # not yet in the meeting by the roster: stopped once they are
        self._unwanted: set[str] = set()
        self._stopping: set[asyncio.Task[ActionResult]] = set()
        roster.changed.connect(lambda _changes: self._stop_unwanted())
        self.lines: Signal[[Line]] = Signal("captions.lines")
        self.switched: Signal[[bool]] = Signal("captions.switched")
        # a transcription stopped or failed (TranscriptionSid): a partial of it shown goes
        self.ended: Signal[[str]] = Signal("captions.ended")

    def on_line(self, line: Line) -> None:
        """A caption line from the transcription route (shown, or a partial replaced)."""
        self.lines.emit(line)

    def on_event(self, event: TranscriptionEvent) -> None:
        """Every transcription callback: an error is told to the host (their captions stop)."""
        if event.event in (STARTED, STOPPED, ERROR):
            asked = self._asked.pop(event.call_sid, None)  # the transcript knows from here on
            # a start the console did not ask for, after captions went off (a retried
            # duplicate of one already stopped is not transcribing: left alone)
            if (
                event.event == STARTED
                and asked is None
                and not self.on
                and self.transcript.transcribing(event.call_sid)
            ):
                self._unwanted.add(event.call_sid)
                self._stop_unwanted()
        if event.event in (STOPPED, ERROR):
            self.ended.emit(event.transcription_sid)
        if event.event == ERROR:
            who = self._caller(event.call_sid)
            self._lifecycle.tell.error(f"Captions of {who} failed: {event.error}")

    def _caller(self, call_sid: str) -> str:
        participant = self._roster.find_call(call_sid)
        return participant.display_name if participant is not None else "a caller"

    def last_words(self, call_sid: str) -> str | None:
        """What the caller said last (a partial while they still talk)."""
        line = self.transcript.last_line(call_sid)
        return line.text if line is not None else None

    def restore(self, on: bool) -> None:
        """What a start found (the journal's host state, the flags): new callers are
        transcribed, or not; nothing is sent (`set_on` catches up those already in)."""
        if on != self.on:
            self.on = on
            self._switch_voice(on)
            self.switched.emit(on)

    def decide(self, on: bool, *, origin: Origin = Origin.HOST) -> None:
        """Journal the switch under the meeting's name (the host state's row)."""
        kind = ActionKind.CAPTIONS_ON if on else ActionKind.CAPTIONS_OFF
        meeting = self._meeting()
        self._lifecycle.decide(Action(kind, Target.meeting(meeting), meeting, origin=origin))

    def transcribing(self, call_sid: str) -> bool | None:
        """Whether the call is transcribed, or was just asked to be (its callback to come);
        None: no word of it yet (the voice route may have started one a moment ago)."""
        if call_sid in self._asked:
            return self._asked[call_sid]
        if self.transcript.transcribing(call_sid):
            return True
        return False if self.transcript.heard_of(call_sid) else None

    async def set_on(self, on: bool) -> list[ActionResult]:
        """Captions on (or off) for new callers, and for every caller already in the meeting
        and its rooms (the waiting room's callers start at their admission)."""
        was_on = self.on
        if on != self.on:
            self.restore(on)
            self.decide(on)
        kind = ActionKind.CAPTIONS_ON if on else ActionKind.CAPTIONS_OFF
        # a caller with no word yet is asked too: turning on, they were never transcribed;
        # turning off, the voice route may have started theirs a moment ago (a stop of none
        # is answered 404, which is done)
        ask_unknown = on or was_on
        callers = [
            (conference_sid, call_sid)
            for conference_sid, call_sid in self._callers_in()
            if (transcribing := self.transcribing(call_sid)) != on
            and (transcribing is not None or ask_unknown)
        ]
        for _conference_sid, call_sid in callers:
            self._asked[call_sid] = on  # a second turn meanwhile skips them

        async def one(caller: tuple[str, str]) -> ActionResult:
            result = await self._lifecycle.run(self._action(kind, *caller), quiet=True)
            if not result.ok and self._asked.get(caller[1]) is on:
                del self._asked[caller[1]]  # not done: the next turn asks again
            return result

        results = await bounded(callers, one, CAPTIONS_CONCURRENCY)
        failed = [r.message for r in results if not r.ok and r.message]
        if failed:
            shown = "; ".join(failed[:3]) + (
                f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""
            )
            self._lifecycle.tell.error(shown)
        log.info(
            "captions %s: %d callers asked, %d failed",
            "on" if on else "off",
            len(callers),
            len(failed),
        )
        return results

    def _stop_unwanted(self) -> None:
        """Stop the transcriptions started after captions went off, of callers now in."""
        if not self._unwanted:
            return
        if self.on:  # back on meanwhile: theirs is wanted again
            self._unwanted.clear()
            return
        for conference_sid, call_sid in self._callers_in():
            if call_sid in self._unwanted:
                self._unwanted.discard(call_sid)
                self._asked[call_sid] = False
                action = self._action(ActionKind.CAPTIONS_OFF, conference_sid, call_sid)
                task = asyncio.ensure_future(self._lifecycle.run(action))
                self._stopping.add(task)  # kept until done (a task nobody holds may be lost)
                task.add_done_callback(self._stopping.discard)

    def _action(self, kind: ActionKind, conference_sid: str, call_sid: str) -> Action:
        if kind is ActionKind.CAPTIONS_ON:
            call = transcription_start_call(call_sid, self._callback_url())
        else:
            call = transcription_stop_call(call_sid)
        return Action(
            kind,
            Target.participant(conference_sid, call_sid),
            self._lifecycle.who(conference_sid, call_sid),
            send=call.send,
            params=call.params,
            pending=False,  # a tile has no captions state to show pending
            # a stop of a transcription Twilio no longer has (the call ended) reached its goal
            done_if_gone=kind is ActionKind.CAPTIONS_OFF,
            subject="caller",
        )

    def _callers_in(self) -> list[tuple[str, str]]:
        """(conference, call) of everyone present in the meeting and its breakout rooms."""
        meeting = self._meeting()
        found: list[tuple[str, str]] = []
        for conference in self._roster.conferences():
            name = conference.friendly_name or ""
            side = side_of(name)
            ours = name == meeting or (side is not None and side[0] == meeting)
            if not conference.status.live or not ours or is_lobby(name):
                continue
            found.extend(
                (conference.sid, p.call_sid)
                for p in self._roster.participants(conference.sid, present_only=True)
            )
        return found
