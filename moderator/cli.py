"""Command line: `moderator` (the console), `moderator report`, `moderator sim`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from moderator import __version__


def _public_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an http(s) URL, e.g. https://abc.ngrok.app"
        )
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(
            f"{value!r}: the public base URL takes no query or fragment"
        )
    return value.rstrip("/")


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


def console_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moderator",
        description="Moderator console for Twilio conference calls. "
        "Sub-commands: 'moderator report --help', 'moderator sim --help'.",
    )
    parser.add_argument("--version", action="version", version=f"moderator {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against the embedded simulator")
    parser.add_argument(
        "--demo-speed", type=_speed, default=1.0, metavar="X", help="demo time factor"
    )
    parser.add_argument(
        "--port", type=_port, help="webhook port (default: the setting, 8080; 0: any free port)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="webhook address (default 127.0.0.1)")
    parser.add_argument(
        "--public-url",
        type=_public_url,
        metavar="URL",
        help="public base URL a tunnel maps to this server's root (Twilio signs it)",
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="journal and settings folder")
    parser.add_argument(
        "--twilio-api-url", type=_public_url, metavar="URL", help="send REST calls here (advanced)"
    )
    parser.add_argument(
        "--quit-after", type=_seconds, metavar="SECONDS", help="quit after this long"
    )
    parser.add_argument(
        "--screenshot", type=Path, metavar="PNG", help="save the window before quitting"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def report_parser() -> argparse.ArgumentParser:
    from moderator.store.report import FORMATS

    parser = argparse.ArgumentParser(
        prog="moderator report", description="Attendance and timeline from the journal."
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="the console's data folder")
    parser.add_argument("--conference", metavar="SID|NAME", help="only this conference")
    parser.add_argument("--format", choices=FORMATS, default="text")
    return parser


def run_report(argv: Sequence[str]) -> int:
    from moderator.app import default_data_dir
    from moderator.store.journal import Journal, JournalError
    from moderator.store.report import ReportError, build_report, render

    args = report_parser().parse_args(argv)
    try:
        journal = Journal.in_dir(args.data_dir or default_data_dir(), create=False)
    except JournalError as exc:
        print(f"moderator report: error: {exc}", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(render(build_report(journal, args.conference), args.format))
    except ReportError as exc:
        print(f"moderator report: error: {exc}", file=sys.stderr)
        return 2
    finally:
        journal.close()
    return 0


def run_sim(argv: Sequence[str]) -> int:
    from moderator.sim import cli as sim_cli

    parser = argparse.ArgumentParser(
        prog="moderator sim", description="The embedded Twilio simulator, on its own."
    )
    sim_cli.add_arguments(parser)
    return sim_cli.run(parser.parse_args(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "report":
        return run_report(args[1:])
    if args and args[0] == "sim":
        return run_sim(args[1:])
    options = console_parser().parse_args(args)

    from moderator.app import ConsoleOptions, default_data_dir, run_console
    from moderator.logs import setup_logging

    setup_logging(options.verbose)
    return run_console(
        ConsoleOptions(
            host=options.host,
            port=options.port,
            public_url=options.public_url,
            data_dir=options.data_dir or default_data_dir() / ("demo" if options.demo else ""),
            twilio_api_url=options.twilio_api_url,
            quit_after=options.quit_after,
            screenshot=options.screenshot,
            verbose=options.verbose,
            demo=options.demo,
            demo_speed=options.demo_speed,
        )
    )
