"""Captions against the simulator: from the voice route to the report (partials shown then
replaced, an unsigned callback left out), and turned on and off mid-meeting through the Calls
Transcriptions REST resource."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp

from moderator.core import Core
from moderator.domain.transcripts import Line
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.store.report import build_report
from tests.forms import transcription_form

from .conftest import answering_core, wait_until

ALICE, BOB, CAROL = "+13125550101", "+14155550102", "+16175550103"
ALICE_SAYS = "The budget is on track this quarter."


def _into(messages: list[tuple[str, str]]) -> Any:
    """A notify sink that keeps what the console told the host."""
    return lambda level, text: messages.append((level, text))


async def _meeting(sim: Simulator, core: Core, messages: list[tuple[str, str]]) -> dict[str, str]:
    calls = {number: sim.place_call(number, LINE_NUMBER).sid for number in (ALICE, BOB)}

    def both_in() -> bool:
        return all(sim.world.call(sid).conference_sid for sid in calls.values())

    await wait_until(both_in, messages, what="both callers in the meeting")
    await wait_until(
        lambda: any(
            len(core.roster.participants(c.sid, present_only=True)) == 2
            for c in core.roster.conferences()
        ),
        messages,
        what="the roster to show both",
    )
    return calls


async def _speak(sim: Simulator, call_sid: str, seconds: float = 3.0) -> None:
    conf_sid = sim.world.call(call_sid).conference_sid
    assert conf_sid is not None
    await sim.set_speaking(conf_sid, call_sid, True)
    await sim.sleep(seconds)
    await sim.set_speaking(conf_sid, call_sid, False)


async def test_captions_from_the_voice_route_to_the_report(sim: Simulator, tmp_path: Path) -> None:
    messages: list[tuple[str, str]] = []
    sim.transcriptions.script(ALICE, [ALICE_SAYS])
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, captions=True, notify=_into(messages))
        assert core.captions is not None and core.transcripts is not None
        shown: list[Line] = []
        core.captions.lines.connect(shown.append)
        calls = await _meeting(sim, core, messages)
        assert sim.world.call(calls[ALICE]).heard[0][1] == "This call is transcribed."
        await _speak(sim, calls[ALICE])
        transcript = core.transcripts.transcript
        await wait_until(lambda: transcript.finals(), messages, what="Alice's final line")
        partials = [line.text for line in shown if not line.final]
        assert partials and all(ALICE_SAYS.startswith(text) for text in partials)
        assert [(line.text, line.final) for line in shown][-1] == (ALICE_SAYS, True)
        assert transcript.partials() == []  # the final replaced them
        assert core.captions.last_words(calls[ALICE]) == ALICE_SAYS
        # someone posts a caption without Twilio's signature: refused, never in the report
        forged = transcription_form("transcription-content", 99, who="Mallory", text="Forged.")
        forged["CallSid"] = calls[BOB]
        async with aiohttp.ClientSession() as http:
            url = core.server.local_url + "/twilio/transcription-events"
            async with http.post(url, data=forged) as answer:
                assert answer.status == 403
        await sim.hang_up(calls[BOB])
        await sim.hang_up(calls[ALICE])
        await sim.drain()
        report = build_report(core.journal)
    (meeting,) = [c for c in report["conferences"] if c["transcript"]]
    (said,) = meeting["transcript"]
    assert said["call_sid"] == calls[ALICE] and said["text"] == ALICE_SAYS
    names = {p["call_sid"]: p["name"] for p in meeting["participants"]}
    assert said["name"] == names[calls[ALICE]]
    assert "Forged." not in json.dumps(report)


def _running(sim: Simulator, call_sid: str) -> bool:
    return bool(sim.transcriptions.running(call_sid))


async def test_captions_turned_on_and_off_mid_meeting_through_rest(
    sim: Simulator, tmp_path: Path
) -> None:
    messages: list[tuple[str, str]] = []
    sim.transcriptions.script(BOB, ["Three customers asked for a shorter setup."])
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, notify=_into(messages))
        assert core.captions is not None and core.transcripts is not None
        calls = await _meeting(sim, core, messages)
        assert not any(_running(sim, sid) for sid in calls.values())  # off by default
        results = await core.captions.set_on(True)
        assert [r.ok for r in results] == [True, True], messages
        assert all(_running(sim, sid) for sid in calls.values())
        transcript = core.transcripts.transcript
        await wait_until(
            lambda: all(transcript.transcribing(sid) for sid in calls.values()),
            messages,
            what="both transcription-started callbacks",
        )
        assert await core.captions.set_on(True) == []  # already on: nothing sent twice
        await _speak(sim, calls[BOB])
        await wait_until(lambda: transcript.finals(), messages, what="Bob's final line")
        # a caller arriving now is told and transcribed by the voice route itself
        carol = sim.place_call(CAROL, LINE_NUMBER).sid
        await wait_until(lambda: _running(sim, carol), messages, what="Carol transcribed")
        assert sim.world.call(carol).heard[0][1] == "This call is transcribed."
        await wait_until(
            lambda: transcript.transcribing(carol), messages, what="Carol's started callback"
        )
        results = await core.captions.set_on(False)
        assert len(results) == 3 and all(r.ok for r in results), messages
        assert not any(_running(sim, sid) for sid in [*calls.values(), carol])
        await wait_until(
            lambda: not any(transcript.transcribing(s) for s in [*calls.values(), carol]),
            messages,
            what="the stopped callbacks",
        )
        assert core.server.captions is False
        rows = [a for a in core.journal.actions() if a.kind.startswith("captions")]
        kinds = [a.kind for a in rows if a.call_sid]  # each caller's
        assert kinds.count("captions-on") == 2 and kinds.count("captions-off") == 3
        # and the switch itself, under the meeting's name (the host state's row)
        assert [(a.kind, a.conference_sid) for a in rows if not a.call_sid] == [
            ("captions-on", "TeamMeeting"),
            ("captions-off", "TeamMeeting"),
        ]
        assert not [text for level, text in messages if level == "error"]


async def test_a_failed_start_is_told_once_and_journaled(sim: Simulator, tmp_path: Path) -> None:
    messages: list[tuple[str, str]] = []
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, notify=_into(messages))
        assert core.captions is not None
        await _meeting(sim, core, messages)
        sim.fail_next(500, count=20)
        results: list[Any] = await core.captions.set_on(True)
        assert results and not any(r.ok for r in results)
        errors = [text for level, text in messages if level == "error"]
        assert len(errors) == 1 and "Could not start captions for" in errors[0]
        failed = [a for a in core.journal.actions() if a.kind == "captions-on" and a.call_sid]
        assert failed and all(a.ok is False for a in failed)


async def test_the_waiting_room_and_the_pin_transcribe_only_once_let_in(
    sim: Simulator, tmp_path: Path
) -> None:
    from moderator.domain.host_state import hash_pin

    messages: list[tuple[str, str]] = []
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, captions=True, notify=_into(messages))
        door = core.door_service
        assert door is not None
        door.set_waiting_room(True)
        waiting = sim.place_call(ALICE, LINE_NUMBER).sid
        await wait_until(lambda: len(door.waiting()) == 1, messages, what="Alice waiting")
        assert not _running(sim, waiting)  # the waiting room transcribes nothing
        assert "This call is transcribed." not in [w for _k, w in sim.world.call(waiting).heard]
        assert (await door.admit(waiting)).ok
        await wait_until(lambda: _running(sim, waiting), messages, what="Alice transcribed")
        heard = [what for _kind, what in sim.world.call(waiting).heard]
        assert heard.count("This call is transcribed.") == 1
        door.set_waiting_room(False)
        core.door.update(pin_hash=hash_pin("2468"))
        keyed = sim.place_call(BOB, LINE_NUMBER, ["1111#", "2468#"]).sid
        await wait_until(lambda: _running(sim, keyed), messages, what="Bob transcribed")
        heard = [what for _kind, what in sim.world.call(keyed).heard]
        # asked twice (a wrong PIN first), told once: after the right PIN, before joining
        assert heard.count("This call is transcribed.") == 1
        assert heard.index("This call is transcribed.") > 1
        assert len(sim.transcriptions.of(keyed)) == 1


async def test_a_transcription_error_is_told_to_the_host(sim: Simulator, tmp_path: Path) -> None:
    from twilio.request_validator import RequestValidator

    messages: list[tuple[str, str]] = []
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, captions=True, notify=_into(messages))
        calls = await _meeting(sim, core, messages)
        error = transcription_form("transcription-error", 7, who="Alice")
        error |= {
            "CallSid": calls[ALICE],
            "TranscriptionErrorCode": "32655",
            "TranscriptionError": "Provider Unavailable",
        }
        url = core.server.local_url + "/twilio/transcription-events"
        signature = RequestValidator(sim.auth_token).compute_signature(url, error)
        async with aiohttp.ClientSession() as http:
            headers = {"X-Twilio-Signature": signature}
            async with http.post(url, data=error, headers=headers) as answer:
                assert answer.status == 204
    errors = [text for level, text in messages if level == "error"]
    assert errors == ["Captions of " + ALICE + " failed: Provider Unavailable (32655)"]


async def test_a_restart_mid_meeting_keeps_the_lines(sim: Simulator, tmp_path: Path) -> None:
    messages: list[tuple[str, str]] = []
    sim.transcriptions.script(ALICE, [ALICE_SAYS])
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, captions=True)
        calls = await _meeting(sim, core, messages)
        await _speak(sim, calls[ALICE])
        assert core.transcripts is not None
        transcript = core.transcripts.transcript
        await wait_until(lambda: transcript.finals(), messages, what="Alice's line")
    async with AsyncExitStack() as stack:  # the console again, the meeting still live
        core = await answering_core(sim, tmp_path, stack, captions=True, replay=True)
        assert core.captions is not None
        assert core.captions.last_words(calls[ALICE]) == ALICE_SAYS


async def test_ending_the_meeting_leaves_no_transcription_running(
    sim: Simulator, tmp_path: Path
) -> None:
    messages: list[tuple[str, str]] = []
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, notify=_into(messages))
        assert core.captions is not None and core.door_service is not None
        calls = await _meeting(sim, core, messages)
        results = await core.captions.set_on(True)  # those in: through REST
        assert results and all(r.ok for r in results), messages
        carol = sim.place_call(CAROL, LINE_NUMBER).sid  # a newcomer: through the voice route
        await wait_until(lambda: _running(sim, carol), messages, what="Carol transcribed")
        everyone = [*calls.values(), carol]
        main = core.door_service.main_conference()
        assert main is not None
        control = core.control
        ended = await core.door_service.end_meeting(lambda: control.end_conference(main.sid))
        assert all(r.ok for r in ended), messages
        await wait_until(
            lambda: not any(_running(sim, sid) for sid in everyone),
            messages,
            what="every transcription stopped",
        )
        assert not [t for t in sim.transcriptions.transcriptions.values() if t.status != "stopped"]
        transcript = core.transcripts.transcript if core.transcripts else None
        assert transcript is not None
        await wait_until(
            lambda: not any(transcript.transcribing(sid) for sid in everyone),
            messages,
            what="the stopped callbacks",
        )


async def test_turning_captions_on_twice_at_once_asks_each_caller_once(
    sim: Simulator, tmp_path: Path
) -> None:
    messages: list[tuple[str, str]] = []
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, notify=_into(messages))
        captions = core.captions
        assert captions is not None
        calls = await _meeting(sim, core, messages)
        # the Settings switch and the menu's, before any started callback has come
        first, second = await asyncio.gather(captions.set_on(True), captions.set_on(True))
        assert [r.ok for r in first] == [True, True] and second == [], messages
        assert await captions.set_on(True) == []  # the callbacks still to come: asked already
        assert all(len(sim.transcriptions.of(sid)) == 1 for sid in calls.values())
        assert not [text for level, text in messages if level == "error"]
        rows = [a for a in core.journal.actions() if a.kind == "captions-on"]
        assert len([a for a in rows if a.call_sid]) == 2 and len(rows) == 3


async def test_a_caller_at_the_door_when_captions_go_off_is_not_left_transcribed(
    sim: Simulator, tmp_path: Path
) -> None:
    """The voice route started Carol's transcription, then the host turned captions off before
    her join reached the console: she was nobody the switch could see, and her transcription
    ran on (charged, and captioned while captions were off)."""
    messages: list[tuple[str, str]] = []
    async with AsyncExitStack() as stack:
        core = await answering_core(sim, tmp_path, stack, captions=True, notify=_into(messages))
        captions = core.captions
        assert captions is not None
        await _meeting(sim, core, messages)
        carol = sim.place_call(CAROL, LINE_NUMBER).sid
        await wait_until(lambda: _running(sim, carol), messages, what="Carol transcribed")
        assert all(r.ok for r in await captions.set_on(False))
        await wait_until(
            lambda: any(
                p.call_sid == carol
                for c in core.roster.conferences()
                for p in core.roster.participants(c.sid, present_only=True)
            ),
            messages,
            what="Carol in",
        )
        await wait_until(lambda: not _running(sim, carol), messages, what="hers stopped")
        assert not [text for level, text in messages if level == "error"]
