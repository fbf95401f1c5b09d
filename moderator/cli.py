"""Command line: `moderator` (the console), `moderator report`, `moderator sim`,
`moderator connect-number`; each sub-command is a module of moderator/commands/."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from moderator.private import keep_private


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sub-command `argv` names (none: the console); its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "report":
        from moderator.commands import report

        return report.run(args[1:])
    if args and args[0] == "sim":
        from moderator.commands import sim

        return sim.run(args[1:])
    if args and args[0] == "connect-number":
        from moderator.commands import connect_number

        return connect_number.run(args[1:])
    from moderator.commands import console

    return console.run(args)


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
