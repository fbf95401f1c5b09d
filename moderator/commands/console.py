"""`moderator` (no sub-command): the console, its flags, and what is checked before it starts
(the PIN, the screenshot's folder, the display, a writable data folder)."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from moderator import __version__
from moderator.commands import arguments
from moderator.commands.arguments import Parser, console_data_dir
from moderator.private import private_folder
from moderator.store.journal_file import JOURNAL_FILE, EarlyCheck

ENV_PIN = "MODERATOR_PIN"  # the meeting PIN, kept out of `ps` (a --pin argument shows there)


def pin(value: str) -> str:
    """A meeting PIN: what a caller can key on a phone (4 to 20 digits)."""
    from moderator.domain.pin_guard import pin_problem

    problem = pin_problem(value) if value else "a PIN is 4 to 20 digits"
    if problem:
        raise argparse.ArgumentTypeError(f"not a PIN: {problem}")
    return value


def start_pin(
    options: argparse.Namespace,
    parser: argparse.ArgumentParser,
    env: Mapping[str, str],
    ask: Callable[[str], str] | None = None,
) -> str:
    """The door's PIN at start: --pin, else --ask-pin (typed, not echoed), else MODERATOR_PIN."""
    if options.pin:
        return str(options.pin)
    where, value = ENV_PIN, env.get(ENV_PIN, "")
    if options.ask_pin:
        where = "the PIN typed"
        try:
            value = (ask or getpass.getpass)("Meeting PIN (4 to 20 digits, not shown): ")
        except (EOFError, KeyboardInterrupt):
            parser.error("--ask-pin: no PIN was typed")
    value = value.strip()
    if not value:
        return ""
    try:
        return pin(value)
    except argparse.ArgumentTypeError as exc:
        parser.error(f"{where}: {exc}")


def console_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="moderator",
        description="Moderator console for Twilio conference calls. "
        "Sub-commands: 'moderator report --help', 'moderator sim --help', "
        "'moderator connect-number --help'.",
    )
    parser.add_argument("--version", action="version", version=f"moderator {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against the embedded simulator")
    parser.add_argument(
        "--demo-speed", type=arguments.speed, default=1.0, metavar="X", help="demo time factor"
    )
    parser.add_argument(
        "--demo-latency",
        type=arguments.latency,
        default="150-300",
        metavar="MS",
        help="demo REST answer time, MIN-MAX milliseconds with jitter (default 150-300; 0: none)",
    )
    parser.add_argument(
        "--port",
        type=arguments.port,
        help="webhook port (default: the setting, 8080; 0: any free port)",
    )
    parser.add_argument(
        "--host",
        type=arguments.host,
        default="127.0.0.1",
        help="webhook address (default 127.0.0.1)",
    )
    parser.add_argument(
        "--public-url",
        type=arguments.public_url,
        metavar="URL",
        help="public base URL a tunnel maps to this server's root (Twilio signs it)",
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="journal and settings folder")
    arguments.add_twilio_api_url(parser)
    parser.add_argument(
        "--quit-after", type=arguments.seconds, metavar="SECONDS", help="quit after this long"
    )
    parser.add_argument(
        "--screenshot", type=Path, metavar="PNG", help="save the window before quitting"
    )
    parser.add_argument(
        "--setup-assistant",
        action="store_true",
        default=None,
        help="open the setup assistant at start (it opens by itself when no credentials are set)",
    )
    door = parser.add_argument_group("the meeting's door (start state; the window changes it)")
    door.add_argument(
        "--pin",
        type=pin,
        help="callers key this PIN (4 to 20 digits) before they join; other users can read"
        f" it in `ps`: prefer --ask-pin or the environment variable {ENV_PIN}",
    )
    door.add_argument(
        "--ask-pin",
        action="store_true",
        help="type the PIN at start (not shown, not in `ps`)",
    )
    door.add_argument(
        "--waiting-room", action="store_true", help="callers wait until the host admits them"
    )
    door.add_argument("--locked", action="store_true", help="turn new callers away")
    door.add_argument(
        "--record",
        action="store_true",
        help="record the meeting from its start (Twilio keeps the recording)",
    )
    door.add_argument(
        "--captions",
        action="store_true",
        help="live captions: Twilio transcribes each caller (charged per minute)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def _unwritable(folder: Path) -> str | None:
    """Why the console could not keep its journal and settings in `folder` (None: it can)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def run(argv: Sequence[str]) -> int:
    """Check the command line, then run the console until it quits; its exit status."""
    parser = console_parser()
    options = parser.parse_args(argv)
    data_dir = console_data_dir(options.data_dir, options.demo)
    # A journal no clean close vouches for is checked whole before it is written: begun now,
    # on its own thread, that check runs beside the imports below (store/journal_file.py).
    journal_check = EarlyCheck(data_dir / JOURNAL_FILE)

    from moderator.app import ConsoleOptions, run_console
    from moderator.logs import setup_logging
    from moderator.system_libs import display_problem, xcb_problem

    door_pin = start_pin(options, parser, os.environ)
    # checked before anything starts or logs, so the mistake is the only line printed
    if options.screenshot is not None and not options.screenshot.parent.is_dir():
        parser.error(f"--screenshot: the folder {options.screenshot.parent} does not exist")
    problem = xcb_problem() or display_problem()
    if problem:
        print(f"moderator: error: {problem}", file=sys.stderr)
        return 2
    problem = _unwritable(data_dir)
    if problem:
        print(
            f"moderator: error: cannot write to the data folder {data_dir}: {problem}"
            " (choose another with --data-dir)",
            file=sys.stderr,
        )
        return 2
    private_folder(data_dir)  # 0700, and files an older version left 0644 become 0600
    setup_logging(options.verbose)
    # every flag is a ConsoleOptions field of the same name; the checked folder and PIN win
    fields = {field.name for field in dataclasses.fields(ConsoleOptions)}
    given = {name: value for name, value in vars(options).items() if name in fields}
    console = ConsoleOptions(**{**given, "data_dir": data_dir, "pin": door_pin})
    return run_console(console, journal_check)
