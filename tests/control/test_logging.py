"""Logs say what happened (retries, failures) and never contain the auth token."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from moderator.credentials import Credentials
from moderator.sim import Simulator

from .conftest import close_console, meeting, open_console


async def test_logs_show_retries_and_errors_without_secrets(
    sim: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    console = await open_console(sim, tmp_path)
    try:
        conf, sids = await meeting(console, "Bob")
        sim.fail_next(429, count=1, retry_after=0.05)
        assert (await console.moderator.mute(conf, sids["Bob"])).ok
        console.moderator.update_credentials(Credentials(sim.account_sid, "0" * 32))
        assert not (await console.moderator.unmute(conf, sids["Bob"])).ok
        await sim.drain()
    finally:
        await close_console(console)
    text = caplog.text
    assert "HTTP 429, retry 1/3 in 0.05 s" in text
    assert "Could not unmute Bob: Twilio rejected the credentials" in text
    assert sim.auth_token not in text
    assert "0" * 32 not in text
    assert "Authorization" not in text and "Basic " not in text
