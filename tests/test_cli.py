"""Command-line mistakes are one line and exit status 2, found before anything starts or logs."""

from __future__ import annotations

import dataclasses
import json
import sys
import types
from datetime import datetime, timezone
from pathlib import Path

import pytest

from moderator import app, cli, private
from moderator.commands import console
from moderator.domain.events import parse_callback
from moderator.store.journal import Journal
from tests.forms import team_meeting


def mistake(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The one stderr line of a refused command line (SystemExit 2 or a return of 2)."""
    try:
        status = cli.main(list(argv))
    except SystemExit as exit_:
        status = exit_.code
    captured = capsys.readouterr()
    assert status == 2, captured
    (line,) = captured.err.splitlines()
    assert captured.out == ""
    return line


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "99999"],
        ["--no-such-option"],
        ["report", "--format", "xml"],
        ["sim", "--port", "x"],
    ],
)
def test_usage_mistakes_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    line = mistake(capsys, *argv)
    assert "error:" in line and "--help" in line and "usage:" not in line


@pytest.mark.parametrize("route", ["/twilio/conference-events", "/twilio/voice", "/twilio/voice/"])
def test_public_url_with_a_route_path_is_refused(
    capsys: pytest.CaptureFixture[str], route: str
) -> None:
    line = mistake(capsys, "--public-url", f"https://abc.ngrok.app/prefix{route}")
    assert "ends in the route /twilio/" in line
    assert "e.g. https://abc.ngrok.app/prefix" in line


def test_public_url_with_a_path_prefix_is_kept() -> None:
    options = console.console_parser().parse_args(["--public-url", "https://proxy.example/twilio/"])
    assert options.public_url == "https://proxy.example/twilio"


def test_screenshot_into_a_missing_folder_fails_before_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = mistake(capsys, "--data-dir", str(tmp_path), "--screenshot", str(tmp_path / "no/w.png"))
    assert line.startswith(f"moderator: error: --screenshot: the folder {tmp_path / 'no'} does not")


def test_unwritable_data_dir_is_the_only_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A folder that cannot be created (here: below a file, which fails as root too)."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    line = mistake(capsys, "--data-dir", str(blocker / "data"), "--quit-after", "0")
    assert line.startswith(f"moderator: error: cannot write to the data folder {blocker / 'data'}")
    assert line.endswith("(choose another with --data-dir)")


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default data folder is under tmp_path; the demo's journal holds the TeamMeeting."""
    monkeypatch.setattr(private, "default_data_dir", lambda: tmp_path / "data")
    journal = Journal.in_dir(tmp_path / "data" / "demo")
    now = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
    journal.append_callbacks([(now, f, parse_callback(f, now)) for f in team_meeting()])
    journal.close()
    return tmp_path / "data"


def test_report_demo_reads_the_demo_journal_and_says_so(
    capsys: pytest.CaptureFixture[str], data_home: Path
) -> None:
    assert cli.main(["report", "--demo", "--format", "json"]) == 0
    captured = capsys.readouterr()
    (conference,) = json.loads(captured.out)["conferences"]  # stdout is only the JSON
    assert conference["friendly_name"] == "TeamMeeting"
    assert captured.err == f"moderator report: journal {data_home / 'demo' / 'journal.sqlite3'}\n"


def test_report_without_a_journal_points_at_the_demo(
    capsys: pytest.CaptureFixture[str], data_home: Path
) -> None:
    line = mistake(capsys, "report")
    assert line == (
        f"moderator report: error: no journal at {data_home / 'journal.sqlite3'}"
        " (the demo keeps its own: moderator report --demo)"
    )


@pytest.mark.parametrize("pin", ["12a4", "", "1" * 21, "١٢٣٤"])
def test_a_pin_is_digits(capsys: pytest.CaptureFixture[str], pin: str) -> None:
    assert "not a PIN: a PIN is 4 to 20 digits" in mistake(capsys, "--pin", pin)


@pytest.mark.parametrize("pin", ["1", "12", "123"])
def test_a_pin_shorter_than_4_digits_is_refused(
    capsys: pytest.CaptureFixture[str], pin: str
) -> None:
    assert "guessed in minutes; use 4 to 20 digits" in mistake(capsys, "--pin", pin)


def start_options(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str
) -> app.ConsoleOptions:
    seen: list[app.ConsoleOptions] = []
    monkeypatch.setattr(app, "run_console", lambda options, _check: seen.append(options) or 0)
    monkeypatch.setattr("moderator.system_libs.xcb_problem", lambda: None)
    monkeypatch.setattr("moderator.logs.setup_logging", lambda verbose: None)
    monkeypatch.setitem(sys.modules, "ngrok", types.ModuleType("ngrok"))
    assert cli.main([*args, "--data-dir", str(tmp_path)]) == 0
    (options,) = seen
    return options


def test_the_pin_can_come_from_the_environment_or_a_prompt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MODERATOR_PIN", "97531")
    assert start_options(monkeypatch, tmp_path).pin == "97531"  # not on the command line
    assert start_options(monkeypatch, tmp_path, "--pin", "2468").pin == "2468"
    monkeypatch.setattr(console.getpass, "getpass", lambda prompt: "86420\n")
    assert start_options(monkeypatch, tmp_path, "--ask-pin").pin == "86420"
    monkeypatch.setenv("MODERATOR_PIN", "12")
    line = mistake(capsys, "--data-dir", str(tmp_path))
    assert line.startswith("moderator: error: MODERATOR_PIN: not a PIN: a PIN of 2 digits")


def test_door_start_state_reaches_the_console_options(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[app.ConsoleOptions] = []
    monkeypatch.setattr(app, "run_console", lambda options, _check: seen.append(options) or 0)
    monkeypatch.setattr("moderator.system_libs.xcb_problem", lambda: None)
    monkeypatch.setattr("moderator.logs.setup_logging", lambda verbose: None)
    # main() returns even when the ngrok SDK is loaded: only entry() may leave by os._exit
    monkeypatch.setitem(sys.modules, "ngrok", types.ModuleType("ngrok"))
    assert (
        cli.main(["--pin", "2468", "--waiting-room", "--locked", "--data-dir", str(tmp_path)]) == 0
    )
    assert cli.main(["--captions", "--data-dir", str(tmp_path)]) == 0
    first, captioned = seen
    assert (first.pin, first.waiting_room, first.locked) == ("2468", True, True)
    assert (first.captions, captioned.captions) == (False, True)


def test_a_bad_api_url_shows_an_api_url_example(capsys: pytest.CaptureFixture[str]) -> None:
    line = mistake(capsys, "--twilio-api-url", "localhost:4010")
    assert "e.g. http://127.0.0.1:PORT (what moderator sim prints)" in line
    assert "ngrok" not in line


def test_every_console_option_is_a_flag_of_the_same_name() -> None:
    """The console's options are taken from the command line by name (commands/console.py)."""
    flags = set(vars(console.console_parser().parse_args([])))
    options = {field.name for field in dataclasses.fields(app.ConsoleOptions)}
    assert options - flags == set()
