"""Fixtures for the simulator tests: a running Simulator, a callback receiver, SDK clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from moderator.sim import Simulator
from tests.helpers.media import media  # noqa: F401  (a fixture: a static audio host)

from .helpers import (
    Received,
    Receiver,
    ThreadedSim,
    TwimlApp,
    async_client_for,
    make_sim,
)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()

    async def handle(request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        rec.items.append(Received(str(request.url), form, request.headers["X-Twilio-Signature"]))
        rec.log.append(form["StatusCallbackEvent"])
        return web.Response(status=rec.status)

    app = web.Application()
    app.router.add_post("/twilio/conference-events", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    rec.url = str(server.make_url("/twilio/conference-events"))
    yield rec
    await server.close()


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = make_sim()
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[Client]:
    twilio, http = async_client_for(sim)
    yield twilio
    await http.close()


@pytest.fixture
def threaded() -> Iterator[ThreadedSim]:
    ts = ThreadedSim()
    yield ts
    ts.close()


@pytest.fixture
def sync_client(threaded: ThreadedSim) -> Client:
    twilio = Client(threaded.sim.account_sid, threaded.sim.auth_token)
    twilio.api.base_url = threaded.base_url
    return twilio


@pytest.fixture
async def app(sim: Simulator) -> AsyncIterator[TwimlApp]:
    served = TwimlApp(token=sim.auth_token)
    validator = RequestValidator(sim.auth_token)

    async def handle(request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        params = form if request.method == "POST" else {}
        url = f"{request.url.origin()}{request.raw_path}"  # as sent, query string included
        signed = validator.validate(url, params, request.headers.get("X-Twilio-Signature", ""))
        values = form or dict(request.query)
        served.requests.append((request.path, request.method, values, signed))
        page = served.pages.get(request.path, (404, "not here"))
        status, text = page if isinstance(page, tuple) else (200, page)
        return web.Response(status=status, text=text, content_type="text/xml")

    application = web.Application()
    application.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(application, host="127.0.0.1")
    await server.start_server()
    served.base = str(server.make_url("")).rstrip("/")
    yield served
    await server.close()
