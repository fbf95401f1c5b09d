"""Recording control: pause, resume and stop a conference's recording through the one action
lifecycle (control/actions/lifecycle.py), shown pending on the conference until confirmed.

Twilio sends recording status callbacks only for in-progress (the recording began), completed,
absent and failed: a pause or a resume is confirmed by the REST answer, a stop by its callback
(or, after the one grace, by the REST answer)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from moderator.control.actions.lifecycle import Action, Lifecycle, Rule, Settled, Ticket, Verdict
from moderator.control.errors import describe
from moderator.control.interface import RecordingService
from moderator.control.requests import list_recordings_call, recording_call
from moderator.control.results import ActionResult
from moderator.control.tasks import TaskSet
from moderator.dispatch import Signal
from moderator.domain.actions import ActionKind, Scope, Target
from moderator.domain.clock import utc_now
from moderator.domain.recordings import (
    CURRENT,
    FINAL_STATUSES,
    IN_PROGRESS,
    PAUSED,
    STOPPED,
    Recording,
    RecordingEvent,
    RecordingLedger,
)

log = logging.getLogger(__name__)

VERBS = {PAUSED: "pause", IN_PROGRESS: "resume", STOPPED: "stop"}
KINDS = {
    PAUSED: ActionKind.RECORDING_PAUSE,
    IN_PROGRESS: ActionKind.RECORDING_RESUME,
    STOPPED: ActionKind.RECORDING_STOP,
}
ASKED = {kind: status for status, kind in KINDS.items()}  # a mark's kind -> the status asked
# after a stop Twilio reports stopped, then (processing done) completed or absent
_STOPPED = (STOPPED, *FINAL_STATUSES)


class RecordingControl:
    """The host's recording buttons. `asked(conf)` is the status asked for, until confirmed
    (the conference's pending mark); `changed` tells the ConferenceSid whenever its recording
    or that mark changes."""

    def __init__(
        self,
        lifecycle: Lifecycle,
        ledger: RecordingLedger,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._lifecycle = lifecycle
        self.ledger = ledger
        self._clock = clock
        self._tasks = TaskSet()
        self.changed: Signal[[str]] = Signal("recordings.changed")  # the ConferenceSid
        lifecycle.changed.connect(self._on_mark)
        answer_confirms = Rule(answered=self._fold_the_answer)
        self._rules = {
            PAUSED: answer_confirms,
            IN_PROGRESS: answer_confirms,
            STOPPED: Rule(settles=_stopped, after_grace=self._trust_the_answer),
        }

    # ---- what the UI calls ------------------------------------------------------------------
    async def pause(self, conf_sid: str) -> ActionResult:
        return await self._set(conf_sid, PAUSED)

    async def resume(self, conf_sid: str) -> ActionResult:
        return await self._set(conf_sid, IN_PROGRESS)

    async def stop(self, conf_sid: str) -> ActionResult:
        return await self._set(conf_sid, STOPPED)

    def asked(self, conf_sid: str) -> str | None:
        """The status asked for and not yet confirmed: the conference's pending mark."""
        mark = self._lifecycle.roster.pending_on(Target.conference(conf_sid), *ASKED)
        return ASKED.get(mark.kind) if mark is not None else None

    def state(self, conf_sid: str) -> Recording | None:
        """The conference's live recording, else its latest one, else None."""
        return self.ledger.live(conf_sid) or next(reversed(self.ledger.of(conf_sid)), None)

    def restore(self, conf_sid: str, intent: str) -> None:
        """At start: the host's last word on the recording (paused, stopped, resumed) stands
        over the journaled callbacks (Twilio sends none for a pause), until a refresh."""
        live = self.ledger.live(conf_sid)
        if live is not None and live.status != intent:
            self.ledger.apply(RecordingEvent(conf_sid, live.sid, intent, self._clock()))
            self._changed(conf_sid)
        self._tasks.spawn(self.refresh(conf_sid))

    async def refresh(self, conf_sid: str) -> None:
        """Fold Twilio's list of the conference's recordings in (after a restart)."""
        try:
            listed = await list_recordings_call(conf_sid).send(self._lifecycle.rest.client())
        except Exception as exc:
            log.warning("could not list the recordings: %s", describe(exc, subject="conference"))
            return
        for item in listed:
            self._fold_answer(conf_sid, item)
        self._changed(conf_sid)

    # ---- callbacks ----------------------------------------------------------------------------
    def on_recording(self, recording: Recording) -> None:
        """A recording status callback was folded into the ledger (the route calls this)."""
        conf_sid = recording.conference_sid
        self._lifecycle.observe(Target.conference(conf_sid), recording)
        self._changed(conf_sid)

    # ---- plumbing -------------------------------------------------------------------------------
    async def _set(self, conf_sid: str, status: str) -> ActionResult:
        verb = VERBS[status]
        if self.asked(conf_sid) is not None:
            return ActionResult(False, f"Could not {verb} the recording: a change is under way")
        live = self.ledger.live(conf_sid)
        call = recording_call(conf_sid, status, live.sid if live is not None else CURRENT)
        action = Action(
            KINDS[status],
            Target.conference(conf_sid),
            "the recording",
            call.send,
            self._rules[status],
            params=call.params,
            verb=verb,
            subject="recording",
        )
        return await self._lifecycle.run(action)

    def _fold_the_answer(self, _lc: Lifecycle, ticket: Ticket) -> None:
        answer = ticket.answer
        log.info("recording %s: %s asked", getattr(answer, "sid", "?"), ticket.target.key)
        self._fold_answer(ticket.target.key, answer)
        self._changed(ticket.target.key)

    def _trust_the_answer(self, lc: Lifecycle, ticket: Ticket) -> Settled:
        """No callback in time (Twilio sends none for some changes): the REST answer stands."""
        log.info("no recording callback for %s in time: the REST answer stands", ticket.target.key)
        self._fold_the_answer(lc, ticket)
        return Settled.CONFIRMED

    def _fold_answer(self, conf_sid: str, item: Any) -> None:
        sid = getattr(item, "sid", None)
        status = getattr(item, "status", None)
        if not sid or not status:
            return
        raw = str(getattr(item, "duration", None) or "")
        duration = int(raw) if raw.isdigit() else None  # "-1" while it is still recording
        self.ledger.apply(
            RecordingEvent(
                conference_sid=conf_sid,
                recording_sid=str(sid),
                status=str(status),
                received_at=self._clock(),
                duration=duration,
                start_time=getattr(item, "start_time", None),
            )
        )

    def _on_mark(self, target: Target) -> None:
        if target.scope is Scope.CONFERENCE:
            self._changed(target.key)

    def _changed(self, conf_sid: str) -> None:
        self.changed.emit(conf_sid)

    async def close(self) -> None:
        await self._tasks.close()


def _stopped(_lc: Lifecycle, _ticket: Ticket, fact: object) -> Verdict:
    """A stop is confirmed by the stopped (or completed, absent) callback."""
    if isinstance(fact, Recording) and fact.status in _STOPPED:
        return Settled.CONFIRMED
    return None


def _offers_the_ui_seam(control: RecordingControl) -> RecordingService:
    """Never called: mypy checks here that RecordingControl provides everything the UI may call."""
    return control
