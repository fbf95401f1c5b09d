"""The environment for a child `moderator` process: offscreen, its own user folders, no keyring."""

from __future__ import annotations

import os
from pathlib import Path


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment minus TWILIO_*, with Qt offscreen, the XDG folders (data,
    settings, logs, cache) under `home` and the null keyring, so a child never touches the
    user's files or secrets; `extra` is added last."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(home / "xdg-data"),
        XDG_CONFIG_HOME=str(home / "xdg-config"),
        XDG_STATE_HOME=str(home / "xdg-state"),
        XDG_CACHE_HOME=str(home / "xdg-cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    env.update(extra)
    return env
