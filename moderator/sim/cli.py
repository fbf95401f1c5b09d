"""`moderator sim`: run the Twilio simulator alone until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import signal
import sys
from urllib.parse import urlsplit

from moderator.domain.sids import ACCOUNT, is_sid
from moderator.domain.twilio_words import CONFERENCE_EVENTS_PATH, VOICE_PATH
from moderator.sim.faults import Faults
from moderator.sim.records import LINE_NUMBER, MAX_PARTICIPANTS, Call
from moderator.sim.scenarios import SCENARIOS
from moderator.sim.simulator import Simulator

DEFAULT_SCENARIO = "team-meeting"
EXAMPLE_CALLBACK = f"http://127.0.0.1:8080{CONFERENCE_EVENTS_PATH}"  # the console's, by default
LOOPBACK = ("127.0.0.1", "localhost", "::1")
PROBE_INTERVAL = 0.25  # seconds between checks that the console is up


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `moderator sim`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 = any free)")
    parser.add_argument(
        "--callback-url",
        help=f"the console's statusCallback URL, e.g. {EXAMPLE_CALLBACK}; "
        f"plays --scenario (default {DEFAULT_SCENARIO}) once it answers",
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        help=f"scenario to play (default {DEFAULT_SCENARIO})",
    )
    parser.add_argument("--count", type=int, default=250, help="participants in 'large'")
    parser.add_argument("--speed", type=float, default=1.0, help="time factor (2 = twice as fast)")
    parser.add_argument("--seed", type=int, default=0, help="seed for timings, faults and choices")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"inject a fault; names: {', '.join(n.replace('_', '-') for n in Faults.names())}",
    )
    parser.add_argument(
        "--dial-outcome",
        action="append",
        default=[],
        metavar="NUMBER=OUTCOME",
        help="how dial-outs to NUMBER end: answer, busy, no-answer, failed or canceled",
    )
    parser.add_argument(
        "--voice-url",
        metavar="URL",
        help=f"the Voice URL of the simulated number {LINE_NUMBER}, e.g. "
        f"http://127.0.0.1:8080{VOICE_PATH} (or set it later through the API)",
    )
    parser.add_argument(
        "--call-in",
        action="append",
        default=[],
        metavar="FROM:TO",
        help=f"place an incoming call from FROM to the account's number TO (e.g. "
        f"+13125550101:{LINE_NUMBER}) once TO's Voice URL answers; repeatable",
    )
    parser.add_argument("--account-sid", help="default: $TWILIO_ACCOUNT_SID, else random")
    parser.add_argument("--auth-token", help="default: $TWILIO_AUTH_TOKEN, else random")


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _fail(message: str) -> int:
    print(f"moderator sim: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:  # noqa: C901 - each flag checked in the order --help lists them
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
        return _fail(f"--scenario needs --callback-url (the console's, e.g. {EXAMPLE_CALLBACK})")
    if args.callback_url and not _is_http_url(args.callback_url):
        return _fail(f"--callback-url must be an http(s) URL, got {args.callback_url!r}")
    account_sid = args.account_sid or os.environ.get("TWILIO_ACCOUNT_SID") or None
    if account_sid and not is_sid(account_sid, ACCOUNT):
        return _fail("the account SID must be AC followed by 32 lowercase hexadecimal digits")
    if args.scenario == "large" and not 1 <= args.count <= MAX_PARTICIPANTS:
        return _fail(f"--count must be between 1 and {MAX_PARTICIPANTS}, got {args.count}")
    auth_token = args.auth_token or os.environ.get("TWILIO_AUTH_TOKEN") or None
    # Never print a secret the simulator did not make: say where it came from instead.
    token_source = ""  # "": made up here, safe to show
    if args.auth_token:
        token_source = "given with --auth-token"
    elif auth_token:
        token_source = "taken from $TWILIO_AUTH_TOKEN"
    sim = Simulator(account_sid, auth_token, faults=faults, seed=args.seed, speed=args.speed)
    for item in args.dial_outcome:
        number, sep, outcome = item.partition("=")
        try:
            if not sep:
                raise ValueError(f"--dial-outcome must look like NUMBER=OUTCOME, got {item!r}")
            sim.set_dial_outcome(number.strip(), outcome.strip())
        except ValueError as err:
            return _fail(str(err))
    if args.voice_url:
        if not _is_http_url(args.voice_url):
            return _fail(f"--voice-url must be an http(s) URL, got {args.voice_url!r}")
        sim.set_voice_url(LINE_NUMBER, args.voice_url)
    calls: list[tuple[str, str]] = []
    for item in args.call_in:
        from_, sep, to = item.rpartition(":")
        if not sep or not from_.strip() or not to.strip():
            return _fail(f"--call-in must look like FROM:TO, got {item!r}")
        if sim.number_for(to.strip()) is None:
            owned = ", ".join(sorted(sim.phone_numbers))
            return _fail(f"--call-in: {to.strip()} is not a number of the account ({owned})")
        calls.append((from_.strip(), to.strip()))
    try:
        return asyncio.run(_serve(sim, args, token_source, calls))
    except KeyboardInterrupt:
        return 0


def console_command(sim: Simulator, callback_url: str | None, *, show_token: bool) -> str:
    """The exact `moderator` command that points a console at this simulator.

    The token is spelt out only when the simulator made it up; otherwise the console reads the
    same $TWILIO_AUTH_TOKEN (or the one the user typed), which is never echoed.
    """
    env = [f"TWILIO_ACCOUNT_SID={sim.account_sid}"]
    if show_token:
        env.append(f"TWILIO_AUTH_TOKEN={sim.auth_token}")
    args = ["moderator", "--twilio-api-url", sim.base_url]
    parts = urlsplit(callback_url or EXAMPLE_CALLBACK)
    base_path = parts.path.removesuffix(CONFERENCE_EVENTS_PATH)
    if parts.hostname in LOOPBACK and not base_path:
        args += ["--port", str(parts.port or (443 if parts.scheme == "https" else 80))]
    else:  # a tunnel or proxy in front of the console: it must check signatures against it
        args += ["--public-url", f"{parts.scheme}://{parts.netloc}{base_path}"]
    return " ".join(shlex.quote(word) for word in [*env, *args])


async def _serve(
    sim: Simulator, args: argparse.Namespace, token_source: str, calls: list[tuple[str, str]]
) -> int:
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
        if token_source:
            print(f"  TWILIO_AUTH_TOKEN: {token_source} (not shown)")
        else:
            print(f"  TWILIO_AUTH_TOKEN={sim.auth_token} (made up for this run)")
        print("Run the console against it, in another terminal:")
        print(f"  {console_command(sim, args.callback_url, show_token=not token_source)}")
        if args.callback_url:
            scenario = args.scenario or DEFAULT_SCENARIO
            print(f"Scenario {scenario} starts when {args.callback_url} accepts connections")
            sim.dispatcher.spawn(_play_when_reachable(sim, scenario, args))
        else:
            print(f"No scenario: add --callback-url {EXAMPLE_CALLBACK} to play {DEFAULT_SCENARIO}")
        for number in sim.numbers.values():
            print(f"Phone number {number.phone_number}: Voice URL {number.voice_url or '(none)'}")
        for from_, to in calls:
            sim.dispatcher.spawn(_call_in_when_reachable(sim, from_, to))
        sim.voice.listeners.append(_print_call_line)
        sys.stdout.flush()
        await stop.wait()
        return 0
    finally:
        await sim.stop()


def _print_call_line(call: Call, line: str) -> None:
    """What a caller heard or keyed, or where the call is now (GET /_sim/calls/{sid} has it
    all)."""
    print(f"Call {call.sid} {line}", flush=True)


async def _wait_reachable(url: str) -> None:
    """Until something accepts connections at `url`'s host and port."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    while True:
        try:
            _reader, writer = await asyncio.open_connection(parts.hostname, port)
        except OSError:
            await asyncio.sleep(PROBE_INTERVAL)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


