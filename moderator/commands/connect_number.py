"""`moderator connect-number`: point a Twilio number at the console, or put back what it had."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from moderator.commands import arguments
from moderator.commands.arguments import Parser, console_data_dir


def parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="moderator connect-number",
        description="Point a Twilio number's Voice URL at the console ({public}/twilio/voice, "
        "POST) and its call StatusCallback at {public}/twilio/call-status, or put back the ones "
        "it had. The old ones are kept in the journal of the data folder. Credentials as the "
        "console reads them: environment, else settings and keyring.",
    )
    parser.add_argument("number", metavar="NUMBER", help="the account's number (E.164) or PN SID")
    parser.add_argument(
        "--public-url",
        type=arguments.public_url,
        metavar="URL",
        help="the tunnel's base URL (default: the console's saved public URL)",
    )
    parser.add_argument(
        "--restore",
        action="store_true",
        help="put back the Voice URL (and call StatusCallback) it had before",
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="the console's data folder")
    arguments.add_twilio_api_url(parser)
    return parser


def run(argv: Sequence[str]) -> int:
    import asyncio

    from moderator import credentials
    from moderator.settings_flow import saved_settings
    from moderator.setup.connect_command import connect_command
    from moderator.setup.errors import AlreadyRestored, SetupError

    args = parser().parse_args(argv)
    # the one-line error says it all: no retry warnings from the HTTP client on stderr
    logging.getLogger().addHandler(logging.NullHandler())
    data_dir = console_data_dir(args.data_dir, demo=False)
    settings = saved_settings(data_dir)
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
