"""`moderator sim`: the embedded Twilio simulator on its own (its arguments live in sim/cli.py)."""

from __future__ import annotations

from collections.abc import Sequence

from moderator.commands.arguments import Parser


def run(argv: Sequence[str]) -> int:
    from moderator.sim import cli as sim_cli

    parser = Parser(prog="moderator sim", description="The embedded Twilio simulator, on its own.")
    sim_cli.add_arguments(parser)
    return sim_cli.run(parser.parse_args(argv))
