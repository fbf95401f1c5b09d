"""Failures: rollback with a readable message, retries of 429/5xx, timeouts, bad credentials."""

from __future__ import annotations

import time
from pathlib import Path

from moderator.control.retry import RetryPolicy
from moderator.control.status import ConnectionState, TwilioStatus
from moderator.credentials import Credentials
from moderator.sim import Simulator

from .conftest import Console, close_console, make_settings, meeting, open_console


def _shown(console: Console, conf: str, call: str) -> tuple[bool, object]:
    participant = console.roster.participant(conf, call)
    assert participant is not None
    return participant.muted, participant.pending


async def test_404_rolls_back_names_who_and_why_and_reconciles(console: Console) -> None:
    conf, sids = await meeting(console, "Bob")
    console.sim.faults.drop = 1.0  # Bob's leave never reaches the console: its roster is stale
    await console.sim.leave(conf, sids["Bob"])
    await console.sim.drain()
    console.sim.faults.drop = 0.0

    result = await console.moderator.mute(conf, sids["Bob"])

    message = "Could not mute Bob: Twilio says the participant has left (20404)"
    assert (result.ok, result.message) == (False, message)
    assert console.errors == [message]
    [action] = console.journal.actions(conf)
    assert (action.ok, action.confirmed, action.error) == (False, False, message)
    # the 404 told us the roster was stale: the debounced reconcile marks Bob gone
    await console.moderator.settle()
    bob = console.roster.participant(conf, sids["Bob"])
    assert bob is not None and not bob.present and bob.pending is None


async def test_kicking_someone_twilio_already_lost_is_not_an_error(console: Console) -> None:
    conf, sids = await meeting(console, "Bob")
    console.sim.faults.drop = 1.0  # Bob's leave never reaches the console
    await console.sim.leave(conf, sids["Bob"])
    await console.sim.drain()
    console.sim.faults.drop = 0.0

    result = await console.moderator.kick(conf, sids["Bob"])

    assert result.ok
    assert console.errors == []
    [action] = console.journal.actions(conf)
    assert (action.kind, action.ok, action.error) == ("kick", True, None)
    await console.moderator.settle()  # the reconcile it asked for shows Bob gone
    bob = console.roster.participant(conf, sids["Bob"])
    assert bob is not None and not bob.present and bob.pending is None


