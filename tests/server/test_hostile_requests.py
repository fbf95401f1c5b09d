"""Requests an attacker or a broken proxy sends: never a 500, never a traceback, nothing stored."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from moderator.core import Core, CoreConfig, open_core
from moderator.credentials import Credentials
from tests.forms import CONFERENCE_SID, form, team_meeting
from tests.helpers.properties import examples

TOKEN = "test-auth-token-0123456789abcdef"
PATH = "/twilio/conference-events"
VOICE = "/twilio/voice"
FORM = "application/x-www-form-urlencoded"


class Server:
    """The real server as the console builds it (build_core: its protocol limits included)."""

    def __init__(self, core: Core, client: aiohttp.ClientSession) -> None:
        self.journal = core.journal
        self.roster = core.roster
        self.web = core.server
        self.client = client

    def sign(self, path: str, fields: dict[str, str]) -> str:
        url = self.web.local_url + path
        return RequestValidator(TOKEN).compute_signature(url, fields)

    async def post_signed(self, fields: dict[str, str], path: str = PATH) -> int:
        headers = {"X-Twilio-Signature": self.sign(path, fields)}
        response = await self.client.post(path, data=fields, headers=headers)
        return response.status


@pytest.fixture
async def server(tmp_path: Path) -> Any:
    config = CoreConfig(data_dir=tmp_path, credentials=Credentials(auth_token=TOKEN), control=False)
    async with (
        open_core(config) as core,
        aiohttp.ClientSession(base_url=core.server.local_url) as client,
    ):
        yield Server(core, client)


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert record.levelno < logging.ERROR, record.getMessage()


@pytest.mark.parametrize("path", [PATH, VOICE])
@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Content-Type": f"{FORM}; charset=bogus"}, b"a=b", 415),
        ({"Content-Type": f"{FORM}; charset=latin-1"}, b"a=b", 415),
        ({"Content-Type": FORM, "Content-Encoding": "gzip"}, b"a=b", 415),
        ({"Content-Type": FORM, "Content-Encoding": "gzip"}, gzip.compress(b"a=b"), 415),
        ({"Content-Type": FORM, "Content-Encoding": "br"}, b"a=b", 415),
        ({"Content-Type": FORM}, b"a=%ff%fe", 400),
        ({"Content-Type": FORM}, "a=\u00e9".encode(), 400),
        ({"Content-Type": FORM}, b"&".join([b"a=b"] * 500), 400),
        ({"Content-Type": "text/plain"}, b"a=b", 400),
    ],
)
async def test_undecodable_bodies_are_refused_before_any_decoder_fails(
    server: Server,
    caplog: pytest.LogCaptureFixture,
    path: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
) -> None:
    # shaped like Twilio's (base64 of 20 bytes) but wrong: a signature of another shape is
    # refused before the body is looked at
    headers = {**headers, "X-Twilio-Signature": "A" * 27 + "="}
    response = await server.client.post(path, data=body, headers=headers)
    assert response.status == status
    assert server.journal.callback_count() == 0
    no_tracebacks(caplog)


async def test_a_host_header_that_is_not_a_url_is_403_not_500(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    fields = team_meeting()[0]
    response = await server.client.post(
        PATH, data=fields, headers={"X-Twilio-Signature": "x", "Host": "127.0.0.1:99999"}
    )
    assert response.status in (400, 403)
    no_tracebacks(caplog)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("SequenceNumber", str(2**63)),
        ("SequenceNumber", "9" * 40),
        ("SequenceNumber", "\u0661\u0662"),  # Arabic-Indic digits: int() would take them
        ("SequenceNumber", "-1"),
        ("Timestamp", "Fri, 31 Dec 9999 23:59:59 -2359"),
        ("Timestamp", "Mon, 01 Jan 1900 00:00:00 +0000"),
        ("Timestamp", "Fri, 31 Dec 2026 23:59:59 +9999"),
        ("Timestamp", "1 Jan 99999999999 00:00:00 +0000"),
    ],
)
async def test_signed_out_of_range_numbers_and_dates_are_400_naming_the_field(
    server: Server, caplog: pytest.LogCaptureFixture, field: str, value: str
) -> None:
    fields = form("participant-join", 1, who="Mary")
    fields[field] = value
    headers = {"X-Twilio-Signature": server.sign(PATH, fields)}
    response = await server.client.post(PATH, data=fields, headers=headers)
    assert response.status == 400
    assert field in await response.text()
    assert server.journal.callback_count() == 0
    no_tracebacks(caplog)


async def test_one_bad_callback_in_a_group_commit_fails_alone(server: Server) -> None:
    """A commit that fails is retried item by item: only the item the journal refuses gets 500."""
    import asyncio
    import sqlite3

    journal = server.journal
    # SQLite itself refuses Bob's row (a trigger), so the batch holding it fails as a whole
    db = sqlite3.connect(journal.path)
    db.execute(
        "CREATE TRIGGER refuse_bob BEFORE INSERT ON callbacks"
        " WHEN json_extract(NEW.form, '$.ParticipantLabel') = 'Bob'"
        " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
    )
    db.commit()
    db.close()
    forms = [form("participant-join", n, who=who) for n, who in enumerate("ABCDEFGHIJ", 1)]
    forms.append(form("participant-join", 11, who="Bob"))
    statuses = await asyncio.gather(*(server.post_signed(f) for f in forms))
    assert statuses == [204] * 10 + [500]
    assert journal.callback_count() == 10
    # The roster takes each callback before its commit (a stuck disk must not hold up the
    # tiles): Bob's join is true whether or not it was stored, and the 500 asks for a reconcile.
    assert len(server.roster.participants(CONFERENCE_SID)) == 11


def state(server: Server) -> tuple[int, str]:
    conferences = server.roster.conferences()
    people = [server.roster.participants(c.sid) for c in conferences]
    return server.journal.callback_count(), repr((conferences, people))


# ---- fuzz: whatever arrives, the answer is never 5xx and nothing unsigned changes state ---------

_text = st.text(st.characters(codec="utf-8"), max_size=40)
_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", " 1", "1_000", "0x10", "1e3", "\u0661", "NaN", "00000000000000000000001"]),
)
_dates = st.one_of(
    st.datetimes()
    .map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S"))
    .flatmap(
        lambda d: st.sampled_from(["+0000", "-2359", "+2359", "+9999", "GMT", ""]).map(
            lambda z: f"{d} {z}".strip()
        )
    ),
    _text,
)
_fields = st.fixed_dictionaries(
    {
        "StatusCallbackEvent": st.one_of(
            st.sampled_from(["participant-join", "conference-start", "participant-mute"]), _text
        ),
        "ConferenceSid": st.one_of(st.just(CONFERENCE_SID), _text),
        "SequenceNumber": _numbers,
        "Timestamp": _dates,
    },
    optional={"CallSid": _text, "Muted": _text, "Hold": _text, "ParticipantLabel": _text},
)
_headers = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from(
            [FORM, f"{FORM}; charset=utf-8", f"{FORM}; charset=bogus", "text/plain", "", "a/b;;="]
        ),
        "Content-Encoding": st.sampled_from(["gzip", "deflate", "br", "identity", "x"]),
        "X-Twilio-Webhooks-Signature-Settings": st.sampled_from(
            ["algorithm=HMAC_SHA256", "algorithm=MD5", "key=,algorithm=", "junk"]
        ),
    },
)


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=_fields,
    headers=_headers,
    raw=st.one_of(st.none(), st.binary(max_size=300)),
    signed=st.booleans(),
    path=st.sampled_from([PATH, VOICE]),
)
async def test_fuzzed_requests_never_5xx_never_a_traceback(
    server: Server,
    caplog: pytest.LogCaptureFixture,
    fields: dict[str, str],
    headers: dict[str, str],
    raw: bytes | None,
    signed: bool,
    path: str,
) -> None:
    before = state(server)
    signature = server.sign(path, fields) if signed else "bm9wZQ=="
    headers = {**headers, "X-Twilio-Signature": signature}
    body: Any = raw if raw is not None else fields
    response = await server.client.post(path, data=body, headers=headers)
    assert response.status < 500, await response.text()
    no_tracebacks(caplog)
    accepted = response.status in (200, 204)
    if not accepted:
        assert state(server) == before
    if accepted and path == PATH:
        assert signed and raw is None
