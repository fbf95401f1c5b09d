"""The real console process: TeamMeeting callbacks in, exit 0 on every kind of quit, report out."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from moderator.domain.events import parse_callback
from moderator.store.journal import Journal
from tests.e2e.conftest import AUTH_TOKEN, child_env, run_moderator
from tests.forms import form, team_meeting

pytestmark = pytest.mark.e2e
PATH = "/twilio/conference-events"


async def post_all(url: str, forms: list[dict[str, str]], concurrency: int = 1) -> list[int]:
    """POST signed callbacks over keep-alive connections; returns the statuses."""
    validator = RequestValidator(AUTH_TOKEN)
    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post(fields: dict[str, str]) -> int:
            signature = validator.compute_signature(url + PATH, fields)
            async with (
                limit,
                session.post(
                    url + PATH, data=fields, headers={"X-Twilio-Signature": signature}
                ) as response,
            ):
                return response.status

        if concurrency == 1:
            return [await post(f) for f in forms]
        return list(await asyncio.gather(*(post(f) for f in forms)))


def report(data_dir: Path) -> dict[str, Any]:
    result = run_moderator(
        "report", "--data-dir", str(data_dir), "--format", "json", env=child_env(data_dir.parent)
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_team_meeting_end_to_end(start_console: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shot = tmp_path / "shot.png"
    console = start_console("--port", "0", "--data-dir", str(data), "--screenshot", str(shot))
    url = console.wait_listening()
    forms = team_meeting()
    assert asyncio.run(post_all(url, forms)) == [204] * len(forms)
    # the report reads the journal while the console is still writing it (WAL)
    (live,) = report(data)["conferences"]
    assert len(live["participants"]) == 4
    console.process.send_signal(signal.SIGTERM)
    assert console.wait() == 0, console.output
    assert "Traceback" not in console.output
    assert AUTH_TOKEN not in console.output
    assert shot.stat().st_size > 1000

    (conference,) = report(data)["conferences"]
    assert conference["friendly_name"] == "TeamMeeting"
    people = {p["label"]: p for p in conference["participants"]}
    assert set(people) == {"Mary", "Alice", "Bob", "Charles"}
    assert people["Alice"]["muted"] and not people["Mary"]["muted"]
    assert not people["Bob"]["present"] and people["Bob"]["left_at"]
    assert people["Charles"]["present"]


def test_restart_mid_call_loses_nothing(start_console: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_console("--port", "0", "--data-dir", str(data))
    url = first.wait_listening()
    asyncio.run(post_all(url, team_meeting()[:4]))
    first.process.send_signal(signal.SIGINT)  # Ctrl-C
    assert first.wait() == 0, first.output
    second = start_console("--port", "0", "--data-dir", str(data), "-v")
    url = second.wait_listening()
    assert "4 callbacks replayed" in second.output
    asyncio.run(post_all(url, team_meeting()[4:]))
    second.process.send_signal(signal.SIGTERM)
    assert second.wait() == 0, second.output
    people = {p["label"]: p for p in report(data)["conferences"][0]["participants"]}
    assert set(people) == {"Mary", "Alice", "Bob", "Charles"}
    assert people["Alice"]["muted"]


def test_exit_status_after_a_burst_of_concurrent_webhooks(
    start_console: Any, tmp_path: Path
) -> None:
    """Hundreds of concurrent keep-alive posts, then quit: still a clean exit 0."""
    data = tmp_path / "data"
    console = start_console("--port", "0", "--data-dir", str(data))
    url = console.wait_listening()
    forms = [form("participant-speech-start", n, who=f"P{n % 50}") for n in range(1, 801)]
    statuses = asyncio.run(post_all(url, forms, concurrency=64))
    assert statuses == [204] * 800
    console.process.send_signal(signal.SIGTERM)
    assert console.wait() == 0, console.output
    assert "Fatal Python error" not in console.output
    assert "Traceback" not in console.output


def test_quit_after(start_console: Any, tmp_path: Path) -> None:
    console = start_console("--port", "0", "--data-dir", str(tmp_path), "--quit-after", "0.5")
    assert console.wait() == 0, console.output


def test_unsigned_callbacks_are_rejected_and_logged(start_console: Any, tmp_path: Path) -> None:
    console = start_console("--port", "0", "--data-dir", str(tmp_path / "data"))
    url = console.wait_listening()

    async def unsigned() -> int:
        async with (
            aiohttp.ClientSession() as session,
            session.post(url + PATH, data=team_meeting()[0]) as r,
        ):
            return r.status

    assert asyncio.run(unsigned()) == 403
    console.process.send_signal(signal.SIGTERM)
    assert console.wait() == 0
    assert "missing X-Twilio-Signature" in console.output
    assert report(tmp_path / "data")["conferences"] == []


def test_taken_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_moderator(
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path),
            "--quit-after",
            "5",
            env=child_env(tmp_path),
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"moderator: error: port {port} on 127.0.0.1 is already in use;"
        " choose another with --port (0: any free)"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "not a port number"),
        (["--port", "eighty"], "not a port number"),
        (["--public-url", "ngrok.app/x"], "is not an http(s) URL"),
        (["--host", "no-such-host.invalid", "--port", "8099"], "unknown host"),
        (["--quit-after", "-1"], "must not be negative"),
    ],
)
def test_user_mistakes_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = run_moderator(*args, "--data-dir", str(tmp_path), env=child_env(tmp_path))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert message in line


def test_report_without_a_journal_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_moderator("report", "--data-dir", str(tmp_path / "none"), env=child_env(tmp_path))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"moderator report: error: no journal at {tmp_path / 'none' / 'journal.sqlite3'}"
        " (the demo keeps its own: moderator report --demo)"
    )


def test_version_and_help(tmp_path: Path) -> None:
    env = child_env(tmp_path)
    assert run_moderator("--version", env=env).stdout.startswith("moderator ")
    assert "--public-url" in run_moderator("--help", env=env).stdout


def test_an_unknown_host_is_the_only_line_when_a_journal_is_replayed(tmp_path: Path) -> None:
    """Found before the journal opens: no "callbacks replayed" or "console stopped" line first."""
    data = tmp_path / "data"
    journal = Journal.in_dir(data)
    now = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
    journal.append_callbacks([(now, f, parse_callback(f, now)) for f in team_meeting()])
    journal.close()
    result = run_moderator(
        "--host", "no-such-host.invalid", "--data-dir", str(data), env=child_env(tmp_path)
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("moderator: error: argument --host: unknown host 'no-such-host.invalid'")