async def test_500_is_retried_then_rolled_back(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    console.sim.stats.reset()
    console.sim.fail_next(500, count=10)

    result = await console.moderator.mute(conf, sids["Alice"])

    assert not result.ok
    assert result.message == (
        "Could not mute Alice: Twilio had a server error (HTTP 500)"
        " and still failed after retries (20500)"
    )
    assert console.sim.stats.rest_requests["POST"] == 4  # the policy's bound
    assert _shown(console, conf, sids["Alice"]) == (False, None)
    # Twilio answers, but only with errors: not "connected", and the status bar says why
    assert console.moderator.connection_state == TwilioStatus(
        ConnectionState.DEGRADED, "Twilio answers with server errors (500)"
    )
    console.sim.failures.clear()
    assert (await console.moderator.mute(conf, sids["Alice"])).ok
    assert console.moderator.connection_state.state is ConnectionState.CONNECTED


async def test_503_once_then_success(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    console.sim.stats.reset()
    console.sim.fail_next(503, count=1)
    assert (await console.moderator.mute(conf, sids["Alice"])).ok
    assert console.sim.stats.rest_requests["POST"] == 2
    assert console.moderator.connection_state.state is ConnectionState.CONNECTED  # recovered


async def test_4xx_is_not_retried(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    console.sim.stats.reset()
    console.sim.fail_next(400, count=1)
    result = await console.moderator.mute(conf, sids["Alice"])
    assert not result.ok and result.message is not None
    assert result.message.startswith("Could not mute Alice: Twilio says")
    assert console.sim.stats.rest_requests["POST"] == 1


async def test_429_honours_retry_after_and_succeeds(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    console.sim.stats.reset()
    console.sim.fail_next(429, count=2, retry_after=0.2)
    started = time.monotonic()

    result = await console.moderator.mute(conf, sids["Alice"])

    assert result.ok
    assert time.monotonic() - started >= 0.39  # two Retry-After waits, not the 20 ms backoff
    assert console.sim.stats.rest_requests["POST"] == 3
    assert console.moderator.rest.total_requests() >= 3
    await console.sim.drain()
    await console.wait_for(lambda: _shown(console, conf, sids["Alice"]) == (True, None))
    assert console.errors == []


async def test_timeout_rolls_back(sim: Simulator, tmp_path: Path) -> None:
    console = await open_console(sim, tmp_path, settings=make_settings(rest_timeout=0.2))
    try:
        conf, sids = await meeting(console, "Alice")
        sim.faults.latency = 0.6
        result = await console.moderator.mute(conf, sids["Alice"])
        assert not result.ok
        assert result.message == "Could not mute Alice: Twilio did not answer within 0.2 s"
        assert _shown(console, conf, sids["Alice"]) == (False, None)
        assert console.moderator.connection_state.state is ConnectionState.UNREACHABLE
        [action] = console.journal.actions(conf)
        assert action.ok is False
        sim.faults.latency = 0.0
        await sim.drain()
    finally:
        await close_console(console)


async def test_wrong_credentials_are_named_without_the_token(
    sim: Simulator, tmp_path: Path
) -> None:
    bad_token = "f00dfacef00dfacef00dfacef00dface"
    states: list[TwilioStatus] = []
    console = await open_console(
        sim,
        tmp_path,
        credentials=Credentials(sim.account_sid, bad_token),
        on_connection_state=states.append,
    )
    try:
        # the start-up reconcile used list(), which reports a 401 without a status
        assert console.errors == [
            "Could not reconcile with Twilio: Twilio rejected the credentials;"
            " check the Account SID and Auth Token (20003)"
        ]
        conf, sids = await meeting(console, "Bob")
        result = await console.moderator.mute(conf, sids["Bob"])
        assert result.message == (
            "Could not mute Bob: Twilio rejected the credentials;"
            " check the Account SID and Auth Token (20003)"
        )
        assert console.moderator.connection_state.state is ConnectionState.REJECTED
        assert _shown(console, conf, sids["Bob"]) == (False, None)
        assert all(bad_token not in text for _, text in console.messages)

        console.moderator.update_credentials(Credentials(sim.account_sid, sim.auth_token))
        assert (await console.moderator.mute(conf, sids["Bob"])).ok
        assert console.moderator.connection_state.state is ConnectionState.CONNECTED
        assert states[0].state is ConnectionState.REJECTED
        assert states[-1].state is ConnectionState.CONNECTED
    finally:
        await close_console(console)


async def test_not_configured_refuses_without_sending(sim: Simulator, tmp_path: Path) -> None:
    console = await open_console(sim, tmp_path, credentials=Credentials())
    try:
        assert console.moderator.connection_state.state is ConnectionState.NOT_CONFIGURED
        conf, sids = await meeting(console, "Bob")
        sim.stats.reset()
        result = await console.moderator.mute(conf, sids["Bob"])
        assert result.message == "Could not mute Bob: no Twilio credentials are configured"
        assert sim.stats.rest_total == 0
        assert console.journal.actions(conf) == []
        assert console.roster.participant(conf, sids["Bob"]).pending is None  # type: ignore[union-attr]
    finally:
        await close_console(console)


async def test_unreachable_twilio(sim: Simulator, tmp_path: Path) -> None:
    console = await open_console(sim, tmp_path)
    try:
        conf, sids = await meeting(console, "Bob")
        console.moderator.rest.api_base_url = "http://127.0.0.1:9"  # discard port: refused
        console.moderator.update_settings(make_settings(rest_timeout=1.5))  # rebuild the client
        result = await console.moderator.mute(conf, sids["Bob"])
        assert result.message == "Could not mute Bob: cannot reach Twilio at 127.0.0.1:9"
        assert console.moderator.connection_state.state is ConnectionState.UNREACHABLE
    finally:
        await close_console(console)


async def test_missing_callback_is_resolved_from_the_rest_answer(console: Console) -> None:
    conf, sids = await meeting(console, "Alice")
    console.sim.faults.drop = 1.0  # the participant-mute callback never arrives
    assert (await console.moderator.mute(conf, sids["Alice"])).ok
    assert _shown(console, conf, sids["Alice"])[1] is not None  # still pending
    await console.wait_for(lambda: console.roster.participant(conf, sids["Alice"]).pending is None)  # type: ignore[union-attr]
    assert _shown(console, conf, sids["Alice"]) == (True, None)  # as Twilio lists her
    [action] = console.journal.actions(conf)
    assert (action.ok, action.confirmed) == (True, True)  # the list confirms it
    assert any(s.conference_sid == conf for s in console.journal.snapshots())
    console.sim.faults.drop = 0.0
    await console.moderator.settle()


async def test_actions_on_someone_not_present_are_refused(console: Console) -> None:
    conf, sids = await meeting(console, "Bob")
    await console.sim.leave(conf, sids["Bob"])
    await console.sim.drain()
    await console.wait_for(lambda: not console.roster.participant(conf, sids["Bob"]).present)  # type: ignore[union-attr]
    console.sim.stats.reset()
    result = await console.moderator.kick(conf, sids["Bob"])
    assert result.message == "Could not remove Bob: they are not in the call"
    assert console.sim.stats.rest_total == 0


async def test_close_is_idempotent_and_later_calls_fail_softly(console: Console) -> None:
    conf, sids = await meeting(console, "Bob")
    await console.moderator.close()
    await console.moderator.close()
    result = await console.moderator.mute(conf, sids["Bob"])
    assert not result.ok
    assert console.roster.participant(conf, sids["Bob"]).pending is None  # type: ignore[union-attr]
    assert result.message == "Could not mute Bob: the console is shutting down"


async def test_list_failures_are_described_by_their_status(console: Console) -> None:
    # list() raises a bare "Unable to fetch page" for any non-200: a 503 is not a 401
    console.sim.fail_next(503, count=10)
    await console.moderator.reconcile()
    assert console.errors == [
        "Could not reconcile with Twilio: Twilio had a server error (HTTP 503)"
        " and still failed after retries (20503)"
    ]
    assert console.moderator.connection_state.state is ConnectionState.DEGRADED
    assert "503" in console.moderator.connection_state.reason
    console.sim.failures.clear()


async def test_announce_is_not_repeated_after_a_5xx(console: Console) -> None:
    # Twilio may have started playing it before failing: a retry could play it twice
    conf, _ = await meeting(console, "Bob")
    console.sim.stats.reset()
    console.sim.fail_next(500, count=1)
    result = await console.moderator.announce(conf, "https://example.com/hello.mp3")
    assert not result.ok
    assert console.sim.stats.rest_requests["POST"] == 1
    console.sim.fail_next(429, count=1, retry_after=0.01)  # 429: not processed, retried
    assert (await console.moderator.announce(conf, "https://example.com/hello.mp3")).ok
    assert console.sim.stats.rest_requests["POST"] == 3
    await console.sim.drain()


async def test_retry_after_beyond_the_budget_gives_up_at_once(
    sim: Simulator, tmp_path: Path
) -> None:
    policy = RetryPolicy(attempts=4, base_delay=0.02, max_delay=0.05, total=0.5)
    console = await open_console(sim, tmp_path, retry_policy=policy)
    try:
        conf, sids = await meeting(console, "Alice")
        sim.stats.reset()
        sim.fail_next(429, count=1, retry_after=30)  # not allowed back for 30 s
        result = await console.moderator.mute(conf, sids["Alice"])
        assert result.message == (
            "Could not mute Alice: Twilio is rate limiting requests"
            " and still refused after retries (20429)"
        )
        assert sim.stats.rest_requests["POST"] == 1  # not retried early against Retry-After
    finally:
        await close_console(console)
