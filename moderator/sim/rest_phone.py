"""REST for the account, its phone numbers and its calls, and the sim-only incoming call."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from aiohttp import web

from moderator.domain.twilio_words import CALL_NOT_IN_PROGRESS, INVALID_NUMBER_URL, INVALID_URL
from moderator.sim import errors
from moderator.sim.errors import SimError
from moderator.sim.records import PhoneNumber, rfc2822, utcnow
from moderator.sim.rest import (
    ROOT,
    SIM_KEY,
    SIM_ONLY_PREFIX,
    _filters,
    _json,
    _list_page,
    _method,
    _respond_then_emit,
)
from moderator.sim.twiml import MAX_TWIML_CHARS
from moderator.sim.views import account_json, call_json, heard_json, phone_number_json
from moderator.sim.world import Event

NUMBERS = f"{ROOT}/IncomingPhoneNumbers"
SIM_CALLS_PATH = f"{SIM_ONLY_PREFIX}calls"
SIM_DEBUGGER_PATH = f"{SIM_ONLY_PREFIX}debugger"


def add_routes(app: web.Application) -> None:
    """Account fetch, IncomingPhoneNumbers list/fetch/update, Calls fetch/update, /_sim/calls."""
    app.router.add_get(f"{ROOT}.json", fetch_account)
    app.router.add_get(f"{NUMBERS}.json", list_numbers)
    app.router.add_get(f"{NUMBERS}/{{Sid}}.json", fetch_number)
    app.router.add_post(f"{NUMBERS}/{{Sid}}.json", update_number)
    app.router.add_get(f"{ROOT}/Calls/{{CallSid}}.json", fetch_call)
    app.router.add_post(f"{ROOT}/Calls/{{CallSid}}.json", update_call)
    app.router.add_post(SIM_CALLS_PATH, incoming_call)
    app.router.add_get(f"{SIM_CALLS_PATH}/{{CallSid}}", heard_call)
    app.router.add_get(SIM_DEBUGGER_PATH, debugger)


async def _form(request: web.Request) -> dict[str, str]:
    raw = await request.post()
    return {k: v for k, v in raw.items() if isinstance(v, str)}


def _url(form: Mapping[str, str], name: str, code: int = INVALID_URL) -> str | None:
    """An absolute http(s) URL, "" to clear, None when absent; `code` otherwise (21205 for a
    Calls Url, 21402 for a number's handler URLs)."""
    value = form.get(name)
    if value is None or value == "":
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SimError(400, code, f"{name} is not a valid URL: {value}")
    return value


# ----- account ------------------------------------------------------------------------------
async def fetch_account(request: web.Request) -> web.StreamResponse:
    """GET the account: friendly_name, type (Trial/Full), status (a credential check)."""
    sim = request.app[SIM_KEY]
    body = account_json(
        sim.account_sid,
        friendly_name=sim.account_friendly_name,
        type_=sim.account_type,
        created=rfc2822(sim.account_created) or "",
    )
    return _json(body)


# ----- phone numbers ------------------------------------------------------------------------
def _matches(pattern: str, phone_number: str) -> bool:
    """Twilio's PhoneNumber filter: part of the number, `*` standing for any one digit."""
    regex = "".join(r"\d" if ch == "*" else re.escape(ch) for ch in pattern.strip())
    return re.search(regex, phone_number) is not None


def _number(request: web.Request) -> PhoneNumber:
    sim = request.app[SIM_KEY]
    number = sim.numbers.get(request.match_info["Sid"])
    if number is None:
        raise errors.not_found(f"IncomingPhoneNumber {request.match_info['Sid']}")
    return number


async def list_numbers(request: web.Request) -> web.StreamResponse:
    """GET IncomingPhoneNumbers.json, filtered by PhoneNumber and FriendlyName."""
    sim = request.app[SIM_KEY]
    filters = _filters(request.query, ("PhoneNumber", "FriendlyName"))
    items = list(reversed(sim.numbers.values()))  # newest first
    if "PhoneNumber" in filters:
        items = [n for n in items if _matches(filters["PhoneNumber"], n.phone_number)]
    if "FriendlyName" in filters:
        items = [n for n in items if n.friendly_name == filters["FriendlyName"]]
    return _list_page(
        request,
        "incoming_phone_numbers",
        items,
        lambda n: phone_number_json(sim.account_sid, n),
        sid_of=lambda n: n.sid,
        filters=filters,
    )


async def fetch_number(request: web.Request) -> web.StreamResponse:
    """GET one IncomingPhoneNumber."""
    return _json(phone_number_json(request.app[SIM_KEY].account_sid, _number(request)))


async def update_number(request: web.Request) -> web.StreamResponse:
    """POST VoiceUrl, VoiceMethod, VoiceFallbackUrl/Method, StatusCallback/Method,
    FriendlyName, VoiceCallerIdLookup."""
    sim = request.app[SIM_KEY]
    number = _number(request)
    form = await _form(request)
    urls = {
        name: _url(form, name, INVALID_NUMBER_URL)
        for name in ("VoiceUrl", "VoiceFallbackUrl", "StatusCallback")
    }
    methods = {
        name: _method(form, name, "POST")
        for name in ("VoiceMethod", "VoiceFallbackMethod", "StatusCallbackMethod")
        if name in form
    }
    if urls["VoiceUrl"] is not None:
        number.voice_url = urls["VoiceUrl"]
    if urls["VoiceFallbackUrl"] is not None:
        number.voice_fallback_url = urls["VoiceFallbackUrl"]
    if urls["StatusCallback"] is not None:
        number.status_callback = urls["StatusCallback"]
    number.voice_method = methods.get("VoiceMethod", number.voice_method)
    number.voice_fallback_method = methods.get("VoiceFallbackMethod", number.voice_fallback_method)
    number.status_callback_method = methods.get(
        "StatusCallbackMethod", number.status_callback_method
    )
    if "FriendlyName" in form:
        number.friendly_name = form["FriendlyName"]
    if "VoiceCallerIdLookup" in form:
        number.voice_caller_id_lookup = form["VoiceCallerIdLookup"].strip().lower() == "true"
    number.date_updated = utcnow()
    return _json(phone_number_json(sim.account_sid, number))


# ----- calls --------------------------------------------------------------------------------
async def fetch_call(request: web.Request) -> web.StreamResponse:
    """GET a call: from, to, caller_name, status, direction, …."""
    sim = request.app[SIM_KEY]
    return _json(call_json(sim.account_sid, sim.world.call(request.match_info["CallSid"])))


async def update_call(request: web.Request) -> web.StreamResponse:
    """POST Twiml or Url (+Method) moves a live call to new TwiML; Status=completed hangs it
    up, Status=canceled cancels it while it is still queued or ringing."""
    sim = request.app[SIM_KEY]
    call = sim.world.call(request.match_info["CallSid"])
    form = await _form(request)
    status = form.get("Status")
    twiml = form.get("Twiml")
    url = _url(form, "Url")
    method = _method(form, "Method", "POST")
    if status not in (None, "completed", "canceled"):
        raise SimError(
            400, errors.INVALID_PARAMETER, f"Status must be completed or canceled, got {status!r}"
        )
    if status is None and not twiml and not url:
        raise SimError(400, errors.INVALID_PARAMETER, "Either Url, Twiml or Status is required")
    if twiml is not None and len(twiml) > MAX_TWIML_CHARS:
        raise SimError(
            400, errors.INVALID_PARAMETER, f"Twiml is longer than {MAX_TWIML_CHARS} characters"
        )
    if not call.live:
        raise SimError(400, CALL_NOT_IN_PROGRESS, "Call is not in-progress. Cannot redirect.")
    events: list[Event] = []
    if status == "completed" or (status == "canceled" and call.status != "in-progress"):
        events = sim.voice.hang_up(call, "participant_updated_via_api", status or "completed")
    elif twiml or url:
        events = sim.voice.redirect(call, twiml=twiml or None, url=url or None, method=method)
    return await _respond_then_emit(request, _json(call_json(sim.account_sid, call)), events)


async def incoming_call(request: web.Request) -> web.StreamResponse:
    """POST /_sim/calls (From, To, optional Digits: comma-separated, one entry per <Gather>):
    an incoming call to the account's number To; 201 with the Call, then the voice path."""
    sim = request.app[SIM_KEY]
    form = await _form(request)
    if not form.get("From"):
        raise SimError(400, errors.FROM_REQUIRED, "A 'From' phone number is required.")
    if not form.get("To"):
        raise SimError(400, errors.TO_REQUIRED, "A 'To' phone number is required.")
    digits = form["Digits"].split(",") if form.get("Digits") else []
    call = sim.place_call(form["From"], form["To"], [d.strip() for d in digits])
    return _json(call_json(sim.account_sid, call), status=201)


async def heard_call(request: web.Request) -> web.StreamResponse:
    """GET /_sim/calls/{CallSid}: the Call plus what its caller heard and keyed, in order, and
    the conference it is in now (sim-only: Twilio keeps no such record)."""
    sim = request.app[SIM_KEY]
    call = sim.world.call(request.match_info["CallSid"])
    conf = sim.world.conferences.get(call.conference_sid or "")
    part = conf.participants.get(call.sid) if conf else None
    return _json({**call_json(sim.account_sid, call), **heard_json(call, conf, part)})


async def debugger(request: web.Request) -> web.StreamResponse:
    """GET /_sim/debugger: the voice path's errors (code, message, call_sid, url), oldest first,
    as Twilio's debugger would list them."""
    entries = request.app[SIM_KEY].voice.debugger
    return _json(
        [
            {"code": e.code, "message": e.message, "call_sid": e.call_sid, "url": e.url}
            for e in entries
        ]
    )
