"""The setup check of the hold-music URL: does it play, fetched as Twilio fetches the lobby's?"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from moderator.setup.hold_music import check_hold_music
from moderator.setup.readiness import Check, Readiness
from tests.helpers.media import Media


@pytest.fixture
async def twiml_host() -> AsyncIterator[str]:
    """/ok answers playable TwiML, /dial TwiML Twilio refuses there, /page HTML."""
    pages = {
        "/ok": "<Response><Say>Please hold</Say><Play>https://x/m.mp3</Play></Response>",
        "/dial": "<Response><Dial>+15551234567</Dial></Response>",
        "/page": "<html><body>hello</body></html>",
    }

    async def handle(request: web.Request) -> web.Response:
        return web.Response(text=pages[request.path], content_type="text/xml")

    app = web.Application()
    for path in pages:
        app.router.add_get(path, handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


async def test_a_static_audio_file_plays_when_fetched_with_get(media: Media) -> None:
    check = await check_hold_music(media.url("hold.mp3"))  # the host answers POST with 405
    assert check.ok is True and "audio/mpeg" in check.detail


async def test_what_does_not_play_says_why(media: Media, twiml_host: str) -> None:
    missing = await check_hold_music(media.url("nothing.mp3"))
    assert missing.ok is False and "404" in missing.detail and "silence" in missing.detail
    refused = await check_hold_music(twiml_host + "/dial")
    assert refused.ok is False and "<Dial>" in refused.detail and "13238" in refused.detail
    html = await check_hold_music(twiml_host + "/page")
    assert html.ok is False and "not TwiML" in html.detail
    unreachable = await check_hold_music("http://127.0.0.1:9/hold.mp3", timeout=2)
    assert unreachable.ok is False and "did not answer" in unreachable.detail
    assert (await check_hold_music("ftp://x/hold.mp3")).ok is False


async def test_twiml_twilio_plays_and_twilios_own_music(twiml_host: str) -> None:
    assert (await check_hold_music(twiml_host + "/ok")).ok is True
    own = await check_hold_music("http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical")
    assert own.ok is True  # not fetched: Twilio's own
    unset = await check_hold_music("")
    assert unset.ok is None and "Twilio's hold music" in unset.detail


def test_the_music_line_is_told_but_never_blocks_readiness() -> None:
    silent = Check(False, "http://x/hold.mp3 answers GET with 404: callers would wait in silence")
    ok = Check(True, "ok")
    readiness = Readiness(ok, ok, Check(None, "own TwiML"), checked=True, music=silent)
    assert readiness.ready  # a call works without music
    assert readiness.all_lines()[-1] == ("Music", silent)
    assert [name for name, _ in readiness.lines()] == ["Twilio", "Tunnel", "Number"]
