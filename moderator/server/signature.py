"""X-Twilio-Signature checks against the URL Twilio called (the public URL, behind a tunnel)."""

from __future__ import annotations

import binascii
import hmac
from collections.abc import Callable, Mapping
from functools import lru_cache
from urllib.parse import urlparse, urlsplit, urlunsplit

from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)

from moderator.dispatch import Signal

SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
# The digest's length for each algorithm Twilio signs with (the Auth Token's HMAC-SHA1 unless
# the settings header names another): a signature of any other shape cannot be Twilio's.
DIGEST_BYTES = {HMAC_SHA1: 20, HMAC_SHA256: 32}


def shape_problem(headers: Mapping[str, str]) -> str | None:
    """Why the signature header cannot be Twilio's, judged from the headers alone (None: it
    may be). Checked before a body is read, so a client without a plausible signature costs
    no wait for its body."""
    signature = headers.get(SIGNATURE_HEADER)
    if not signature:
        return f"missing {SIGNATURE_HEADER} header"
    algorithm = get_signature_algorithm(headers.get(SETTINGS_HEADER)).upper()
    size = DIGEST_BYTES.get(algorithm)
    if size is None:
        return "unknown signature algorithm"
    if len(signature) != 4 * ((size + 2) // 3):
        return f"{SIGNATURE_HEADER} is not a signature (wrong length)"
    try:
        digest = binascii.a2b_base64(signature, strict_mode=True)
    except binascii.Error:
        return f"{SIGNATURE_HEADER} is not a signature (not base64)"
    if len(digest) != size:
        return f"{SIGNATURE_HEADER} is not a signature (wrong length)"
    return None


class SignatureCheck:
    """Validates callbacks with twilio's RequestValidator and the current auth token.

    `token` is asked for on every check so a token entered in the settings takes effect at once.
    `public_url` is the base URL Twilio uses for this server's root (a tunnel or proxy, possibly
    with a path prefix); without it the URL of the request as received is used.
    """

    def __init__(self, token: Callable[[], str | None], public_url: str | None = None) -> None:
        self._token = token
        self.public_url = public_url.rstrip("/") if public_url else None
        # Evidence that Twilio calls another form of the public URL: a signature that does not
        # match the public URL but does match another form of it (scheme, host, port, path
        # prefix). Listeners hear (which form, the URL Twilio signed); a URL is only told once
        # a signature made with the auth token proves Twilio signed it, so no stranger's URL
        # is ever shown, and unsigned or wrongly signed requests raise nothing.
        self.evidence: tuple[str, str] | None = None
        self.mismatched: Signal[[str, str]] = Signal("signature.mismatched")
        self._validator: tuple[str, RequestValidator] | None = None  # for the token last seen

    def signed_url(self, local_url: str | Callable[[], str], path_qs: str) -> str:
        """The URL Twilio signed for a request that reached us as `local_url` (a callable is
        asked only when there is no public URL)."""
        if self.public_url:
            return self.public_url + path_qs
        return local_url() if callable(local_url) else local_url

    def problem(
        self,
        url: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        received_url: str | Callable[[], str] | None = None,
    ) -> str | None:
        """None when the request is signed correctly, else why not (safe to log).

        `received_url` is the URL as this server received it (its Host header), one of the
        forms tried when the signature does not match `url`; a callable is asked for it only
        then (building a request's URL costs on every callback).
        """
        token = self._token()
        if not token:
            return "no auth token is configured, so callbacks cannot be verified"
        signature = headers.get(SIGNATURE_HEADER)
        if not signature:
            return f"missing {SIGNATURE_HEADER} header"
        algorithm = get_signature_algorithm(headers.get(SETTINGS_HEADER))
        if algorithm.upper() not in DIGEST_BYTES:
            return "unknown signature algorithm"
        validator = self._validator_for(token)
        if _signed(validator, url, params, signature, algorithm):
            return None
        received = received_url() if callable(received_url) else received_url
        for what, other in _other_forms(url, received):
            if _signed(validator, other, params, signature, algorithm):
                self.evidence = (what, other)
                self.mismatched.emit(what, other)
                return f"{SIGNATURE_HEADER} matches {other}, not {url} ({what}): fix the public URL"
        return f"{SIGNATURE_HEADER} does not match {url} (check --public-url and the auth token)"

    def _validator_for(self, token: str) -> RequestValidator:
        """One validator per token (it keeps the token encoded), made again when it changes."""
        if self._validator is None or self._validator[0] != token:
            self._validator = (token, RequestValidator(token))
        return self._validator[1]


def _signed(
    validator: RequestValidator,
    url: str,
    params: Mapping[str, str],
    signature: str,
    algorithm: str,
) -> bool:
    """RequestValidator.validate's answer for a form's parameters, with one HMAC where it takes
    two: validate accepts a signature of the URL with or without its port (Twilio's signing is
    inconsistent there) and computes both every time. Twilio signs the URL it was given, which
    is the URL as given here, so the other form is computed only when that one does not match.
    The comparison is hmac.compare_digest's (constant time, as twilio's compare, in C).
    """
    given, other = _port_forms(url)
    expected = signature.encode("utf-8", "surrogatepass")  # any header value, never an error
    if hmac.compare_digest(
        validator.compute_signature(given, params, algorithm).encode(), expected
    ):
        return True
    return other != given and hmac.compare_digest(
        validator.compute_signature(other, params, algorithm).encode(), expected
    )


@lru_cache(maxsize=64)
def _port_forms(url: str) -> tuple[str, str]:
    """`url` as RequestValidator.validate rebuilds it, then its form with the port added or
    removed (cached: every callback of a route is checked against the same URL). ValueError
    for a port out of range, as validate raises."""
    parsed = urlparse(url)
    if parsed.port:
        return add_port(parsed), remove_port(parsed)
    return remove_port(parsed), add_port(parsed)


def _other_forms(url: str, received_url: str | None) -> list[tuple[str, str]]:
    """Other URLs Twilio may have been given for this request, each with how it differs."""
    parts = urlsplit(url)
    forms: list[tuple[str, str]] = []
    other_scheme = {"http": "https", "https": "http"}.get(parts.scheme)
    if other_scheme:
        forms.append(
            (
                f"Twilio calls {other_scheme}, not {parts.scheme}",
                urlunsplit(parts._replace(scheme=other_scheme)),
            )
        )
    if received_url:
        received = urlsplit(received_url)
        if received.hostname != parts.hostname:
            forms.append(("another host: the URL as this server received it", received_url))
        elif received.port != parts.port:
            forms.append(("another port", urlunsplit(parts._replace(netloc=received.netloc))))
        if received.path != parts.path and parts.path.endswith(received.path):
            prefix = parts.path[: -len(received.path)]
            without = urlunsplit(parts._replace(path=received.path))
            forms.append((f"without the path prefix {prefix}", without))
    return [(what, other) for what, other in forms if other != url]
