"""aiohttp routes for the simulated Twilio REST API (2010-04-01 conference subset)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from aiohttp import encode_basic_auth, web

from moderator.domain.sids import CONFERENCE, is_sid
from moderator.sim import errors
from moderator.sim.dial_rules import check_from, check_label, check_to
from moderator.sim.engine import Engine
from moderator.sim.errors import SimError, error_body
from moderator.sim.faults import ForcedFailure, random_rest_failure
from moderator.sim.paging import paginate
from moderator.sim.records import Conference, Participant
from moderator.sim.views import API_VERSION, conference_json, participant_json
from moderator.sim.world import Event

log = logging.getLogger(__name__)
SIM_KEY: web.AppKey[Engine] = web.AppKey("simulator")
ROOT = f"/{API_VERSION}/Accounts/{{AccountSid}}"
SIM_ONLY_PREFIX = "/_sim/"  # endpoints Twilio does not have: no auth, no injected faults
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")
FAULT_MESSAGES = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def build_app(sim: Engine) -> web.Application:
    """The REST application for `sim`."""
    app = web.Application(middlewares=[_middleware], client_max_size=1024**2)
    app[SIM_KEY] = sim
    app.router.add_get(f"{ROOT}/Conferences.json", list_conferences)
    app.router.add_get(f"{ROOT}/Conferences/{{ConferenceSid}}.json", fetch_conference)
    app.router.add_post(f"{ROOT}/Conferences/{{ConferenceSid}}.json", update_conference)
    participants = f"{ROOT}/Conferences/{{ConferenceSid}}/Participants"
    app.router.add_get(f"{participants}.json", list_participants)
    app.router.add_post(f"{participants}.json", create_participant)
    app.router.add_get(f"{participants}/{{CallSid}}.json", fetch_participant)
    app.router.add_post(f"{participants}/{{CallSid}}.json", update_participant)
    app.router.add_delete(f"{participants}/{{CallSid}}.json", delete_participant)
    return app


# ----- plumbing ---------------------------------------------------------------------------
def _json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(
        text=json.dumps(body), status=status, content_type="application/json", headers=headers
    )


def _error(err: SimError, headers: Mapping[str, str] | None = None) -> web.Response:
    return _json(err.body(), err.status, headers)


def _forced(failure: ForcedFailure) -> web.Response:
    status = failure.status
    message = FAULT_MESSAGES.get(status, f"Simulated failure {status}")
    headers = {}
    if failure.retry_after is not None:
        headers["Retry-After"] = f"{failure.retry_after:g}"
    return _json(error_body(status, errors.default_code(status), message), status, headers)


def _authorized(request: web.Request, sim: Engine) -> bool:
    """HTTP Basic auth with the account SID and auth token (aiohttp builds the expected
    header; its BasicAuth class is deprecated since aiohttp 3.14)."""
    given = request.headers.get("Authorization", "").strip()
    scheme, _, value = given.partition(" ")
    expected = encode_basic_auth(sim.account_sid, sim.auth_token)
    return hmac.compare_digest(f"Basic {value.strip()}".encode(), expected.encode()) and (
        scheme.lower() == "basic"
    )


@web.middleware
async def _middleware(request: web.Request, handler: Handler) -> web.StreamResponse:  # noqa: C901 - one branch per Twilio error answer
    sim = request.app[SIM_KEY]
    sim.stats.rest_started(request.method)
    over_limit = 0 < sim.faults.concurrency_limit < sim.stats.rest_in_flight
    mutating = request.method not in ("GET", "HEAD")
    if mutating:  # callbacks it causes are queued after the answer; drain() must wait
        sim.dispatcher.reserve()
    try:
        delay = sim.faults.rest_delay(sim.rest_rng)
        if delay > 0:
            await asyncio.sleep(delay)
        if request.path.startswith(SIM_ONLY_PREFIX):  # the test harness, not Twilio's API
            return await handler(request)
        if not _authorized(request, sim):
            err = SimError(401, errors.AUTH_FAILED, "Authentication Error - invalid username")
            return _error(err, {"WWW-Authenticate": 'Basic realm="Twilio API"'})
        if over_limit:  # counted on arrival, as Twilio counts it; not processed
            sim.stats.rest_faults_injected += 1
            return _forced(ForcedFailure(429, sim.faults.retry_after))
        failure = sim.failures.pop() or random_rest_failure(sim.faults, sim.rest_rng)
        if failure is not None:
            sim.stats.rest_faults_injected += 1
            return _forced(failure)
        if request.match_info.get("AccountSid", sim.account_sid) != sim.account_sid:
            raise errors.not_found(request.path)
        return await handler(request)
    except SimError as err:
        return _error(err)
    except web.HTTPMethodNotAllowed:
        return _json(error_body(405, 20004, "Method not allowed"), 405)
    except web.HTTPNotFound:
        return _error(errors.not_found(request.path))
    except ConnectionError:
        # The client hung up before its body arrived (a console quitting with a mute in
        # flight): nothing was applied, as at Twilio, and there is nobody to answer.
        log.info("REST client hung up mid-request: %s %s dropped", request.method, request.path)
        return web.Response(status=400)
    finally:
        sim.stats.rest_finished()
        if mutating:
            sim.dispatcher.release()


async def _respond_then_emit(
    request: web.Request, response: web.StreamResponse, events: Iterable[Event]
) -> web.StreamResponse:
    """Send the answer first, then queue the callbacks (Twilio's order)."""
    await response.prepare(request)
    await response.write_eof()
    request.app[SIM_KEY].emit(events)
    return response


def _bool(form: Mapping[str, str], name: str) -> bool | None:
    """Twilio reads a boolean as true only when it says "true" (any case); anything else is
    false, not an error (so Muted=yes mutes nobody)."""
    raw = form.get(name)
    if raw is None:
        return None
    return raw.strip().lower() == "true"


def _method(form: Mapping[str, str], name: str, default: str) -> str:
    """GET or POST (the default when absent); anything else is a 400, as Twilio answers."""
    method = form.get(name, default).strip().upper()
    if method not in ("GET", "POST"):
        raise SimError(400, errors.INVALID_PARAMETER, f"{name} must be GET or POST")
    return method


def _conference(request: web.Request) -> Conference:
    return request.app[SIM_KEY].world.conference(request.match_info["ConferenceSid"])


def _participant(request: web.Request) -> tuple[Conference, Participant]:
    world = request.app[SIM_KEY].world
    conf = world.conference(request.match_info["ConferenceSid"])
    return conf, world.participant(conf, request.match_info["CallSid"])


def _filters(query: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    return {name: query[name] for name in names if name in query}


def _list_page(
    request: web.Request,
    key: str,
    items: Sequence[T],
    render: Callable[[T], dict[str, Any]],
    *,
    sid_of: Callable[[T], str],
    filters: Mapping[str, str] | None = None,
) -> web.Response:
    """The page of `items` the request's query asks for, in Twilio's list envelope under
    `key`; the `filters` it applied carry into the page links."""
    page = paginate(
        items,
        key=key,
        path=request.path,
        query=request.query,
        filters=filters or {},
        sid_of=sid_of,
        render=render,
    )
    return _json(page)


# ----- conferences --------------------------------------------------------------------------
def _date_filter(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SimError(400, errors.INVALID_PARAMETER, f"{name} must be YYYY-MM-DD") from None


async def list_conferences(request: web.Request) -> web.StreamResponse:
    """GET Conferences.json with FriendlyName, Status and DateCreated/DateUpdated filters."""
    sim = request.app[SIM_KEY]
    query = request.query
    names = (
        "FriendlyName",
        "Status",
        "DateCreated",
        "DateCreated<",
        "DateCreated>",
        "DateUpdated",
        "DateUpdated<",
        "DateUpdated>",
    )
    filters = _filters(query, names)
    items = list(reversed(sim.world.conferences.values()))  # newest first, like Twilio
    if "FriendlyName" in filters:
        items = [c for c in items if c.friendly_name == filters["FriendlyName"]]
    if "Status" in filters:
        items = [c for c in items if c.status == filters["Status"]]
    for name, value in filters.items():
        if not name.startswith("Date"):
            continue
        day = _date_filter(value, name)
        attr = "date_created" if name.startswith("DateCreated") else "date_updated"
        if name.endswith("<"):
            items = [c for c in items if getattr(c, attr).date() <= day]
        elif name.endswith(">"):
            items = [c for c in items if getattr(c, attr).date() >= day]
        else:
            items = [c for c in items if getattr(c, attr).date() == day]
    return _list_page(
        request, "conferences", items, conference_json, sid_of=lambda c: c.sid, filters=filters
    )


async def fetch_conference(request: web.Request) -> web.StreamResponse:
    """GET one conference."""
    return _json(conference_json(_conference(request)))


async def update_conference(request: web.Request) -> web.StreamResponse:
    """POST Status=completed ends it; AnnounceUrl plays an announcement."""
    sim = request.app[SIM_KEY]
    conf = _conference(request)
    form = await request.post()
    status = form.get("Status")
    announce = form.get("AnnounceUrl")
    method = _method(
        {k: v for k, v in form.items() if isinstance(v, str)}, "AnnounceMethod", "POST"
    )
    events: list[Event] = []
    if status is not None and status != "completed":
        raise SimError(400, errors.INVALID_PARAMETER, f"Status must be completed, got {status!r}")
    if isinstance(announce, str) and announce:
        if not conf.live:
            raise errors.not_found(f"Conference {conf.sid}")
        sim.announce(conf, None, announce, method)
    if status == "completed":
        events = sim.world.end_conference(
            conf, "conference-ended-via-api", "Conference ended via API"
        )
    return await _respond_then_emit(request, _json(conference_json(conf)), events)


# ----- participants ------------------------------------------------------------------------
async def list_participants(request: web.Request) -> web.StreamResponse:
    """GET Participants.json with Muted, Hold, Coaching filters: everyone in the conference or
    still being dialled (status queued, connecting, ringing or connected)."""
    sim = request.app[SIM_KEY]
    conf = _conference(request)
    query = request.query
    filters = _filters(query, ("Muted", "Hold", "Coaching"))
    items = list(conf.participants.values())
    for name, attr in (("Muted", "muted"), ("Hold", "hold"), ("Coaching", "coaching")):
        wanted = _bool(query, name)
        if wanted is not None:
            items = [p for p in items if getattr(p, attr) == wanted]
    return _list_page(
        request,
        "participants",
        items,
        lambda p: participant_json(sim.account_sid, p),
        sid_of=lambda p: p.call_sid,
        filters=filters,
    )


async def fetch_participant(request: web.Request) -> web.StreamResponse:
    """GET one live participant (by CallSid or label)."""
    _conf, part = _participant(request)
    return _json(participant_json(request.app[SIM_KEY].account_sid, part))


async def update_participant(request: web.Request) -> web.StreamResponse:
    """POST Muted, Hold, HoldUrl, HoldMethod, AnnounceUrl, Coaching, BeepOnExit, …."""
    sim = request.app[SIM_KEY]
    conf, part = _participant(request)
    raw = await request.post()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    muted, hold = _bool(form, "Muted"), _bool(form, "Hold")
    coaching = _bool(form, "Coaching")
    to_coach = form.get("CallSidToCoach") or None
    if to_coach is not None:
        check_coached(sim, conf, part, to_coach)
        coaching = True if coaching is None else coaching  # Twilio: implied by CallSidToCoach
    elif coaching:
        raise SimError(
            400, errors.INVALID_PARAMETER, "CallSidToCoach is required when Coaching is true"
        )
    beep_on_exit = _bool(form, "BeepOnExit")
    end_on_exit = _bool(form, "EndConferenceOnExit")
    events: list[Event] = []
    if "HoldUrl" in form:
        part.hold_url = form["HoldUrl"]
    if "HoldMethod" in form:
        part.hold_method = _method(form, "HoldMethod", "GET")
    if hold is not None:
        events += sim.hold(conf, part, hold)
    if muted is not None:
        events += sim.world.set_muted(conf, part, muted)
    events += sim.world.modify(
        conf,
        part,
        coaching=coaching,
        call_sid_to_coach=to_coach,
        beep_on_exit=beep_on_exit,
        end_conference_on_exit=end_on_exit,
    )
    if form.get("AnnounceUrl"):
        sim.announce(conf, part, form["AnnounceUrl"], _method(form, "AnnounceMethod", "POST"))
    body = _json(participant_json(sim.account_sid, part))
    return await _respond_then_emit(request, body, events)


def check_coached(sim: Engine, conf: Conference, coach: Participant, call_sid: str) -> None:
    """Twilio's rule: whom a participant coaches is a call connected to the same live
    conference, not the coach itself; else 400 with error 16028."""
    coached = next(
        (p for p in conf.participants.values() if p.call_sid == call_sid and p.connected), None
    )
    if coached is None or coached is coach or not conf.live:
        raise SimError(
            400,
            errors.NOT_IN_CONFERENCE_TO_COACH,
            f"Participant to be whispered {call_sid} is not present in the conference",
        )


async def delete_participant(request: web.Request) -> web.StreamResponse:
    """DELETE kicks the participant (204); ends the conference if it had endConferenceOnExit."""
    sim = request.app[SIM_KEY]
    conf, part = _participant(request)
    if part.connected:
        events = sim.world.remove(conf, part, "participant_updated_via_api", kicked=True)
    else:
        events = sim.world.remove(conf, part, "participant_updated_via_api", call_status="canceled")
    return await _respond_then_emit(request, web.Response(status=204), events)


def _target_conference(sim: Engine, key: str, form: Mapping[str, str]) -> Conference:
    if is_sid(key, CONFERENCE):
        conf = sim.world.conference(key)
        if not conf.live:
            raise errors.not_found(f"Conference {key}")
        return conf
    return sim.world.live_conference_named(key) or sim.world.create_conference(key)


async def create_participant(request: web.Request) -> web.StreamResponse:
    """POST dials out (From, To required); 201 now, participant-join after ringing."""
    sim = request.app[SIM_KEY]
    raw = await request.post()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    if not form.get("From"):
        raise SimError(400, errors.FROM_REQUIRED, "A 'From' phone number is required.")
    if not form.get("To"):
        raise SimError(400, errors.TO_REQUIRED, "A 'To' phone number is required.")
    check_to(form["To"])
    check_from(form["From"], sim.phone_numbers)
    label = form.get("Label") or None
    if label is not None:
        check_label(label)
    events_raw = [v for v in raw.getall("ConferenceStatusCallbackEvent", []) if isinstance(v, str)]
    flags = {
        name: _bool(form, name)
        for name in ("Muted", "Hold", "Coaching", "StartConferenceOnEnter", "EndConferenceOnExit")
    }
    conf = _target_conference(sim, request.match_info["ConferenceSid"], form)
    part = sim.world.add_participant(
        conf,
        from_=form["From"],
        to=form["To"],
        direction="outbound-api",
        label=label,
        muted=bool(flags["Muted"]),
        hold=bool(flags["Hold"]),
        coaching=bool(flags["Coaching"]),
        call_sid_to_coach=form.get("CallSidToCoach"),
        start_conference_on_enter=flags["StartConferenceOnEnter"] is not False,
        end_conference_on_exit=bool(flags["EndConferenceOnExit"]),
        beep_on_exit=form.get("Beep", "true").lower() != "false",
        status_callback=form.get("ConferenceStatusCallback"),
        events=events_raw or None,
    )
    body = _json(participant_json(sim.account_sid, part), status=201)
    sim.ring_then_join(conf, part)
    return body
