"""Dial-outs as Twilio runs them: fresh SIDs, ringing, unanswered outcomes, what it refuses."""

from __future__ import annotations

import random

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from moderator.sim import Faults, Simulator
from moderator.sim.records import LINE_NUMBER
from tests.helpers.media import Media

from .helpers import Receiver, make_sim, room

DANA = "+16175550123"


async def _dial(client: Client, conf: str, receiver: Receiver, **kwargs: object) -> str:
    created = await client.conferences(conf).participants.create_async(
        from_=LINE_NUMBER,
        to=kwargs.pop("to", DANA),
        conference_status_callback=receiver.url,
        conference_status_callback_event=["join", "leave"],
        **kwargs,
    )
    return str(created.call_sid)


async def test_every_run_mints_fresh_sids_whatever_the_seed() -> None:
    sids = []
    for _ in range(2):
        async with make_sim(seed=7) as sim:
            conf = sim.create_conference("TeamMeeting")
            sids.append((conf, await sim.join(conf, label="Mary")))
    assert sids[0][0] != sids[1][0]
    assert sids[0][1] != sids[1][1]


@pytest.mark.parametrize("outcome", ["busy", "no-answer", "failed"])
async def test_unanswered_dial_out_leaves_with_participant_add_failed(
    sim: Simulator, client: Client, receiver: Receiver, outcome: str
) -> None:
    conf = sim.create_conference("Room")
    sim.set_dial_outcome(DANA, outcome)
    call_sid = await _dial(client, conf, receiver, label="Dana")
    await sim.drain()
    assert receiver.events() == ["participant-leave"]
    leave = receiver.items[0].form
    assert leave["CallSid"] == call_sid
    assert leave["ParticipantLabel"] == "Dana"
    assert leave["ParticipantCallStatus"] == outcome
    assert leave["ReasonParticipantLeft"] == "participant_add_failed"
    assert await client.conferences(conf).participants.list_async() == []
    call = await client.calls(call_sid).fetch_async()
    assert call.status == outcome


async def test_a_fault_flag_makes_dial_outs_go_unanswered(
    client: Client, sim: Simulator, receiver: Receiver
) -> None:
    sim.faults = Faults.parse(["no-answer=1"])
    conf = sim.create_conference("Room")
    await _dial(client, conf, receiver)
    await sim.drain()
    assert [r.form["ParticipantCallStatus"] for r in receiver.items] == ["no-answer"]


async def test_kicking_a_ringing_dial_out_cancels_it(
    sim: Simulator, client: Client, receiver: Receiver
) -> None:
    # The phone rings for as long as Twilio waits at most (Timeout 600 s) in real time, so
    # a loaded machine cannot let the answer overtake the kick; nobody answers it sooner.
    sim.speed, sim.ring_time = 1.0, 600.0
    conf = sim.create_conference("Room")
    call_sid = await _dial(client, conf, receiver)
    listed = await client.conferences(conf).participants(call_sid).fetch_async()
    assert listed.status in ("queued", "ringing")
    await client.conferences(conf).participants(call_sid).delete_async()
    await receiver.wait_for(lambda: bool(receiver.items), timeout=30)
    assert [
        (r.event, r.form["ParticipantCallStatus"], r.form["ReasonParticipantLeft"])
        for r in receiver.items
    ] == [("participant-leave", "canceled", "participant_add_failed")]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": "+1617555"}, 21211),
        ({"to": "Dana"}, 21211),
        ({"from_": "+15005550006"}, 21210),
        ({"label": "x" * 129}, 16024),
        ({"label": "CA" + "0" * 32}, 16024),
        ({"label": "Sales/Dana"}, 16024),
        ({"label": "Sales%2FDana"}, 16024),
    ],
)
async def test_dial_out_refuses_what_twilio_refuses(
    sim: Simulator, client: Client, fields: dict[str, str], code: int
) -> None:
    conf = sim.create_conference("Room")
    params = {"from_": LINE_NUMBER, "to": DANA, **fields}
    with pytest.raises(TwilioRestException) as info:
        await client.conferences(conf).participants.create_async(**params)
    assert (info.value.status, info.value.code) == (400, code)
    assert sim.conference(conf).participants == {}


