"""REST for conference recordings: list, fetch, and update (pause, resume, stop)."""

from __future__ import annotations

from aiohttp import web

from moderator.sim.recordings import recording_json
from moderator.sim.rest import ROOT, SIM_KEY, _conference, _json, _list_page

RECORDINGS = f"{ROOT}/Conferences/{{ConferenceSid}}/Recordings"


def add_routes(app: web.Application) -> None:
    """GET Recordings.json, GET and POST Recordings/{RE… or Twilio.CURRENT}.json."""
    app.router.add_get(f"{RECORDINGS}.json", list_recordings)
    app.router.add_get(f"{RECORDINGS}/{{Sid}}.json", fetch_recording)
    app.router.add_post(f"{RECORDINGS}/{{Sid}}.json", update_recording)


async def list_recordings(request: web.Request) -> web.StreamResponse:
    """A conference's recordings (Twilio's list envelope, key `recordings`)."""
    conf = _conference(request)
    book = request.app[SIM_KEY].recordings
    return _list_page(
        request, "recordings", book.of(conf.sid), recording_json, sid_of=lambda r: r.sid
    )


async def fetch_recording(request: web.Request) -> web.StreamResponse:
    """One recording, by SID or Twilio.CURRENT."""
    conf = _conference(request)
    book = request.app[SIM_KEY].recordings
    return _json(recording_json(book.find(conf.sid, request.match_info["Sid"])))


async def update_recording(request: web.Request) -> web.StreamResponse:
    """POST Status (required) and PauseBehavior; the status callbacks follow the answer."""
    conf = _conference(request)
    book = request.app[SIM_KEY].recordings
    rec = book.find(conf.sid, request.match_info["Sid"])
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    book.update(rec, form.get("Status", ""), form.get("PauseBehavior"))
    response = _json(recording_json(rec))
    await response.prepare(request)
    await response.write_eof()
    book.flush()
    return response
