"""SignatureCheck accepts exactly what twilio's RequestValidator.validate accepts, cheaper."""

from __future__ import annotations

import itertools

import pytest
from multidict import MultiDict
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, RequestValidator

from moderator.server.signature import SETTINGS_HEADER, SIGNATURE_HEADER, SignatureCheck
from tests.forms import team_meeting

TOKEN = "test-auth-token-0123456789abcdef"
PATH = "/twilio/conference-events"
URLS = [
    "http://127.0.0.1:8080" + PATH,
    "http://127.0.0.1" + PATH,
    "http://127.0.0.1:80" + PATH,
    "https://moderator.example.ngrok.app/console" + PATH,
    "https://moderator.example.ngrok.app:443/console" + PATH,
    "https://moderator.example.ngrok.app:8443" + PATH + "?id=7&x=a+b",
]


def _headers(signature: str, algorithm: str) -> dict[str, str]:
    headers = {SIGNATURE_HEADER: signature}
    if algorithm != HMAC_SHA1:
        headers[SETTINGS_HEADER] = f"key=webhooks_sharedkey_1,algorithm={algorithm}"
    return headers


@pytest.mark.parametrize("algorithm", [HMAC_SHA1, HMAC_SHA256])
def test_the_check_accepts_what_request_validator_accepts(algorithm: str) -> None:
    """Every pair (URL checked, URL signed) of the URLs above, both algorithms, and a signature
    made with another token: the check and RequestValidator.validate agree every time (the
    check computes the port's other form only when the URL as given does not match)."""
    params = MultiDict(team_meeting()[0])
    check = SignatureCheck(lambda: TOKEN)
    twilio = RequestValidator(TOKEN)
    accepted = 0
    for checked, signed in itertools.product(URLS, URLS):
        for token in (TOKEN, "another-token"):
            signature = RequestValidator(token).compute_signature(signed, params, algorithm)
            expected = twilio.validate(checked, params, signature, algorithm=algorithm)
            problem = check.problem(checked, params, _headers(signature, algorithm))
            assert (problem is None) == expected, (checked, signed, token)
            accepted += expected
    # a URL signed with and without its default port is accepted either way
    assert accepted > len(URLS)


@pytest.mark.parametrize(
    ("checked", "signed"),
    [
        ("http://127.0.0.1:8080" + PATH, "http://127.0.0.1" + PATH),
        (
            "https://moderator.example.ngrok.app" + PATH,
            "https://moderator.example.ngrok.app:443" + PATH,
        ),
    ],
)
def test_a_signature_of_the_url_with_or_without_its_port_is_accepted(
    checked: str, signed: str
) -> None:
    params = team_meeting()[0]
    signature = RequestValidator(TOKEN).compute_signature(signed, params)
    assert (
        SignatureCheck(lambda: TOKEN).problem(checked, params, _headers(signature, HMAC_SHA1))
        is None
    )


def test_a_callback_signed_as_twilio_signs_costs_one_hmac(monkeypatch: pytest.MonkeyPatch) -> None:
    """RequestValidator.validate computes two HMACs on every request (with and without the
    port); the check computes the second only after the first does not match."""
    computed: list[str] = []
    compute = RequestValidator.compute_signature

    def counted(self: RequestValidator, uri: str, *args: object, **kw: object) -> str:
        computed.append(uri)
        return compute(self, uri, *args, **kw)  # type: ignore[arg-type]

    params = team_meeting()[0]
    url = "http://127.0.0.1:8080" + PATH
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    monkeypatch.setattr(RequestValidator, "compute_signature", counted)
    check = SignatureCheck(lambda: TOKEN)
    assert check.problem(url, params, _headers(signature, HMAC_SHA1)) is None
    assert computed == [url]
    computed.clear()
    without_port = RequestValidator(TOKEN).compute_signature("http://127.0.0.1" + PATH, params)
    computed.clear()
    assert check.problem(url, params, _headers(without_port, HMAC_SHA1)) is None
    assert computed == [url, "http://127.0.0.1" + PATH]


def test_the_received_url_is_built_only_after_a_mismatch() -> None:
    params = team_meeting()[0]
    url = "https://moderator.example.ngrok.app" + PATH
    asked: list[int] = []

    def received() -> str:
        asked.append(1)
        return "http://127.0.0.1:8080" + PATH

    check = SignatureCheck(lambda: TOKEN)
    good = RequestValidator(TOKEN).compute_signature(url, params)
    assert check.problem(url, params, _headers(good, HMAC_SHA1), received) is None
    assert asked == []
    signed_locally = RequestValidator(TOKEN).compute_signature(received(), params)
    asked.clear()
    problem = check.problem(url, params, _headers(signed_locally, HMAC_SHA1), received)
    assert problem is not None and "another host" in problem
    assert asked == [1]


def test_a_new_token_takes_effect_at_once() -> None:
    tokens = ["first-token"]
    check = SignatureCheck(lambda: tokens[0])
    url = "http://127.0.0.1:8080" + PATH
    params = team_meeting()[0]
    first = RequestValidator("first-token").compute_signature(url, params)
    assert check.problem(url, params, _headers(first, HMAC_SHA1)) is None
    tokens[0] = "second-token"
    assert check.problem(url, params, _headers(first, HMAC_SHA1)) is not None
    second = RequestValidator("second-token").compute_signature(url, params)
    assert check.problem(url, params, _headers(second, HMAC_SHA1)) is None
