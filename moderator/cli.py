"""Command line: `moderator` (the console), `moderator report`, `moderator sim`,
`moderator connect-number`."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

from moderator import __version__
from moderator.private import FILE_MODE, keep_private, narrow, private_folder

if TYPE_CHECKING:
    from moderator.domain.address_book import AddressBook
    from moderator.settings import Settings


class _Parser(argparse.ArgumentParser):
    """argparse with the project's rule for a usage mistake: one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _base_url(value: str, example: str = "https://abc.ngrok.app") -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL, e.g. {example}")
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"{value!r}: a base URL takes no query or fragment")
    return value.rstrip("/")


def _api_url(value: str) -> str:
    return _base_url(value, example="http://127.0.0.1:PORT (what moderator sim prints)")


def _host(value: str) -> str:
    """A name or address this machine can listen on, checked before anything starts or logs."""
    try:
        socket.getaddrinfo(value, None)
    except (socket.gaierror, UnicodeError):
        raise argparse.ArgumentTypeError(f"unknown host {value!r}") from None
    return value


def _public_url(value: str) -> str:
    from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH, VOICE_PATH

    base = _base_url(value)
    for route in (CONFERENCE_EVENTS_PATH, VOICE_PATH):
        if base.endswith(route):
            raise argparse.ArgumentTypeError(
                f"{value!r} ends in the route {route}: give the base URL the tunnel maps to this "
                f"server's root, e.g. {base[: -len(route)] or 'https://abc.ngrok.app'}"
            )
    return base


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{port} is not a port number (0-65535; 0 picks a free one)"
        )
    return port


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if seconds < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return seconds


def _speed(value: str) -> float:
    speed = _seconds(value)
    if speed <= 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return speed


def _latency(value: str) -> tuple[float, float]:
    """`MS` or `MIN-MAX` milliseconds, as (seconds, seconds)."""
    low, sep, high = value.partition("-")
    try:
        bounds = (float(low), float(high) if sep else float(low))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not milliseconds, e.g. 200 or 150-300"
        ) from None
    if not 0 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"{value!r}: need 0 <= MIN <= MAX milliseconds")
    return (bounds[0] / 1000, bounds[1] / 1000)


ENV_PIN = "MODERATOR_PIN"  # the meeting PIN, kept out of `ps` (a --pin argument shows there)


def _pin(value: str) -> str:
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
        return _pin(value)
    except argparse.ArgumentTypeError as exc:
        parser.error(f"{where}: {exc}")


def console_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="moderator",
        description="Moderator console for Twilio conference calls. "
        "Sub-commands: 'moderator report --help', 'moderator sim --help', "
        "'moderator connect-number --help'.",
    )
    parser.add_argument("--version", action="version", version=f"moderator {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against the embedded simulator")
    parser.add_argument(
        "--demo-speed", type=_speed, default=1.0, metavar="X", help="demo time factor"
    )
    parser.add_argument(
        "--demo-latency",
        type=_latency,
        default="150-300",
        metavar="MS",
        help="demo REST answer time, MIN-MAX milliseconds with jitter (default 150-300; 0: none)",
    )
    parser.add_argument(
        "--port", type=_port, help="webhook port (default: the setting, 8080; 0: any free port)"
    )
    parser.add_argument(
        "--host", type=_host, default="127.0.0.1", help="webhook address (default 127.0.0.1)"
    )
    parser.add_argument(
        "--public-url",
        type=_public_url,
        metavar="URL",
        help="public base URL a tunnel maps to this server's root (Twilio signs it)",
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="journal and settings folder")
    parser.add_argument(
        "--twilio-api-url", type=_api_url, metavar="URL", help="send REST calls here (advanced)"
    )
    parser.add_argument(
        "--quit-after", type=_seconds, metavar="SECONDS", help="quit after this long"
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
        type=_pin,
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
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def report_parser() -> argparse.ArgumentParser:
    from moderator.store.report import FORMATS

    parser = _Parser(
        prog="moderator report", description="Attendance and timeline from the journal."
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="the console's data folder")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the journal `moderator --demo` keeps (the demo folder inside the data folder)",
    )
    parser.add_argument("--conference", metavar="SID|NAME", help="only this conference")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )
    return parser


def console_data_dir(data_dir: Path | None, demo: bool) -> Path:
    """The folder the console keeps its journal in: --data-dir, else the default (demo apart)."""
    from moderator.app import default_data_dir

    return data_dir or default_data_dir() / ("demo" if demo else "")


