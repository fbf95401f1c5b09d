"""A console a test starts with credentials never talks to api.twilio.com."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.child_env import UNREACHABLE_API_URL

pytestmark = pytest.mark.e2e


def test_a_console_with_credentials_calls_no_twilio_but_loopback(
    start_console: Any, tmp_path: Path
) -> None:
    data = str(tmp_path / "data")
    console = start_console("--port", "0", "--data-dir", data, "--quit-after", "2")
    assert console.wait() == 0, console.output
    ready = f"REST client ready for account AC{'1' * 32} at {UNREACHABLE_API_URL} "
    assert ready in console.output, console.output
    assert "api.twilio.com" not in console.output