async def _call_in_when_reachable(sim: Simulator, from_: str, to: str) -> None:
    """Wait until `to` has a Voice URL that accepts connections, then place the call."""
    number = sim.number_for(to)
    if number is None:
        return
    while True:
        if number.voice_url:
            break
        await asyncio.sleep(PROBE_INTERVAL)  # e.g. until `moderator connect-number` sets it
    await _wait_reachable(number.voice_url)
    call = sim.place_call(from_, to)
    print(f"Incoming call {call.sid} from {from_} to {to} -> {number.voice_url}", flush=True)


async def _play_when_reachable(sim: Simulator, scenario: str, args: argparse.Namespace) -> None:
    """Wait until the console listens, then play: started first, it would miss the start."""
    await _wait_reachable(args.callback_url)
    options = {"count": args.count} if scenario == "large" else {}
    try:
        task = sim.start_scenario(scenario, args.callback_url, **options)
    except ValueError as err:
        print(f"moderator sim: error: {err}", file=sys.stderr, flush=True)
        return
    print(f"Playing scenario {scenario} at speed {args.speed:g}", flush=True)
    task.add_done_callback(_report)


def _report(task: asyncio.Task[str]) -> None:
    if task.cancelled():
        return
    err = task.exception()
    if err is not None:
        print(f"scenario failed: {err}", file=sys.stderr)
    else:
        print(f"scenario finished (conference {task.result()})", flush=True)
