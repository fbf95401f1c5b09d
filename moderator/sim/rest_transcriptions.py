"""REST for real-time transcriptions of a call: create, and update to stopped (by SID or name)."""

from __future__ import annotations

from aiohttp import web

from moderator.sim.rest import ROOT, SIM_KEY, _json
from moderator.sim.transcriptions import rest_options, transcription_json

TRANSCRIPTIONS = f"{ROOT}/Calls/{{CallSid}}/Transcriptions"


def add_routes(app: web.Application) -> None:
    """POST Transcriptions.json (201), POST Transcriptions/{GT… or Name}.json."""
    app.router.add_post(f"{TRANSCRIPTIONS}.json", create_transcription)
    app.router.add_post(f"{TRANSCRIPTIONS}/{{Sid}}.json", update_transcription)


async def _form(request: web.Request) -> dict[str, str]:
    return {k: v for k, v in (await request.post()).items() if isinstance(v, str)}


async def _answer_then_flush(
    request: web.Request, response: web.StreamResponse
) -> web.StreamResponse:
    """The answer first, then the callbacks it causes (Twilio's order)."""
    await response.prepare(request)
    await response.write_eof()
    request.app[SIM_KEY].transcriptions.flush()
    return response


async def create_transcription(request: web.Request) -> web.StreamResponse:
    """Start transcribing a live call (21220 when it is not in progress, 20404 unknown)."""
    sim = request.app[SIM_KEY]
    call = sim.world.call(request.match_info["CallSid"])
    tr = sim.transcriptions.start(call, rest_options(await _form(request)))
    return await _answer_then_flush(request, _json(transcription_json(tr), 201))


async def update_transcription(request: web.Request) -> web.StreamResponse:
    """POST Status=stopped."""
    sim = request.app[SIM_KEY]
    call = sim.world.call(request.match_info["CallSid"])
    tr = sim.transcriptions.find(call.sid, request.match_info["Sid"])
    sim.transcriptions.stop(tr, (await _form(request)).get("Status", ""))
    return await _answer_then_flush(request, _json(transcription_json(tr)))
