"""The webhook routes: 204 / 400 / 403 / 413, journaling before answering, healthz, TwiML."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

import pytest
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator

from moderator.domain.roster import Roster
from moderator.domain.twiml import KnownCaller
from moderator.server.ingest import CallbackIngest
from moderator.server.signature import SignatureCheck
from moderator.server.webhooks import (
    MAX_BODY_BYTES,
    REJECTIONS_LOGGED_PER_MINUTE,
    WebhookServer,
)
from moderator.store.journal import Journal
from moderator.store.writer import CallbackWriter
from tests.forms import CONFERENCE_SID, form, team_meeting

TOKEN = "test-auth-token-0123456789abcdef"
PATH = "/twilio/conference-events"
PUBLIC = "https://moderator.example.ngrok.app/console"


class Harness:
    def __init__(self, tmp_path: Path, public_url: str | None) -> None:
        self.journal = Journal.in_dir(tmp_path)
        self.roster = Roster()
        self.writer = CallbackWriter(self.journal)
        self.ingest = CallbackIngest(self.writer, self.roster)
        self.server = WebhookServer(self.ingest, SignatureCheck(lambda: TOKEN, public_url), port=0)
        self.public_url = public_url
        self.client: TestClient[Any, Any]

    def url_for(self, path: str) -> str:
        base = self.public_url or str(self.client.make_url("")).rstrip("/")
        return base + path

    async def post(
        self, fields: dict[str, str], *, path: str = PATH, sign: bool = True, **kw: Any
    ) -> Any:
        headers = kw.pop("headers", {})
        if sign:
            headers["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(
                self.url_for(path), fields
            )
        return await self.client.post(path, data=fields, headers=headers, **kw)


Factory = Callable[..., Awaitable[Harness]]


@pytest.fixture
def harness(tmp_path: Path, aiohttp_client: Any) -> Factory:
    made: list[Harness] = []

    async def make(public_url: str | None = None) -> Harness:
        h = Harness(tmp_path, public_url)
        h.client = await aiohttp_client(h.server.make_app())
        made.append(h)
        return h

    yield make
    for h in made:
        h.journal.close()


async def test_signed_callbacks_are_journaled_and_applied(harness: Factory) -> None:
    h = await harness()
    for fields in team_meeting():
        response = await h.post(fields)
        assert response.status == 204
    assert h.journal.callback_count() == 7
    assert h.roster.conference(CONFERENCE_SID).headcount == 3  # type: ignore[union-attr]


async def test_duplicate_is_answered_and_journaled_but_changes_nothing(harness: Factory) -> None:
    h = await harness()
    fields = team_meeting()[0]
    assert (await h.post(fields)).status == 204
    assert (await h.post(fields)).status == 204
    assert h.journal.callback_count() == 2
    assert len(h.roster.participants(CONFERENCE_SID)) == 1


async def test_signature_checked_against_public_url(harness: Factory) -> None:
    h = await harness(PUBLIC)
    assert (await h.post(team_meeting()[0])).status == 204


async def test_signature_for_local_url_fails_behind_public_url(harness: Factory) -> None:
    h = await harness(PUBLIC)
    fields = team_meeting()[0]
    local = str(h.client.make_url(PATH))
    signature = RequestValidator(TOKEN).compute_signature(local, fields)
    response = await h.post(fields, sign=False, headers={"X-Twilio-Signature": signature})
    assert response.status == 403
    assert h.journal.callback_count() == 0


@pytest.mark.parametrize(
    ("signed_for", "form_said"),
    [
        ("http://moderator.example.ngrok.app/console" + PATH, "Twilio calls http, not https"),
        ("https://moderator.example.ngrok.app" + PATH, "without the path prefix /console"),
    ],
)
async def test_a_signature_for_another_form_of_the_url_is_evidence_and_names_it(
    harness: Factory, signed_for: str, form_said: str
) -> None:
    h = await harness(PUBLIC)
    heard: list[tuple[str, str]] = []
    h.server.signature.mismatched.connect(lambda what, url: heard.append((what, url)))
    fields = team_meeting()[0]
    for stranger in (None, "A" * 27 + "=", RequestValidator("guess").compute_signature(PUBLIC, {})):
        headers = {"X-Twilio-Signature": stranger} if stranger else {}
        response = await h.post(fields, sign=False, headers=headers)
        assert response.status == 403
    assert heard == []  # unsigned and wrongly signed requests are no evidence
    signature = RequestValidator(TOKEN).compute_signature(signed_for, fields)
    response = await h.post(fields, sign=False, headers={"X-Twilio-Signature": signature})
    assert response.status == 403  # still refused: the public URL is what the host set
    assert heard == [(form_said, signed_for)]
    assert h.journal.callback_count() == 0


async def test_missing_signature_is_403(harness: Factory) -> None:
    h = await harness()
    response = await h.post(team_meeting()[0], sign=False)
    assert response.status == 403
    assert "X-Twilio-Signature" in await response.text()
    assert h.server.stats.rejected_signature == 1


async def test_wrong_signature_is_403(harness: Factory, caplog: pytest.LogCaptureFixture) -> None:
    h = await harness()
    wrong = "A" * 27 + "="  # the shape of Twilio's signature (base64 of 20 bytes)
    response = await h.post(team_meeting()[0], sign=False, headers={"X-Twilio-Signature": wrong})
    assert response.status == 403
    assert h.journal.callback_count() == 0
    assert "does not match" in caplog.text
    assert TOKEN not in caplog.text and wrong not in caplog.text


async def test_a_flood_of_rejected_requests_logs_a_bounded_number_of_lines(
    harness: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """Each rejection is logged, within a budget a minute: a flood cannot rotate the log."""
    h = await harness()
    wrong = {"X-Twilio-Signature": "A" * 27 + "="}
    for n in range(150):
        await h.post(team_meeting()[0], sign=False)
        await h.post(team_meeting()[0], sign=False, headers=dict(wrong))
        await h.post(form("participant-join", n, who="Mary", SequenceNumber="x"))  # 400
    assert h.server.stats.rejected_signature == 300
    assert h.server.stats.rejected_malformed == 150
    lines = [r for r in caplog.records if r.getMessage().startswith("rejected")]
    assert len(lines) == REJECTIONS_LOGGED_PER_MINUTE


async def test_tampered_body_is_403(harness: Factory) -> None:
    h = await harness()
    fields = team_meeting()[0]
    signature = RequestValidator(TOKEN).compute_signature(h.url_for(PATH), fields)
    tampered = {**fields, "Muted": "true"}
    response = await h.post(tampered, sign=False, headers={"X-Twilio-Signature": signature})
    assert response.status == 403


async def test_malformed_callback_is_400_with_reason(harness: Factory) -> None:
    h = await harness()
    response = await h.post(form("participant-join", 1, who="Mary", SequenceNumber="first"))
    assert response.status == 400
    assert "SequenceNumber" in await response.text()
    assert h.journal.callback_count() == 0


async def test_not_a_form_is_400(harness: Factory) -> None:
    h = await harness()
    response = await h.client.post(
        PATH,
        json={"StatusCallbackEvent": "conference-start"},
        headers={"X-Twilio-Signature": "A" * 27 + "="},
    )
    assert response.status == 400


async def test_oversized_body_is_413(harness: Factory) -> None:
    h = await harness()
    fields = {**team_meeting()[0], "Padding": "x" * (MAX_BODY_BYTES + 1)}
    response = await h.post(fields)
    assert response.status == 413
    assert h.journal.callback_count() == 0


async def test_unknown_event_is_journaled_and_ignored(harness: Factory) -> None:
    h = await harness()
    assert (await h.post(form("conference-record-end", 1))).status == 204
    assert h.journal.callback_count() == 1


async def test_deprecated_record_end_is_answered_204_and_journaled(harness: Factory) -> None:
    h = await harness()
    fields = form("conference-record-end", 1)
    del fields["StatusCallbackEvent"], fields["SequenceNumber"]
    fields["EventName"] = "conference-record-end"  # the legacy shape: no StatusCallbackEvent
    assert (await h.post(fields)).status == 204  # a 400 would show in Twilio's debugger
    assert h.journal.callback_count() == 1


async def test_each_request_is_checked_against_its_own_received_url(harness: Factory) -> None:
    """The URL a request was received at (Host header and target) is remembered between
    requests, but never lent to a request that came to another: a request with another Host
    in between leaves the next callback's check as it was."""
    h = await harness()
    first, second, third = (dict(team_meeting()[0], SequenceNumber=str(n)) for n in (1, 2, 3))
    assert (await h.post(first)).status == 204
    signature = RequestValidator(TOKEN).compute_signature(h.url_for(PATH), second)
    response = await h.post(
        second, sign=False, headers={"X-Twilio-Signature": signature, "Host": "elsewhere.example"}
    )
    assert response.status == 403
    signed_elsewhere = RequestValidator(TOKEN).compute_signature(
        "http://elsewhere.example" + PATH, second
    )
    response = await h.post(
        second,
        sign=False,
        headers={"X-Twilio-Signature": signed_elsewhere, "Host": "elsewhere.example"},
    )
    assert response.status == 204  # no public URL: the URL as received is what is checked
    assert (await h.post(third)).status == 204
    assert (await h.post(third, path=PATH + "?x=1")).status == 204
    assert h.journal.callback_count() == 4


