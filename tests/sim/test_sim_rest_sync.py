"""The simulator's REST API driven by the real twilio SDK's sync client (sim in a thread)."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from .helpers import ThreadedSim


def test_sync_client_round_trip(threaded: ThreadedSim, sync_client: Client) -> None:
    sim = threaded.sim
    conf = threaded.run(lambda: sim.create_conference("TeamMeeting"))
    mary = threaded.call(sim.join(conf, label="Mary", number="+12125550100"))
    bob = threaded.call(sim.join(conf, label="Bob", number="+14155550102"))

    assert [c.sid for c in sync_client.conferences.list(friendly_name="TeamMeeting")] == [conf]
    assert sync_client.conferences(conf).fetch().status == "in-progress"

    participants = sync_client.conferences(conf).participants
    assert participants(bob).update(muted=True).muted is True
    assert participants(bob).update(hold=True).hold is True
    assert [p.call_sid for p in participants.list(muted=True)] == [bob]
    assert participants(bob).delete() is True
    with pytest.raises(TwilioRestException) as gone:
        participants(bob).fetch()
    assert (gone.value.status, gone.value.code) == (404, 20404)

    created = participants.create(from_="+12025550199", to="+16175550123", label="Dana")
    assert created.status == "queued"
    threaded.call(sim.drain())
    assert {p.label for p in participants.list(page_size=1)} == {"Mary", "Dana"}
    assert sync_client.calls(mary).fetch().from_formatted == "(212) 555-0100"


def test_sync_client_paging(threaded: ThreadedSim, sync_client: Client) -> None:
    sim = threaded.sim
    conf = threaded.run(lambda: sim.create_conference("Big"))
    sids = [threaded.call(sim.join(conf, label=f"Guest {i:03d}")) for i in range(12)]
    participants = sync_client.conferences(conf).participants
    assert [p.call_sid for p in participants.list(page_size=5)] == sids
    assert [p.call_sid for p in participants.list(page_size=5, limit=7)] == sids[:7]
    page = participants.page(page_size=5)
    pages = 1
    while (page := page.next_page()) is not None:  # type: ignore[assignment]
        pages += 1
    assert pages == 3


def test_sync_client_errors(threaded: ThreadedSim, sync_client: Client) -> None:
    sim = threaded.sim
    conf = threaded.run(lambda: sim.create_conference("Room"))
    bad = Client(sim.account_sid, "not-the-token")
    bad.api.base_url = threaded.base_url
    with pytest.raises(TwilioRestException) as unauthorized:
        bad.conferences(conf).fetch()
    assert (unauthorized.value.status, unauthorized.value.code) == (401, 20003)

    threaded.run(lambda: sim.fail_next(status=429, count=1, retry_after=2))
    with pytest.raises(TwilioRestException) as limited:
        sync_client.conferences(conf).fetch()
    assert (limited.value.status, limited.value.code) == (429, 20429)

    threaded.run(lambda: sim.fail_next(status=503))
    with pytest.raises(TwilioRestException) as unavailable:
        sync_client.conferences(conf).update(status="completed")
    assert (unavailable.value.status, unavailable.value.code) == (503, 20503)
    assert sync_client.conferences(conf).update(status="completed").status == "completed"
