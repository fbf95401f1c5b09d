"""The account and its phone numbers through the real twilio SDK (async and sync clients)."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from moderator.domain.sids import is_sid
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER

from .helpers import ThreadedSim, async_client_for

VOICE_URL = "https://example.ngrok.app/twilio/voice"


async def test_list_fetch_update_numbers_read_back_voice_url(
    sim: Simulator, client: Client
) -> None:
    second = sim.add_number("+13125550177", "Backup line")
    numbers = await client.incoming_phone_numbers.list_async()
    assert [n.phone_number for n in numbers] == ["+13125550177", LINE_NUMBER]  # newest first
    line = numbers[1]
    assert is_sid(line.sid, "PN")
    assert line.account_sid == sim.account_sid
    assert line.friendly_name == "Conference line"
    assert line.capabilities == {"fax": False, "mms": True, "sms": True, "voice": True}
    assert line.voice_url is None and line.voice_method == "POST"  # unset: null (twilio-oai)
    assert line.type == "local"
    assert line.date_created is not None and line.uri.endswith(
        f"/IncomingPhoneNumbers/{line.sid}.json"
    )

    found = await client.incoming_phone_numbers.list_async(phone_number=LINE_NUMBER)
    assert [n.sid for n in found] == [line.sid]
    partial = await client.incoming_phone_numbers.list_async(phone_number="555017*")
    assert [n.sid for n in partial] == [second.sid]
    assert await client.incoming_phone_numbers.list_async(phone_number="+19995550000") == []

    updated = await client.incoming_phone_numbers(line.sid).update_async(
        voice_url=VOICE_URL, voice_method="POST", friendly_name="Meeting"
    )
    assert updated.voice_url == VOICE_URL
    fetched = await client.incoming_phone_numbers(line.sid).fetch_async()
    assert (fetched.voice_url, fetched.voice_method, fetched.friendly_name) == (
        VOICE_URL,
        "POST",
        "Meeting",
    )
    assert sim.number_for(LINE_NUMBER).voice_url == VOICE_URL  # type: ignore[union-attr]


async def test_number_update_refuses_bad_url_and_unknown_sid(
    sim: Simulator, client: Client
) -> None:
    (line,) = await client.incoming_phone_numbers.list_async()
    with pytest.raises(TwilioRestException) as info:
        await client.incoming_phone_numbers(line.sid).update_async(voice_url="localhost:8080")
    assert (info.value.status, info.value.code) == (400, 21402)  # a number's URL: 21402
    with pytest.raises(TwilioRestException) as info:
        await client.incoming_phone_numbers(line.sid).update_async(voice_method="PUT")
    assert info.value.status == 400
    assert sim.number_for(LINE_NUMBER).voice_url == ""  # type: ignore[union-attr]
    with pytest.raises(TwilioRestException) as info:
        await client.incoming_phone_numbers("PN" + "0" * 32).fetch_async()
    assert (info.value.status, info.value.code) == (404, 20404)


async def test_many_numbers_page(sim: Simulator, client: Client) -> None:
    for i in range(5):
        sim.add_number(f"+1415555020{i}")
    page = await client.incoming_phone_numbers.page_async(page_size=2)
    assert len(list(page)) == 2 and page.next_page_url is not None
    everything = await client.incoming_phone_numbers.list_async(page_size=2)
    assert len(everything) == 6


async def test_account_fetch_and_wrong_token(sim: Simulator, client: Client) -> None:
    account = await client.api.v2010.accounts(sim.account_sid).fetch_async()
    assert account.sid == sim.account_sid
    assert (account.type, account.status) == ("Full", "active")
    assert account.friendly_name == "Simulated account"
    sim.account_type = "Trial"
    assert (await client.api.v2010.account.fetch_async()).type == "Trial"

    wrong, http = async_client_for(sim, token="0" * 32)
    try:
        with pytest.raises(TwilioRestException) as info:
            await wrong.api.v2010.account.fetch_async()
        assert (info.value.status, info.value.code) == (401, 20003)
    finally:
        await http.close()


def test_sync_sdk_points_the_number_and_reads_it_back(
    threaded: ThreadedSim, sync_client: Client
) -> None:
    (line,) = sync_client.incoming_phone_numbers.list(phone_number=LINE_NUMBER)
    sync_client.incoming_phone_numbers(line.sid).update(voice_url=VOICE_URL, voice_method="GET")
    fetched = sync_client.incoming_phone_numbers(line.sid).fetch()
    assert (fetched.voice_url, fetched.voice_method) == (VOICE_URL, "GET")
    assert sync_client.api.v2010.account.fetch().type == "Full"
