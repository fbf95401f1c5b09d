"""Caller-number lookups stay out of the way: after the burst, once each, not for who left,
not while Twilio is unreachable."""

from __future__ import annotations

from moderator.control.status import ConnectionState
from tests.control.conftest import Console, make_settings, meeting


async def test_joins_only_queue_lookups_that_run_once_the_burst_is_over(
    console: Console,
) -> None:
    numbers = console.moderator.numbers
    numbers.settle = 1.0
    conf, _ = await meeting(console, *[f"Guest {i}" for i in range(30)])
    # every join has been folded in: nothing was fetched on the way, one worker waits
    assert numbers.fetched == 0
    await console.wait_for(
        lambda: all(p.number for p in console.roster.participants(conf, present_only=True))
    )
    assert numbers.fetched == 31
    await console.moderator.reconcile(conf)  # asks for everyone present again: cached
    await console.moderator.settle()  # a lookup it queued would be done by now
    assert numbers.fetched == 31


async def test_who_left_before_the_lookup_is_not_looked_up(console: Console) -> None:
    numbers = console.moderator.numbers
    numbers.settle = 0.5
    conf, sids = await meeting(console, "Alice", "Bob")
    await console.sim.leave(conf, sids["Bob"])
    await console.sim.drain()
    await console.wait_for(lambda: not console.roster.participant(conf, sids["Bob"]).present)  # type: ignore[union-attr]
    await console.wait_for(lambda: console.roster.participant(conf, sids["Alice"]).number)  # type: ignore[union-attr]
    await console.moderator.settle()  # the lookup worker is done: Bob's was dropped
    assert numbers.fetched == 2  # Mary and Alice; Bob had gone
    assert console.roster.participant(conf, sids["Bob"]).number is None  # type: ignore[union-attr]


async def test_lookups_wait_while_twilio_is_unreachable(console: Console) -> None:
    numbers = console.moderator.numbers
    numbers.settle = 0.05
    numbers.backoff = (0.5, 1.0)
    moderator, rest = console.moderator, console.moderator.rest
    twilio = rest.api_base_url
    rest.api_base_url = "http://127.0.0.1:9"  # the discard port: refused, no answer
    moderator.update_settings(make_settings(rest_timeout=1.5))  # rebuild the client
    requests = console.sim.stats.rest_total
    conf, _ = await meeting(console, "Alice")
    # the first lookups get no answer: the worker waits instead of asking again at once
    await console.wait_for(lambda: numbers.waiting_for_twilio)
    assert rest.state is ConnectionState.UNREACHABLE
    assert numbers.fetched == 0 and console.sim.stats.rest_total == requests
    rest.api_base_url = twilio  # Twilio is back
    moderator.update_settings(make_settings())
    # after the wait one lookup finds Twilio back; the rest follow
    await console.wait_for(
        lambda: all(p.number for p in console.roster.participants(conf, present_only=True))
    )
    assert rest.state is ConnectionState.CONNECTED
