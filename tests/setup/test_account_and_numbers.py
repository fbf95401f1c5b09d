"""Account check and number connect/restore against the simulator, read back with the SDK."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from twilio.rest import Client

from moderator.core import Core
from moderator.credentials import Credentials
from moderator.domain.clock import utc_now
from moderator.setup.account import check_account
from moderator.setup.errors import UNREACHABLE, WRONG_CREDENTIALS, AlreadyRestored, SetupError
from moderator.setup.numbers import CONNECT, RESTORE, connected_numbers
from moderator.setup.service import SetupService
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER
from tests.sim.helpers import async_client_for

OLD_URL = "https://handler.twilio.com/twiml/EH0123"
TUNNEL = "https://first.ngrok.app"


@pytest.fixture
async def sdk(sim: Simulator) -> AsyncIterator[Client]:
    """The real twilio SDK, to read back what the setup steps changed."""
    client, http = async_client_for(sim)
    yield client
    await http.close()


async def voice_url(sdk: Client, e164: str) -> tuple[str, str]:
    (number,) = await sdk.incoming_phone_numbers.list_async(phone_number=e164)
    return number.voice_url, number.voice_method


async def test_right_credentials_show_the_account_name_and_type(
    sim: Simulator, creds: Credentials
) -> None:
    info = await check_account(creds, api_base_url=sim.base_url)
    assert (info.sid, info.type) == (sim.account_sid, "Full")
    assert info.friendly_name == "Simulated account"
    sim.account_type = "Trial"
    assert (await check_account(creds, api_base_url=sim.base_url)).type == "Trial"


async def test_a_wrong_token_is_wrong_sid_or_token(sim: Simulator) -> None:
    wrong = Credentials(sim.account_sid, "0" * 32)
    with pytest.raises(SetupError) as caught:
        await check_account(wrong, api_base_url=sim.base_url)
    assert str(caught.value) == WRONG_CREDENTIALS
    assert "0" * 32 not in str(caught.value)


async def test_no_network_is_cannot_reach_twilio(creds: Credentials) -> None:
    with pytest.raises(SetupError, match=UNREACHABLE):
        await check_account(creds, api_base_url="http://127.0.0.1:9", timeout=2)


async def test_connect_then_restore_puts_the_old_voice_url_back(
    sim: Simulator, sdk: Client, service: SetupService, creds: Credentials, core: Core
) -> None:
    sim.set_voice_url(LINE_NUMBER, OLD_URL, "GET")
    (line,) = [n for n in await service.numbers(creds) if n.phone_number == LINE_NUMBER]
    assert line.voice_url == OLD_URL

    change = await service.connect(creds, line, TUNNEL)
    assert (change.old_voice_url, change.new_voice_url) == (OLD_URL, f"{TUNNEL}/twilio/voice")
    assert await voice_url(sdk, LINE_NUMBER) == (f"{TUNNEL}/twilio/voice", "POST")
    assert connected_numbers(core.journal) == [(line.sid, LINE_NUMBER)]

    # a new tunnel start gives a new URL: the number follows, the original is still kept
    (moved,) = await service.repoint(creds, "https://second.ngrok.app")
    assert moved.old_voice_url == f"{TUNNEL}/twilio/voice"
    assert await voice_url(sdk, LINE_NUMBER) == ("https://second.ngrok.app/twilio/voice", "POST")
    assert await service.repoint(creds, "https://second.ngrok.app") == []  # already there

    (now,) = [n for n in await service.numbers(creds) if n.phone_number == LINE_NUMBER]
    restored = await service.restore(creds, now)
    assert restored.new_voice_url == OLD_URL
    assert await voice_url(sdk, LINE_NUMBER) == (OLD_URL, "GET")
    assert connected_numbers(core.journal) == []
    kinds = [(a.kind, a.ok, a.conference_sid) for a in core.journal.actions()]
    assert kinds == [(CONNECT, True, ""), (CONNECT, True, ""), (RESTORE, True, "")]

    # a second restore says the number is already restored (not "no earlier Voice URL")
    (again,) = [n for n in await service.numbers(creds) if n.phone_number == LINE_NUMBER]
    with pytest.raises(
        AlreadyRestored,
        match=re.escape(f"{LINE_NUMBER} is already restored: its Voice URL is {OLD_URL}"),
    ):
        await service.restore(creds, again)
    assert len(core.journal.actions()) == 3  # nothing sent, nothing journaled


async def status_callback(sdk: Client, e164: str) -> tuple[str, str]:
    (number,) = await sdk.incoming_phone_numbers.list_async(phone_number=e164)
    return number.status_callback, number.status_callback_method


async def test_connect_sets_the_numbers_call_status_callback_and_restore_puts_it_back(
    sim: Simulator, sdk: Client, service: SetupService, creds: Credentials, core: Core
) -> None:
    """Every call's end is told to the console (IncomingPhoneNumber StatusCallback), at the PIN
    prompt and in the waiting room too; --restore puts back what the number had."""
    old_callback = "https://crm.example.com/calls"
    (line,) = await service.numbers(creds)
    await sdk.incoming_phone_numbers(line.sid).update_async(
        status_callback=old_callback, status_callback_method="GET"
    )
    (line,) = await service.numbers(creds)
    change = await service.connect(creds, line, TUNNEL)
    assert (change.old_status_callback, change.new_status_callback) == (
        old_callback,
        f"{TUNNEL}/twilio/call-status",
    )
    assert await status_callback(sdk, LINE_NUMBER) == (f"{TUNNEL}/twilio/call-status", "POST")
    [connect] = core.journal.actions()
    assert connect.params["old_status_callback"] == old_callback
    assert connect.params["old_status_callback_method"] == "GET"

    # a number whose Voice URL is right but its StatusCallback is not is re-pointed too
    await sdk.incoming_phone_numbers(line.sid).update_async(status_callback="")
    (moved,) = await service.repoint(creds, TUNNEL)
    assert (moved.old_status_callback, moved.new_status_callback) == (
        "",
        f"{TUNNEL}/twilio/call-status",
    )

    (now,) = await service.numbers(creds)
    restored = await service.restore(creds, now)
    assert restored.new_status_callback == old_callback
    assert await status_callback(sdk, LINE_NUMBER) == (old_callback, "GET")


async def test_restoring_a_connection_journaled_before_the_status_callback_leaves_it(
    sim: Simulator, sdk: Client, service: SetupService, creds: Credentials, core: Core
) -> None:
    """An older console's connect-number row has no old StatusCallback: restore leaves the
    one the number has (it cannot know an earlier one) and puts back the Voice URL."""
    (line,) = await service.numbers(creds)
    older = core.journal.record_action(
        utc_now(),
        "",
        None,
        CONNECT,
        params={"number": LINE_NUMBER, "number_sid": line.sid, "old_voice_url": OLD_URL},
    )
    core.journal.finish_action(older, utc_now(), ok=True)
    await sdk.incoming_phone_numbers(line.sid).update_async(
        voice_url=f"{TUNNEL}/twilio/voice", status_callback="https://kept.example.com/ends"
    )
    (now,) = await service.numbers(creds)
    restored = await service.restore(creds, now)
    assert restored.new_voice_url == OLD_URL
    assert await status_callback(sdk, LINE_NUMBER) == ("https://kept.example.com/ends", "POST")


async def test_restore_without_an_earlier_connect_says_so(
    service: SetupService, creds: Credentials
) -> None:
    (line,) = await service.numbers(creds)
    with pytest.raises(SetupError, match="no earlier Voice URL"):
        await service.restore(creds, line)


async def test_readiness_checks_the_whole_chain(
    sim: Simulator, service: SetupService, creds: Credentials, core: Core
) -> None:
    public = core.server.local_url  # stands in for a tunnel: it reaches this console
    before = await service.readiness(creds, public)
    assert (before.twilio.ok, before.tunnel.ok, before.number.ok) == (True, True, None)
    assert "Simulated account" in before.twilio.detail

    (line,) = await service.numbers(creds)
    await service.connect(creds, line, public)
    ready = await service.readiness(creds, public)
    assert (ready.twilio.ok, ready.tunnel.ok, ready.number.ok) == (True, True, True)
    assert ready.ready

    sim.set_voice_url(LINE_NUMBER, OLD_URL)  # someone changed it in Twilio's console
    broken = await service.readiness(creds, public)
    assert broken.number.ok is False and OLD_URL in broken.number.detail
    wrong = await service.readiness(Credentials(sim.account_sid, "0" * 32), None)
    assert wrong.twilio.ok is False and wrong.tunnel.ok is False and wrong.number.ok is None


async def test_a_refused_connect_is_journaled_by_the_lifecycle_with_the_steps_reason(
    sim: Simulator, sdk: Client, service: SetupService, creds: Credentials, core: Core
) -> None:
    sim.set_voice_url(LINE_NUMBER, OLD_URL, "GET")
    (line,) = [n for n in await service.numbers(creds) if n.phone_number == LINE_NUMBER]
    sim.fail_next(500, count=10)
    with pytest.raises(SetupError, match="Twilio had a server error") as raised:
        await service.connect(creds, line, TUNNEL)
    sim.failures.clear()
    assert await voice_url(sdk, LINE_NUMBER) == (OLD_URL, "GET")
    [row] = core.journal.actions()
    assert (row.kind, row.conference_sid, row.ok, row.confirmed) == (CONNECT, "", False, False)
    assert row.error == f"Could not connect {LINE_NUMBER}: {raised.value}"
    assert creds.auth_token not in row.error
    assert connected_numbers(core.journal) == []  # the old URL is still the one to keep
