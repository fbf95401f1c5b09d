"""A static audio host on 127.0.0.1, as a hold-music or announcement URL is served in real life.

It serves files with aiohttp's static route: GET and HEAD only, so a POST is answered 405 the
way a plain web server or a storage bucket answers it. Twilio fetches such URLs (waitUrl,
HoldUrl, AnnounceUrl), and so does the simulator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

# A few bytes that are not music: the content type is what Twilio (and the simulator) go by.
FILES = ("hold.mp3", "hello.mp3", "welcome.mp3", "all.mp3", "for-bob.mp3", "a.mp3", "b.mp3")


@dataclass
class Media:
    """Where the files are served: `url("hold.mp3")`."""

    base: str

    def url(self, name: str) -> str:
        return f"{self.base}/media/{name}"


@pytest.fixture
async def media(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Media]:
    folder: Path = tmp_path_factory.mktemp("media")
    for name in FILES:
        (folder / name).write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00")
    app = web.Application()
    app.router.add_static("/media", folder)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield Media(str(server.make_url("")).rstrip("/"))
    await server.close()