async def test_healthz_counts_only_for_a_request_signed_with_the_auth_token(
    harness: Factory,
) -> None:
    h = await harness()
    await h.post(team_meeting()[0])
    await h.post(team_meeting()[1], sign=False)
    # anyone: the status and this start's nonce (what the setup assistant checks), no more
    body = await (await h.client.get("/healthz")).json()
    assert body == {"status": "ok", "instance": h.server.instance}
    wrong = {"X-Twilio-Signature": "A" * 27 + "="}
    assert await (await h.client.get("/healthz", headers=wrong)).json() == body
    signature = RequestValidator(TOKEN).compute_signature(h.url_for("/healthz"), {})
    signed = await h.client.get("/healthz", headers={"X-Twilio-Signature": signature})
    body = await signed.json()
    assert body["status"] == "ok"
    assert body["callbacks"] == 1
    assert body["rejected_signature"] == 1  # a health check is no rejected callback
    assert body["last_callback_at"] is not None


async def test_voice_route_serves_conference_twiml(harness: Factory) -> None:
    h = await harness(PUBLIC)
    response = await h.post({"CallSid": "CA" + "9" * 32, "From": "+15550100"}, path="/twilio/voice")
    assert response.status == 200
    twiml = await response.text()
    assert f'statusCallback="{PUBLIC}/twilio/conference-events"' in twiml
    assert (
        'statusCallbackEvent="start end join leave mute hold modify speaker announcement"' in twiml
    )
    assert ">TeamMeeting</Conference>" in twiml


