"""Conference status callbacks: signatures, sequence numbers, subscriptions, ordering."""

from __future__ import annotations

from twilio.rest import Client

from moderator.sim import Simulator

from .helpers import Receiver, room

ALL = "start end join leave mute hold modify speaker announcement"


async def test_callbacks_are_signed_and_numbered(sim: Simulator, receiver: Receiver) -> None:
    conf = sim.create_conference("TeamMeeting", status_callback=receiver.url, events=ALL)
    mary = await sim.join(
        conf,
        label="Mary",
        number="+12125550100",
        start_conference_on_enter=True,
        end_conference_on_exit=True,
    )
    alice = await sim.join(conf, label="Alice", start_conference_on_enter=False)
    await sim.set_speaking(conf, mary, True)
    await sim.set_speaking(conf, mary, False)
    await sim.set_muted(conf, alice, True)
    await sim.set_hold(conf, alice, True)
    await sim.set_hold(conf, alice, False)
    await sim.leave(conf, mary)
    await sim.drain()

    assert receiver.events() == [
        "participant-join",
        "participant-join",
        "conference-start",
        "participant-speech-start",
        "participant-speech-stop",
        "participant-mute",
        "participant-hold",
        "participant-unhold",
        "participant-leave",
        "participant-leave",
        "conference-end",
    ]
    receiver.assert_signed(sim.auth_token)
    assert [r.seq for r in receiver.items] == list(range(1, 12))
    first = receiver.items[0].form
    assert first["AccountSid"] == sim.account_sid
    assert first["ConferenceSid"] == conf
    assert first["FriendlyName"] == "TeamMeeting"
    assert first["CallSid"] == mary
    assert first["ParticipantLabel"] == "Mary"
    assert (first["StartConferenceOnEnter"], first["EndConferenceOnExit"]) == ("true", "true")
    assert (first["Muted"], first["Hold"], first["Coaching"]) == ("false", "false", "false")
    assert first["Timestamp"].endswith("+0000")
    start = receiver.of("conference-start")[0].form
    assert "CallSid" not in start
    mary_leave, alice_leave = receiver.of("participant-leave")
    assert mary_leave.form["ReasonParticipantLeft"] == "participant_hung_up"
    assert alice_leave.form["ReasonParticipantLeft"] == "moderator_ended_conference"
    end = receiver.of("conference-end")[0].form
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert end["CallSidEndingConference"] == mary
    assert end["ParticipantLabelEndingConference"] == "Mary"
    assert end["Reason"]
    assert sim.stats.callbacks_sent == 11


async def test_sequence_numbers_are_per_conference(sim: Simulator, receiver: Receiver) -> None:
    one = sim.create_conference("One", status_callback=receiver.url)
    two = sim.create_conference("Two", status_callback=receiver.url)
    for conf in (one, two, one, two):
        await sim.join(conf)
    await sim.drain()
    for conf in (one, two):
        seqs = [r.seq for r in receiver.items if r.form["ConferenceSid"] == conf]
        assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1))


async def test_subscribed_events_filter(sim: Simulator, receiver: Receiver) -> None:
    conf = sim.create_conference("Room", status_callback=receiver.url, events="start end mute")
    mary = await sim.join(conf, label="Mary")
    bob = await sim.join(conf, label="Bob")
    await sim.set_speaking(conf, mary, True)
    await sim.set_hold(conf, bob, True)
    await sim.set_muted(conf, bob, True)
    await sim.leave(conf, bob)
    await sim.leave(conf, mary)
    await sim.drain()
    assert receiver.events() == ["conference-start", "participant-mute", "conference-end"]
    assert [r.seq for r in receiver.items] == [1, 2, 3]
    assert receiver.of("conference-end")[0].form["ReasonConferenceEnded"] == (
        "last-participant-left"
    )


async def test_no_callback_url_sends_nothing(sim: Simulator) -> None:
    conf = sim.create_conference("Quiet")
    await sim.join(conf)
    await sim.drain()
    assert sim.stats.callbacks_generated == 0


async def test_first_participant_fixes_subscription(
    sim: Simulator, client: Client, receiver: Receiver
) -> None:
    participants = client.conferences("Dialled").participants
    await participants.create_async(
        from_="+12025550199", to="+16175550100", conference_status_callback=receiver.url
    )  # REST default events: start end
    await participants.create_async(
        from_="+12025550199",
        to="+16175550101",
        conference_status_callback="http://127.0.0.1:9/ignored",
        conference_status_callback_event=["join", "leave"],
    )
    await sim.drain()
    assert receiver.events() == ["conference-start"]
    assert sim.stats.callbacks_failed == 0


async def test_mute_via_rest_answers_first_then_calls_back(
    sim: Simulator, client: Client, receiver: Receiver
) -> None:
    conf, (_mary, bob) = await room(sim, receiver, "Mary", "Bob")
    await sim.drain()
    before = len(receiver.items)
    receiver.log.clear()
    await client.conferences(conf).participants(bob).update_async(muted=True)
    receiver.log.append("rest answered")
    await sim.drain()
    assert receiver.log == ["rest answered", "participant-mute"]
    assert [r.event for r in receiver.items[before:]] == ["participant-mute"]
    assert receiver.items[-1].form["Muted"] == "true"