async def test_dial_out_accepts_a_128_character_label_and_client_identities(
    sim: Simulator, client: Client
) -> None:
    conf = sim.create_conference("Room")
    participants = client.conferences(conf).participants
    labelled = await participants.create_async(from_=LINE_NUMBER, to=DANA, label="x" * 128)
    client_leg = await participants.create_async(from_=LINE_NUMBER, to="client:dana")
    assert labelled.label == "x" * 128
    assert {labelled.call_sid, client_leg.call_sid} <= set(sim.conference(conf).participants)


async def test_muted_other_than_true_is_false(sim: Simulator) -> None:
    conf = sim.create_conference("Room")
    bob = await sim.join(conf, label="Bob", muted=True)
    account = f"{sim.base_url}/2010-04-01/Accounts/{sim.account_sid}"
    url = f"{account}/Conferences/{conf}/Participants/{bob}.json"
    auth = {"Authorization": aiohttp.encode_basic_auth(sim.account_sid, sim.auth_token)}
    async with aiohttp.ClientSession(headers=auth) as session:
        async with session.post(url, data={"Muted": "yes"}) as resp:
            assert resp.status == 200
            assert (await resp.json())["muted"] is False
        async with session.post(url, data={"Muted": "TRUE"}) as resp:
            assert (await resp.json())["muted"] is True


async def _announce_to_bob(
    sim: Simulator, client: Client, receiver: Receiver, hello: str, **options: str
) -> tuple[str, str]:
    """Mary and Bob in a Room whose callbacks reach `receiver`; Bob is sent `hello`."""
    conf, (_mary, bob) = await room(sim, receiver, "Mary", "Bob")
    await client.conferences(conf).participants(bob).update_async(announce_url=hello, **options)
    return conf, bob


async def test_announcements_record_their_method_and_can_fail(
    sim: Simulator, client: Client, receiver: Receiver, media: Media
) -> None:
    hello = media.url("hello.mp3")
    conf, bob = await _announce_to_bob(sim, client, receiver, hello, announce_method="GET")
    assert [(a.call_sid, a.method) for a in sim.announcements] == [(bob, "GET")]
    sim.faults.announce_fail = 1.0
    await client.conferences(conf).update_async(announce_url=media.url("all.mp3"))
    await sim.drain()
    [ended] = receiver.of("announcement-end")
    assert ended.form["CallSid"] == bob
    [failed] = receiver.of("announcement-fail")
    assert "CallSid" not in failed.form
    assert failed.form["ReasonAnnouncementFailed"]
    assert sim.announcements[-1].method == "POST"  # Twilio's default


async def test_announcement_to_someone_who_left_fails_without_call_sid(
    sim: Simulator, client: Client, receiver: Receiver, media: Media
) -> None:
    hello = media.url("hello.mp3")
    conf, bob = await _announce_to_bob(sim, client, receiver, hello, announce_method="GET")
    await sim.leave(conf, bob)
    await sim.drain()
    [failed] = receiver.of("announcement-fail")
    assert "CallSid" not in failed.form
    assert failed.form["AnnounceUrl"] == hello
    assert failed.form["ReasonAnnouncementFailed"]


def test_rest_latency_has_jitter_within_its_bounds() -> None:
    faults = Faults.parse(["latency=0.15", "jitter=0.15"])
    rng = random.Random(1)
    delays = [faults.rest_delay(rng) for _ in range(200)]
    assert all(0.15 <= d <= 0.30 for d in delays)
    assert len({round(d, 3) for d in delays}) > 50  # not one fixed value
    assert Faults().rest_delay(rng) == 0.0