async def test_voice_route_labels_known_callers_and_the_presenter_starts(
    harness: Factory,
) -> None:
    h = await harness()
    h.server.known_callers = {
        "+12125550100": KnownCaller("Mary", presenter=True),
        "+13125550101": KnownCaller("Alice"),
    }

    async def twiml_for(number: str) -> Element:
        response = await h.post({"CallSid": "CA" + "9" * 32, "From": number}, path="/twilio/voice")
        assert response.status == 200
        return ElementTree.fromstring(await response.text()).find("Dial/Conference")  # type: ignore[return-value]

    mary, alice, stranger = [
        await twiml_for(n) for n in ("+12125550100", "+13125550101", "+16175550199")
    ]
    assert mary.get("participantLabel") == "Mary"
    assert (mary.get("startConferenceOnEnter"), mary.get("endConferenceOnExit")) == ("true", "true")
    assert (alice.get("participantLabel"), alice.get("startConferenceOnEnter")) == (
        "Alice",
        "false",
    )
    assert alice.get("endConferenceOnExit") is None
    # not known: no label; still waits for the presenter, who is expected
    assert stranger.get("participantLabel") is None
    assert stranger.get("startConferenceOnEnter") == "false"

    h.server.known_callers = {}  # nobody presents: everyone starts it (Twilio's default)
    anyone = await twiml_for("+16175550199")
    assert anyone.get("startConferenceOnEnter") is None


async def test_voice_route_checks_signature(harness: Factory) -> None:
    h = await harness()
    response = await h.post({"CallSid": "CA" + "9" * 32}, path="/twilio/voice", sign=False)
    assert response.status == 403


async def test_concurrent_callbacks_share_commits(harness: Factory) -> None:
    import asyncio

    h = await harness()
    forms = [form("participant-speech-start", n, who="Mary") for n in range(1, 101)]
    responses = await asyncio.gather(*(h.post(f) for f in forms))
    assert {r.status for r in responses} == {204}
    assert h.journal.callback_count() == 100
    assert h.writer.commits < 100


def test_public_url_keeps_path_prefix_and_query() -> None:
    check = SignatureCheck(lambda: TOKEN, PUBLIC + "/")
    assert check.signed_url("http://127.0.0.1:8080/a?b=1", "/a?b=1") == PUBLIC + "/a?b=1"


def test_without_a_token_callbacks_cannot_be_verified() -> None:
    check = SignatureCheck(lambda: None)
    problem = check.problem("http://x/", {}, {"X-Twilio-Signature": "abc"})
    assert problem is not None and "no auth token" in problem
