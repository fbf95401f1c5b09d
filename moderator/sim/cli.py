"""`moderator sim`: run the Twilio simulator alone until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys

from moderator.domain.sids import ACCOUNT, is_sid
from moderator.sim.faults import Faults
from moderator.sim.scenarios import SCENARIOS
from moderator.sim.simulator import Simulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `moderator sim`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 = any free)")
    parser.add_argument("--callback-url", help="conference statusCallback URL for scenarios")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="scenario to play")
    parser.add_argument("--count", type=int, default=250, help="participants in 'large'")
    parser.add_argument("--speed", type=float, default=1.0, help="time factor (2 = twice as fast)")
    parser.add_argument("--seed", type=int, default=0, help="seed for faults and scenarios")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"inject a fault; names: {', '.join(n.replace('_', '-') for n in Faults.names())}",
    )
    parser.add_argument("--account-sid", help="default: $TWILIO_ACCOUNT_SID, else random")
    parser.add_argument("--auth-token", help="default: $TWILIO_AUTH_TOKEN, else random")


def _fail(message: str) -> int:
    print(f"moderator sim: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Run the simulator on its own event loop; 0 on Ctrl-C/SIGTERM, 2 on bad usage."""
    try:
        faults = Faults.parse(args.fault or [])
    except ValueError as err:
        return _fail(str(err))
    if args.speed <= 0:
        return _fail(f"--speed must be > 0, got {args.speed}")
    if not 0 <= args.port <= 65535:
        return _fail(f"--port must be 0..65535, got {args.port}")
    if args.scenario and not args.callback_url:
        return _fail("--scenario needs --callback-url")
    if args.callback_url and not args.callback_url.startswith(("http://", "https://")):
        return _fail(f"--callback-url must be an http(s) URL, got {args.callback_url!r}")
    account_sid = args.account_sid or os.environ.get("TWILIO_ACCOUNT_SID") or None
    auth_token = args.auth_token or os.environ.get("TWILIO_AUTH_TOKEN") or None
    if account_sid and not is_sid(account_sid, ACCOUNT):
        return _fail("the account SID must be AC followed by 32 lowercase hex digits")
    sim = Simulator(account_sid, auth_token, faults=faults, seed=args.seed, speed=args.speed)
    try:
        return asyncio.run(_serve(sim, args))
    except KeyboardInterrupt:
        return 0


async def _serve(sim: Simulator, args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        try:
            base_url = await sim.start(args.host, args.port)
        except OSError as err:
            return _fail(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}")
        print(f"Twilio simulator listening on {base_url}")
        print(f"  TWILIO_ACCOUNT_SID={sim.account_sid}")
        print(f"  TWILIO_AUTH_TOKEN={sim.auth_token}")
        print(f"  point the console at it with --twilio-api-url {base_url}")
        if args.scenario:
            options = {"count": args.count} if args.scenario == "large" else {}
            try:
                task = sim.start_scenario(args.scenario, args.callback_url, **options)
            except ValueError as err:
                return _fail(str(err))
            task.add_done_callback(lambda t: _report(t))
            print(f"  playing scenario {args.scenario} at speed {args.speed:g}")
        sys.stdout.flush()
        await stop.wait()
        return 0
    finally:
        await sim.stop()


def _report(task: asyncio.Task[str]) -> None:
    if task.cancelled():
        return
    err = task.exception()
    if err is not None:
        print(f"scenario failed: {err}", file=sys.stderr)
    else:
        print(f"scenario finished (conference {task.result()})", flush=True)
