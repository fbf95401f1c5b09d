"""No test reaches a host but this machine: the guard in this process, in children, and the
unreachable REST address every console started by a test gets."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.child_env import UNREACHABLE_API_URL, console_args, isolated_env
from tests.loopback_guard import OffLoopbackError, OffLoopbackLookupError, is_loopback

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize("host", ["api.twilio.com", "192.0.2.1", "2001:db8::1"])
def test_this_process_cannot_reach_another_host(host: str) -> None:
    with pytest.raises(OffLoopbackLookupError, match="tests may not reach"):
        socket.getaddrinfo(host, 443)
    with pytest.raises(socket.gaierror):  # what a lookup fails with on a machine offline
        socket.create_connection((host, 443), timeout=1)
    with socket.socket() as sock, pytest.raises(OffLoopbackError):
        sock.connect(("192.0.2.1", 443))  # a socket connected without a lookup


def test_the_twilio_sdks_http_stack_is_refused_too() -> None:
    with pytest.raises(requests.ConnectionError, match="tests may not reach"):
        requests.get("https://api.twilio.com/2010-04-01/Accounts.json", timeout=2)


def test_loopback_still_works() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("localhost", port), timeout=5):
            pass
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", None))
    assert not any(is_loopback(h) for h in ("api.twilio.com", "10.0.0.1", "example.com"))


def test_a_child_python_cannot_reach_another_host(tmp_path: Path) -> None:
    probe = "import socket; socket.getaddrinfo('api.twilio.com', 443)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,  # not the checkout: the guard comes from the environment alone
        env=isolated_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "tests may not reach 'api.twilio.com'" in result.stderr


def test_a_console_without_an_api_url_gets_an_unreachable_loopback_one() -> None:
    assert console_args(["--port", "0"]) == ["--port", "0", "--twilio-api-url", UNREACHABLE_API_URL]
    given = ["--twilio-api-url", "http://127.0.0.1:5000"]
    assert console_args(given) == given
    assert console_args(["--twilio-api-url=http://127.0.0.1:5000"]) == [
        "--twilio-api-url=http://127.0.0.1:5000"
    ]
    number = ["connect-number", "+12025550199"]
    assert console_args(number) == [*number, "--twilio-api-url", UNREACHABLE_API_URL]
    for args in (["--demo"], ["report"], ["sim", "--port", "0"], ["--version"], ["--help"]):
        assert console_args(args) == args
