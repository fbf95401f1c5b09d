"""The environment for a child `moderator` process: offscreen, its own user folders, no keyring,
and no host but this machine."""

from __future__ import annotations

import os
from pathlib import Path

# Holds a sitecustomize.py that installs tests/loopback_guard.py in every Python child.
LOOPBACK_ONLY = Path(__file__).resolve().parent / "loopback_only"
# Where a console started by a test sends REST calls unless the test names the simulator:
# loopback port 9 (discard), which refuses, so a forgotten --twilio-api-url is never Twilio.
UNREACHABLE_API_URL = "http://127.0.0.1:9"


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment minus TWILIO_*, with Qt offscreen, the XDG folders (data,
    settings, logs, cache) under `home`, the null keyring and the loopback guard on
    PYTHONPATH, so a child never touches the user's files or secrets nor any other machine;
    `extra` is added last."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(home / "xdg-data"),
        XDG_CONFIG_HOME=str(home / "xdg-config"),
        XDG_STATE_HOME=str(home / "xdg-state"),
        XDG_CACHE_HOME=str(home / "xdg-cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONPATH=os.pathsep.join(p for p in (str(LOOPBACK_ONLY), env.get("PYTHONPATH")) if p),
    )
    env.update(extra)
    return env


def console_args(args: list[str] | tuple[str, ...]) -> list[str]:
    """`args` for `moderator`, with `--twilio-api-url` pointing at an unreachable loopback port
    when they start something that could call Twilio (the console but not the demo, or
    connect-number) and the test gave none."""
    args = list(args)
    if args and args[0] in ("report", "sim"):
        return args
    if any(a in ("--demo", "--help", "-h", "--version") for a in args):
        return args
    if any(a == "--twilio-api-url" or a.startswith("--twilio-api-url=") for a in args):
        return args
    return [*args, "--twilio-api-url", UNREACHABLE_API_URL]
