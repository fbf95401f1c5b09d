"""Tests never reach past this machine: name lookups and connections to any host but loopback fail.

`install()` wraps `socket.getaddrinfo` and the socket connect/send calls (what aiohttp,
requests, the twilio SDK and asyncio all go through) so that a console or SDK that was not
pointed at the simulator fails at once with `OffLoopbackError` instead of calling
api.twilio.com. The test process installs it in tests/conftest.py; a child `moderator` gets it
from tests/loopback_only/sitecustomize.py, which tests/child_env.py puts on PYTHONPATH. Only the
standard library is used here: a child loads this file before anything else is importable.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

MARK = "_loopback_guard"


class OffLoopbackError(ConnectionRefusedError):
    """A test tried to connect to a host that is not this machine."""


class OffLoopbackLookupError(socket.gaierror):
    """A test tried to look up a host that is not this machine: the error a lookup gives on a
    machine without a network, so the code under test takes its real "unknown host" path."""


def is_loopback(host: object) -> bool:
    """True for localhost, a loopback or unspecified address, and non-IP (Unix socket) targets."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return True
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # a name other than localhost: resolving it is already traffic
    return address.is_loopback or address.is_unspecified


def _host_of(address: object) -> object:
    return address[0] if isinstance(address, tuple) else None  # str/bytes: a Unix socket path


def _refuse(host: object) -> OffLoopbackError:
    return OffLoopbackError(
        f"tests may not reach {host!r}: only loopback (see tests/loopback_guard.py)"
    )


def install() -> None:
    """Refuse every lookup of and connection to a non-loopback host in this process (idempotent)."""
    if getattr(socket, MARK, False):
        return
    original_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(host):
            raise OffLoopbackLookupError(socket.EAI_NONAME, _refuse(host).args[0])
        return original_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    for name in ("connect", "connect_ex"):
        original = getattr(socket.socket, name)

        def checked(self: socket.socket, address: Any, _original: Any = original) -> Any:
            if not is_loopback(_host_of(address)):
                raise _refuse(_host_of(address))
            return _original(self, address)

        setattr(socket.socket, name, checked)
    original_sendto = socket.socket.sendto

    def sendto(self: socket.socket, data: Any, *args: Any) -> Any:
        if not is_loopback(_host_of(args[-1])):
            raise _refuse(_host_of(args[-1]))
        return original_sendto(self, data, *args)

    socket.socket.sendto = sendto  # type: ignore[method-assign,assignment]
    setattr(socket, MARK, True)
