"""The built-in tunnel: ngrok's official Python agent SDK (the optional `tunnel` extra).

The SDK is imported only when a tunnel is started, so the console runs without it; tests pass
a stand-in module with the same async builder API (`SessionBuilder().authtoken(t).connect()`,
`session.http_endpoint().listen_and_forward(url)`, `listener.url()`, `close()`).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from types import ModuleType
from typing import Any

from moderator.setup.errors import SetupError

log = logging.getLogger(__name__)

EXTRA_HINT = "pip install 'twilio-moderator[tunnel]'"
AUTHTOKEN_ENTRY = "ngrok-authtoken"  # keyring entry (same service as the Twilio secrets)


def load_sdk() -> ModuleType:
    """The `ngrok` module, or SetupError naming the extra that provides it."""
    try:
        return importlib.import_module("ngrok")
    except ImportError:
        raise SetupError(f"the built-in tunnel needs the ngrok agent SDK: {EXTRA_HINT}") from None


def sdk_available() -> bool:
    try:
        load_sdk()
    except SetupError:
        return False
    return True


class NgrokTunnel:
    """One ngrok session with one https endpoint forwarding to the console's local port."""

    def __init__(self, sdk: ModuleType | None = None, *, server_addr: str | None = None) -> None:
        """`server_addr`: ngrok's ingress (host:port) when not the default one."""
        self._sdk = sdk
        self._server_addr = server_addr
        self._session: Any = None
        self._listener: Any = None
        self.url: str | None = None

    async def start(self, local_port: int, authtoken: str) -> str:
        """Open the tunnel to 127.0.0.1:`local_port` and return its public https URL."""
        if not authtoken:
            raise SetupError(
                "no ngrok authtoken: copy it from dashboard.ngrok.com (Your Authtoken)"
            )
        sdk = self._sdk or load_sdk()
        try:
            builder = sdk.SessionBuilder().authtoken(authtoken)
            if self._server_addr:
                builder = builder.server_addr(self._server_addr)
            self._session = await builder.connect()
            self._listener = await self._session.http_endpoint().listen_and_forward(
                f"http://127.0.0.1:{local_port}"
            )
            url = str(self._listener.url())
        except Exception as exc:
            await self.stop()
            # The SDK's messages name the problem (bad authtoken, no network); never the token.
            # The SDK raises ValueError(what, why): "failed to connect session: <why>".
            words = exc.args if all(isinstance(a, str) for a in exc.args) else (str(exc),)
            text = ": ".join(str(w) for w in words if w).replace(authtoken, "***")
            reason = text.splitlines()[0][:200] if text else ""
            raise SetupError(
                f"ngrok could not open a tunnel: {reason or type(exc).__name__}"
            ) from None
        self.url = url.rstrip("/")
        log.info("ngrok tunnel %s → 127.0.0.1:%d", self.url, local_port)
        return self.url

    async def stop(self) -> None:
        """Close the endpoint and the session (idempotent; errors are logged, not raised)."""
        listener, self._listener = self._listener, None
        session, self._session = self._session, None
        for part in (listener, session):
            if part is None:
                continue
            try:
                await part.close()
            except Exception as exc:
                log.warning("closing the ngrok tunnel: %s", type(exc).__name__)
        if self.url:
            log.info("ngrok tunnel %s closed", self.url)
        self.url = None


def exit_past_sdk_threads(code: int) -> None:
    """Leave the process now when the SDK was loaded; return otherwise.

    The SDK's native runtime threads can crash while the interpreter finalizes ("PyGILState_
    Release ... finalizing", SIGSEGV), which would turn a clean exit 0 into 139. Everything is
    closed by then (the tunnel too), so flushing and leaving skips only that crash.
    """
    if not isinstance(sys.modules.get("ngrok"), ModuleType):
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe
            stream.flush()
    os._exit(code)
