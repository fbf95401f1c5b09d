"""The simulator's REST API driven by the real twilio SDK's async client."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import encode_basic_auth
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client
from yarl import URL

from moderator.domain.sids import is_sid
from moderator.sim import Simulator
from tests.helpers.media import Media

from .helpers import Receiver, async_client_for, room


async def test_list_fetch_and_filter_conferences(sim: Simulator, client: Client) -> None:
    team = sim.create_conference("TeamMeeting")
    other = sim.create_conference("Other")
    await sim.join(team, label="Mary")
    await sim.join(team, label="Alice")
    await sim.end_conference(other)

    all_confs = await client.conferences.list_async()
    assert [c.sid for c in all_confs] == [other, team]  # newest first
    named = await client.conferences.list_async(friendly_name="TeamMeeting")
    assert [c.sid for c in named] == [team]
    live = await client.conferences.list_async(status="in-progress")
    assert [c.sid for c in live] == [team]
    done = await client.conferences.list_async(status="completed")
    assert [c.sid for c in done] == [other]

    conf = await client.conferences(team).fetch_async()
    assert conf.friendly_name == "TeamMeeting"
    assert conf.status == "in-progress"
    assert conf.account_sid == sim.account_sid
    assert conf.date_created is not None  # parsed from the RFC 2822 string
    ended = await client.conferences(other).fetch_async()
    assert ended.reason_conference_ended == "conference-ended-via-api"


async def test_update_mute_and_hold(sim: Simulator, client: Client, receiver: Receiver) -> None:
    conf = sim.create_conference("Room", status_callback=receiver.url)
    await sim.join(conf, label="Mary")
    bob = await sim.join(conf, label="Bob", number="+14155550102")

    part = await client.conferences(conf).participants(bob).update_async(muted=True)
    assert part.muted is True
    assert sim.participant(conf, bob).muted  # type: ignore[union-attr]
    part = await client.conferences(conf).participants(bob).update_async(hold=True)
    assert part.hold is True and part.muted is True
    listed = await client.conferences(conf).participants.list_async(hold=True)
    assert [p.call_sid for p in listed] == [bob]
    assert await client.conferences(conf).participants.list_async(muted=False) != []
    await sim.drain()
    assert receiver.events()[-2:] == ["participant-mute", "participant-hold"]
    assert receiver.of("participant-hold")[0].form["Muted"] == "true"


async def test_label_in_path_is_percent_decoded(sim: Simulator, client: Client) -> None:
    conf = sim.create_conference("Room")
    guest = await sim.join(conf, label="Guest 001")
    fetched = await client.conferences(conf).participants("Guest 001").fetch_async()
    assert fetched.call_sid == guest
    assert fetched.label == "Guest 001"
    await client.conferences(conf).participants("Guest 001").update_async(muted=True)
    assert sim.participant(conf, guest).muted  # type: ignore[union-attr]


async def test_delete_kicks_and_then_404(
    sim: Simulator, client: Client, receiver: Receiver
) -> None:
    conf, (_mary, bob) = await room(sim, receiver, "Mary", "Bob")
    assert await client.conferences(conf).participants(bob).delete_async() is True
    assert sim.participant(conf, bob) is None
    with pytest.raises(TwilioRestException) as info:
        await client.conferences(conf).participants(bob).update_async(muted=True)
    assert (info.value.status, info.value.code) == (404, 20404)
    await sim.drain()
    leave = receiver.of("participant-leave")[0]
    assert leave.form["ReasonParticipantLeft"] == "participant_updated_via_api"
    assert leave.form["ParticipantCallStatus"] == "completed"
    assert "conference-end" not in receiver.events()


async def test_kicking_end_conference_on_exit_ends_it(
    sim: Simulator, client: Client, receiver: Receiver
) -> None:
    conf = sim.create_conference("Room", status_callback=receiver.url)
    mary = await sim.join(conf, label="Mary", end_conference_on_exit=True)
    await sim.join(conf, label="Alice")
    await client.conferences(conf).participants("Mary").delete_async()
    await sim.drain()
    end = receiver.of("conference-end")[0].form
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-kicked"
    assert end["CallSidEndingConference"] == mary
    reasons = [r.form["ReasonParticipantLeft"] for r in receiver.of("participant-leave")]
    assert reasons == ["participant_updated_via_api", "moderator_ended_conference"]
    assert (await client.conferences(conf).fetch_async()).status == "completed"


async def test_end_conference_via_api(sim: Simulator, client: Client, receiver: Receiver) -> None:
    conf = sim.create_conference("Room", status_callback=receiver.url)
    for name in ("Mary", "Alice", "Bob"):
        await sim.join(conf, label=name)
    updated = await client.conferences(conf).update_async(status="completed")
    assert updated.status == "completed"
    await sim.drain()
    leaves = receiver.of("participant-leave")
    assert len(leaves) == 3
    assert {r.form["ReasonParticipantLeft"] for r in leaves} == {"conference_ended_via_api"}
    end = receiver.of("conference-end")[0].form
    assert end["ReasonConferenceEnded"] == "conference-ended-via-api"
    assert receiver.events()[-1] == "conference-end"
    assert await client.conferences(conf).participants.list_async() == []


async def test_announce_url_gives_announcement_end(
    sim: Simulator, client: Client, receiver: Receiver, media: Media
) -> None:
    conf = sim.create_conference("Room", status_callback=receiver.url)
    await sim.join(conf, label="Mary")
    await sim.join(conf, label="Alice")
    a, b = media.url("a.mp3"), media.url("b.mp3")
    await client.conferences(conf).update_async(announce_url=a, announce_method="GET")
    await (
        client.conferences(conf)
        .participants("Alice")
        .update_async(announce_url=b, announce_method="GET")
    )
    await sim.drain()
    ends = receiver.of("announcement-end")
    assert sorted(r.form["AnnounceUrl"] for r in ends) == [a, b]
    assert [r.form.get("ParticipantLabel") for r in ends if "CallSid" in r.form] == ["Alice"]


async def test_modify_callback(sim: Simulator, client: Client, receiver: Receiver) -> None:
    conf = sim.create_conference("Room", status_callback=receiver.url)
    mary = await sim.join(conf, label="Mary")
    alice = await sim.join(conf, label="Alice")
    await (
        client.conferences(conf)
        .participants(alice)
        .update_async(coaching=True, call_sid_to_coach=mary, end_conference_on_exit=True)
    )
    await sim.drain()
    modify = receiver.of("participant-modify")[0].form
    assert modify["Coaching"] == "true"
    assert modify["EndConferenceOnExit"] == "true"
    assert modify["CallSidToCoach"] == mary


async def test_create_participant_rings_then_joins(
    sim: Simulator, client: Client, receiver: Receiver
) -> None:
    conf = sim.create_conference("Room")  # the first participant fixes the subscription
    created = await client.conferences(conf).participants.create_async(
        from_="+12025550199",
        to="+16175550123",
        label="Dana",
        muted=True,
        end_conference_on_exit=False,
        conference_status_callback=receiver.url,
        conference_status_callback_event=["join", "leave", "mute"],
    )
    assert is_sid(created.call_sid, "CA")
    assert created.status == "queued"
    assert created.muted is True
    ringing = await client.conferences(conf).participants.list_async()  # listed while dialled
    assert [(p.call_sid, p.status) for p in ringing] == [(created.call_sid, "ringing")]
    await sim.drain()
    assert receiver.events() == ["participant-join"]
    join = receiver.items[0].form
    assert join["ParticipantLabel"] == "Dana"
    assert join["Muted"] == "true"
    listed = await client.conferences(conf).participants.list_async()
    assert [p.status for p in listed] == ["connected"]
    call = await client.calls(created.call_sid).fetch_async()
    assert (call._from, call.to, call.status) == ("+12025550199", "+16175550123", "in-progress")


async def test_create_participant_by_friendly_name(sim: Simulator, client: Client) -> None:
    created = await client.conferences("NewRoom").participants.create_async(
        from_="+12025550199", to="+16175550123"
    )
    confs = await client.conferences.list_async(friendly_name="NewRoom")
    assert [c.sid for c in confs] == [created.conference_sid]


async def test_create_participant_errors(sim: Simulator, client: Client) -> None:
    conf = sim.create_conference("Room")
    await sim.join(conf, label="Mary")
    participants = client.conferences(conf).participants
    with pytest.raises(TwilioRestException) as dup:
        await participants.create_async(from_="+12025550199", to="+16175550124", label="Mary")
    assert (dup.value.status, dup.value.code) == (400, 16026)
    with pytest.raises(TwilioRestException) as missing:
        await participants.create_async(from_="+12025550199", to="")
    assert missing.value.code == 21604
    for i in range(249):
        await sim.join(conf, label=f"Guest {i:03d}")
    with pytest.raises(TwilioRestException) as full:
        await participants.create_async(from_="+12025550199", to="+16175550123")
    assert (full.value.status, full.value.code) == (400, 16020)


async def test_fetch_call_shows_caller_number(sim: Simulator, client: Client) -> None:
    conf = sim.create_conference("Room")
    bob = await sim.join(conf, label="Bob", number="+14155550102", caller_name="BOB BROWN")
    call = await client.calls(bob).fetch_async()
    assert call._from == "+14155550102"
    assert call.from_formatted == "(415) 555-0102"
    assert call.caller_name == "BOB BROWN"
    assert call.status == "in-progress"
    assert call.direction == "inbound"
    await sim.leave(conf, bob)
    call = await client.calls(bob).fetch_async()
    assert call.status == "completed"


async def test_paging_over_several_pages(sim: Simulator, client: Client) -> None:
    conf = sim.create_conference("Room")
    sids = [await sim.join(conf, label=f"P{i}") for i in range(7)]
    participants = client.conferences(conf).participants
    assert [p.call_sid for p in await participants.list_async(page_size=3)] == sids
    page = await participants.page_async(page_size=3)
    assert [p.call_sid for p in page] == sids[:3]
    assert "PageToken=PA" in (page.next_page_url or "")
    assert page.previous_page_url is None
    second = await page.next_page_async()
    assert second is not None
    assert [p.call_sid for p in second] == sids[3:6]
    back = await second.previous_page_async()
    assert back is not None and [p.call_sid for p in back] == sids[:3]
    third = await second.next_page_async()
    assert third is not None and [p.call_sid for p in third] == sids[6:]
    assert third.next_page_url is None
    # the same through conferences, with a filter kept in next_page_uri
    for i in range(4):
        sim.create_conference(f"C{i}")
    listed = await client.conferences.list_async(status="init", page_size=2)
    assert len(listed) == 4


async def test_paging_envelope_fields(sim: Simulator) -> None:
    conf = sim.create_conference("Room")
    for i in range(3):
        await sim.join(conf, label=f"P{i}")
    auth = {"Authorization": aiohttp.encode_basic_auth(sim.account_sid, sim.auth_token)}
    path = f"/2010-04-01/Accounts/{sim.account_sid}/Conferences/{conf}/Participants.json"
    async with (
        aiohttp.ClientSession(headers=auth) as http,
        http.get(sim.base_url + path, params={"PageSize": "2"}) as resp,
    ):
        body = await resp.json()
    assert resp.status == 200
    assert body["page"] == 0 and body["page_size"] == 2
    assert (body["start"], body["end"]) == (0, 1)
    assert body["uri"] == f"{path}?PageSize=2&Page=0"  # twilio-oai: the paging is spelt out
    assert body["first_page_uri"] == f"{path}?PageSize=2&Page=0"
    assert body["next_page_uri"].startswith(f"{path}?PageSize=2&Page=1&PageToken=PA")
    assert body["previous_page_uri"] is None
    first = body["participants"][0]
    assert set(first) >= {
        "account_sid",
        "call_sid",
        "label",
        "call_sid_to_coach",
        "coaching",
        "conference_sid",
        "date_created",
        "date_updated",
        "end_conference_on_exit",
        "muted",
        "hold",
        "start_conference_on_enter",
        "status",
        "queue_time",
        "uri",
    }
    assert first["date_created"].endswith("+0000")


async def test_wrong_credentials_give_401(sim: Simulator) -> None:
    twilio, http = async_client_for(sim, token="wrong")
    try:
        with pytest.raises(TwilioRestException) as info:
            await twilio.conferences("CF" + "0" * 32).fetch_async()
        assert (info.value.status, info.value.code) == (401, 20003)
        # the SDK's list/page methods raise a plain TwilioException on any non-200
        with pytest.raises(TwilioException, match="Unable to fetch page"):
            await twilio.conferences.list_async()
    finally:
        await http.close()


async def test_unknown_resources_give_404(sim: Simulator, client: Client) -> None:
    with pytest.raises(TwilioRestException) as conf_info:
        await client.conferences("CF" + "0" * 32).fetch_async()
    assert (conf_info.value.status, conf_info.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as call_info:
        await client.calls("CA" + "0" * 32).fetch_async()
    assert call_info.value.code == 20404


async def test_fail_next_429_then_500(sim: Simulator, client: Client) -> None:
    conf = sim.create_conference("Room")
    sim.fail_next(status=429, count=2, retry_after=1)
    sim.fail_next(status=500)
    for status, code in ((429, 20429), (429, 20429), (500, 20500)):
        with pytest.raises(TwilioRestException) as info:
            await client.conferences(conf).fetch_async()
        assert (info.value.status, info.value.code) == (status, code)
    assert len(await client.conferences.list_async()) == 1
    assert sim.stats.rest_faults_injected == 3
    assert sim.stats.rest_requests["GET"] == 4


async def test_a_client_that_hangs_up_mid_request_is_dropped_without_a_traceback(
    sim: Simulator, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """A console that quits while its mute is in flight closes the connection mid-body; the
    simulator drops that request as Twilio would (nothing applied) and logs no traceback."""
    conf = sim.create_conference("Room")
    bob = await sim.join(conf, label="Bob")
    url = URL(f"{sim.base_url}/2010-04-01/Accounts/{sim.account_sid}/Conferences/{conf}")
    _reader, writer = await asyncio.open_connection(url.host, url.port)
    body = b"Muted=true"
    writer.write(
        f"POST {url.path}/Participants/{bob}.json HTTP/1.1\r\nHost: {url.host}\r\n"
        f"Authorization: {encode_basic_auth(sim.account_sid, sim.auth_token)}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body) + 100}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    await asyncio.sleep(0.2)  # the handler is waiting for the rest of the body
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.2)

    assert not sim.participant(conf, bob).muted  # type: ignore[union-attr]
    assert all(record.exc_info is None for record in caplog.records), caplog.text
    assert "Traceback" not in caplog.text
    fetched = await client.conferences(conf).participants(bob).fetch_async()
    assert fetched.muted is False  # and the simulator still answers
