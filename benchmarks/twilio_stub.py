"""Stand-ins for the far ends: a Twilio REST API that knows what the load sent, a bare 204 server.

The REST stand-in runs in the load process and answers what the console asks during a run
(conference list and fetch, participant list and update, call fetch for caller numbers) from a
world that follows the callbacks as they are sent; it notes when each participant update
arrived (time.monotonic, the same clock as the console's on this machine).

`python -m benchmarks.twilio_stub` serves the bare baseline in a process of its own: aiohttp
reading the form and answering 204, nothing else; it prints its port. With `--rest` it serves
the REST stand-in instead (a meeting already joined, answers after `--latency` seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH
from moderator.sim.paging import paginate

_ROOT = r"/2010-04-01/Accounts/(?P<account>AC\w+)"


@dataclass
class _Conference:
    sid: str
    friendly_name: str
    status: str = "init"
    participants: dict[str, dict[str, Any]] = field(default_factory=dict)


class World:
    """Conferences and participants as the callbacks sent so far describe them."""

    def __init__(self) -> None:
        self.conferences: dict[str, _Conference] = {}

    def follow(self, form: dict[str, str]) -> None:
        sid = form["ConferenceSid"]
        conf = self.conferences.setdefault(sid, _Conference(sid, form.get("FriendlyName", "")))
        event = form["StatusCallbackEvent"]
        call = form.get("CallSid")
        if event == "conference-start":
            conf.status = "in-progress"
        elif event == "conference-end":
            conf.status = "completed"
            conf.participants.clear()
        elif event == "participant-join" and call:
            conf.participants[call] = {
                "call_sid": call,
                "label": form.get("ParticipantLabel"),
                "muted": form.get("Muted") == "true",
                "hold": False,
                "coaching": False,
                "start_conference_on_enter": form.get("StartConferenceOnEnter") == "true",
                "end_conference_on_exit": form.get("EndConferenceOnExit") == "true",
                "status": "connected",
            }
        elif event == "participant-leave" and call:
            conf.participants.pop(call, None)
        elif call in conf.participants and event in ("participant-mute", "participant-unmute"):
            conf.participants[call]["muted"] = event == "participant-mute"


class TwilioStub:
    """The REST stand-in: `await stub.start()` → base URL for --twilio-api-url."""

    def __init__(self, world: World | None = None, latency: float = 0.0) -> None:
        self.world = world or World()
        self.latency = latency
        self.updates: list[tuple[str, float]] = []  # (call SID, arrival time.monotonic())
        self.requests: dict[str, int] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        if request.path.startswith("/_stub/"):
            return self._control(request)
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._answer_request(request, arrived)
        finally:
            self.in_flight -= 1

    def _control(self, request: web.Request) -> web.Response:
        """The benchmark's own questions: counts and peak, and a reset."""
        body = {"requests": self.requests, "peak_in_flight": self.peak_in_flight}
        if request.path == "/_stub/reset":
            self.requests, self.peak_in_flight = {}, self.in_flight
        return web.json_response(body)

    async def _answer_request(self, request: web.Request, arrived: float) -> web.Response:
        path = request.path
        kind = _kind(request.method, path)
        self.requests[kind] = self.requests.get(kind, 0) + 1
        form = await request.post() if request.method == "POST" else {}
        if kind == "participant-update":
            self.updates.append((path.rsplit("/", 1)[1].removesuffix(".json"), arrived))
        if self.latency:
            await asyncio.sleep(self.latency)
        body = self._answer(kind, path, request, dict(form))
        if body is None:
            return web.json_response(
                {"code": 20404, "message": "not found", "status": 404}, status=404
            )
        return web.json_response(body)

    def _answer(
        self, kind: str, path: str, request: web.Request, form: dict[str, Any]
    ) -> dict[str, Any] | None:
        parts = path.removesuffix(".json").split("/")
        conferences = self.world.conferences
        if kind == "conference-list":
            wanted = request.query.get("Status")
            items = [c for c in conferences.values() if wanted in (None, c.status)]
            return paginate(
                items, key="conferences", path=path, query=request.query, filters={},
                sid_of=lambda c: c.sid, render=_conference_json,
            )  # fmt: skip
        if kind == "call":
            sid = parts[-1]
            number = int(sid[-4:], 16) % 10_000
            return {"sid": sid, "from": f"+1555010{number:04d}", "to": "+15550009999",
                    "direction": "inbound", "status": "in-progress"}  # fmt: skip
        conf = conferences.get(parts[5]) if len(parts) > 5 else None
        if conf is None:
            return None
        if kind in ("conference", "conference-update"):
            if form.get("Status") == "completed":
                conf.status = "completed"
            return _conference_json(conf)
        if kind == "participant-list":
            return paginate(
                list(conf.participants.values()), key="participants", path=path,
                query=request.query, filters={}, sid_of=lambda p: p["call_sid"],
                render=lambda p: {**p, "conference_sid": conf.sid},
            )  # fmt: skip
        participant = conf.participants.get(parts[-1])
        if participant is None:
            return None
        for field_name, key in (("Muted", "muted"), ("Hold", "hold")):
            if field_name in form:
                participant[key] = form[field_name] == "true"
        return {**participant, "conference_sid": conf.sid}


def _kind(method: str, path: str) -> str:
    tail = re.sub(_ROOT, "", path)
    if tail.startswith("/Calls/"):
        return "call"
    if tail == "/Conferences.json":
        return "conference-list"
    if tail.endswith("/Participants.json"):
        return "participant-list" if method == "GET" else "participant-create"
    if "/Participants/" in tail:
        return "participant-update" if method == "POST" else f"participant-{method.lower()}"
    if tail.startswith("/Conferences/"):
        return "conference" if method == "GET" else "conference-update"
    return "other"


def _conference_json(conf: _Conference) -> dict[str, Any]:
    return {"sid": conf.sid, "friendly_name": conf.friendly_name, "status": conf.status}


# ---- processes of their own ---------------------------------------------------------------


async def _serve_rest(latency: float, meeting: int, people: int) -> None:
    from benchmarks.callbacks import Meeting

    stub = TwilioStub(latency=latency)
    for form in Meeting(meeting, people=people).joins():
        stub.world.follow(form)
    url = await stub.start()
    print(json.dumps({"url": url}), flush=True)
    await asyncio.Event().wait()


async def start_bare() -> web.AppRunner:
    """aiohttp answering 204 to every callback, nothing else (the ceiling on this machine),
    listening on a free loopback port (`runner.addresses[0][1]`)."""

    async def handler(request: web.Request) -> web.Response:
        await request.post()
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post(CONFERENCE_EVENTS_PATH, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


async def _serve_bare() -> None:
    runner = await start_bare()
    print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="the bare server, or --rest: Twilio's REST API")
    parser.add_argument("--rest", action="store_true")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--meeting", type=int, default=1, help="a live meeting's number")
    parser.add_argument("--people", type=int, default=0, help="who has joined it")
    args = parser.parse_args()
    if args.rest:
        asyncio.run(_serve_rest(args.latency, args.meeting, args.people))
    else:
        asyncio.run(_serve_bare())


if __name__ == "__main__":
    main()
