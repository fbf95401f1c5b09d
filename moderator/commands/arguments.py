"""What the sub-commands share: the parser's rule for a usage mistake, the argument types
(URLs, ports, seconds), and where the console keeps its data."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar
from urllib.parse import urlsplit

_N = TypeVar("_N", int, float)


class Parser(argparse.ArgumentParser):
    """argparse with the project's rule for a usage mistake: one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def base_url(value: str, example: str = "https://abc.ngrok.app") -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL, e.g. {example}")
    if parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"{value!r}: a base URL takes no query or fragment")
    return value.rstrip("/")


def api_url(value: str) -> str:
    return base_url(value, example="http://127.0.0.1:PORT (what moderator sim prints)")


def add_twilio_api_url(parser: argparse.ArgumentParser) -> None:
    """--twilio-api-url: the console's and connect-number's way to a simulator."""
    parser.add_argument(
        "--twilio-api-url", type=api_url, metavar="URL", help="send REST calls here (advanced)"
    )


def host(value: str) -> str:
    """A name or address this machine can listen on, checked before anything starts or logs."""
    try:
        socket.getaddrinfo(value, None)
    except (socket.gaierror, UnicodeError):
        raise argparse.ArgumentTypeError(f"unknown host {value!r}") from None
    return value


def public_url(value: str) -> str:
    from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH, VOICE_PATH

    base = base_url(value)
    for route in (CONFERENCE_EVENTS_PATH, VOICE_PATH):
        if base.endswith(route):
            raise argparse.ArgumentTypeError(
                f"{value!r} ends in the route {route}: give the base URL the tunnel maps to this "
                f"server's root, e.g. {base[: -len(route)] or 'https://abc.ngrok.app'}"
            )
    return base


def _number(value: str, kind: Callable[[str], _N], what: str) -> _N:
    """`value` read as `kind`; the one-line mistake names `what` it should have been."""
    try:
        return kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not {what}") from None


def port(value: str) -> int:
    number = _number(value, int, "a port number")
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"{number} is not a port number (0-65535; 0 picks a free one)"
        )
    return number


def seconds(value: str) -> float:
    number = _number(value, float, "a number of seconds")
    if number < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return number


def speed(value: str) -> float:
    speed = seconds(value)
    if speed <= 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return speed


def latency(value: str) -> tuple[float, float]:
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


def console_data_dir(data_dir: Path | None, demo: bool) -> Path:
    """The folder the console keeps its journal in: --data-dir, else the default (demo apart)."""
    from moderator.private import default_data_dir

    return data_dir or default_data_dir() / ("demo" if demo else "")