def run_report(argv: Sequence[str]) -> int:
    from moderator.store.journal import Journal, JournalError
    from moderator.store.report import ReportError, build_report, render
    from moderator.store.report_html import html_report

    args = report_parser().parse_args(argv)
    try:
        journal = Journal.in_dir(console_data_dir(args.data_dir, args.demo), create=False)
    except JournalError as exc:
        hint = "" if args.demo else " (the demo keeps its own: moderator report --demo)"
        print(f"moderator report: error: {exc}{hint}", file=sys.stderr)
        return 2
    # on stderr, so that stdout is only the report (clean JSON or CSV for a pipe)
    print(f"moderator report: journal {journal.path}", file=sys.stderr)
    book, problem = _address_book(journal.path.parent)
    if problem:
        print(f"moderator report: {problem}", file=sys.stderr)
    try:
        if args.format == "html":
            text = html_report(journal, args.conference, book.name_of)
        else:
            text = render(build_report(journal, args.conference, book.name_of), args.format)
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
            narrow(args.output, FILE_MODE)  # it names callers
    except ReportError as exc:
        print(f"moderator report: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"moderator report: error: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    finally:
        journal.close()
    return 0


def _address_book(data_dir: Path) -> tuple[AddressBook, str | None]:
    """The console's address book, read only (the report names callers with it)."""
    from moderator.domain.address_book import AddressBook, AddressBookError
    from moderator.store.address_book_file import book_path, read_book

    try:
        return read_book(book_path(data_dir)), None
    except AddressBookError as exc:
        return AddressBook(), f"callers are not named: {exc}"


def run_sim(argv: Sequence[str]) -> int:
    from moderator.sim import cli as sim_cli

    parser = _Parser(prog="moderator sim", description="The embedded Twilio simulator, on its own.")
    sim_cli.add_arguments(parser)
    return sim_cli.run(parser.parse_args(argv))


def connect_number_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="moderator connect-number",
        description="Point a Twilio number's Voice URL at the console ({public}/twilio/voice, "
        "POST), or put back the one it had. The old Voice URL is kept in the journal of the "
        "data folder. Credentials as the console reads them: environment, else settings and "
        "keyring.",
    )
    parser.add_argument("number", metavar="NUMBER", help="the account's number (E.164) or PN SID")
    parser.add_argument(
        "--public-url",
        type=_public_url,
        metavar="URL",
        help="the tunnel's base URL (default: the console's saved public URL)",
    )
    parser.add_argument(
        "--restore", action="store_true", help="put back the Voice URL it had before"
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="the console's data folder")
    parser.add_argument(
        "--twilio-api-url", type=_api_url, metavar="URL", help="send REST calls here (advanced)"
    )
    return parser


def run_connect_number(argv: Sequence[str]) -> int:
    import asyncio

    from moderator import credentials
    from moderator.app import SETTINGS_FILE
    from moderator.setup.connect_command import connect_command
    from moderator.setup.errors import AlreadyRestored, SetupError

    args = connect_number_parser().parse_args(argv)
    # the one-line error says it all: no retry warnings from the HTTP client on stderr
    logging.getLogger().addHandler(logging.NullHandler())
    data_dir = console_data_dir(args.data_dir, demo=False)
    settings = _saved_settings(data_dir / SETTINGS_FILE)
    try:
        asyncio.run(
            connect_command(
                args.number,
                credentials=credentials.load(settings.account_sid, settings.api_key),
                data_dir=data_dir,
                public_url=args.public_url or settings.public_url or None,
                restore=args.restore,
                api_base_url=args.twilio_api_url,
            )
        )
    except AlreadyRestored as exc:  # what the host asked for is already so: not an error
        print(f"moderator connect-number: {exc}")
        return 0
    except SetupError as exc:
        print(f"moderator connect-number: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _saved_settings(path: Path) -> Settings:
    """The console's saved settings (defaults when there is no settings file yet)."""
    from PySide6.QtCore import QSettings

    from moderator.settings import Settings
    from moderator.ui.shell.settings_store import load_settings

    if not path.exists():
        return Settings()
    return load_settings(QSettings(str(path), QSettings.Format.IniFormat))


def _unwritable(folder: Path) -> str | None:
    """Why the console could not keep its journal and settings in `folder` (None: it can)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "report":
        return run_report(args[1:])
    if args and args[0] == "sim":
        return run_sim(args[1:])
    if args and args[0] == "connect-number":
        return run_connect_number(args[1:])
    parser = console_parser()
    options = parser.parse_args(args)

    from moderator.app import ConsoleOptions, run_console
    from moderator.logs import setup_logging
    from moderator.system_libs import display_problem, xcb_problem

    data_dir = console_data_dir(options.data_dir, options.demo)
    pin = start_pin(options, parser, os.environ)
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
    code = run_console(
        ConsoleOptions(
            host=options.host,
            port=options.port,
            public_url=options.public_url,
            data_dir=data_dir,
            twilio_api_url=options.twilio_api_url,
            quit_after=options.quit_after,
            screenshot=options.screenshot,
            verbose=options.verbose,
            demo=options.demo,
            demo_speed=options.demo_speed,
            demo_latency=options.demo_latency,
            setup_assistant=options.setup_assistant,
            pin=pin,
            waiting_room=options.waiting_room,
            locked=options.locked,
            record=options.record,
        )
    )
    return code


def entry() -> None:
    """The `moderator` command: main(), then leave the process.

    Kept apart from main() so that in-process callers (tests) get the status back instead of
    the process ending under them: the built-in tunnel's SDK can crash at interpreter exit,
    so once it was loaded the process leaves by os._exit after everything is closed.
    """
    keep_private()  # every file this process makes is 0600, every folder 0700
    code = main()
    from moderator.setup.ngrok_tunnel import exit_past_sdk_threads

    exit_past_sdk_threads(code)
    raise SystemExit(code)
