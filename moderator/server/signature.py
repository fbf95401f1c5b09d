"""X-Twilio-Signature checks against the URL Twilio called (the public URL, behind a tunnel)."""

from __future__ import annotations

import binascii
from collections.abc import Callable, Mapping

from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    RequestValidator,
    get_signature_algorithm,
)

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
        # Signatures that did not match, in a row (a good one resets it), and the URL they were
        # checked against: a run of them usually means the public URL is not the one Twilio
        # calls. Listeners hear (run, url) after each mismatch; neither holds a secret.
        self.mismatch_run = 0
        self.last_mismatch_url: str | None = None
        self.mismatch_listeners: list[Callable[[int, str], None]] = []

    def signed_url(self, local_url: str, path_qs: str) -> str:
        """The URL Twilio signed for a request that reached us as `local_url`."""
        return self.public_url + path_qs if self.public_url else local_url

    def problem(
        self, url: str, params: Mapping[str, str], headers: Mapping[str, str]
    ) -> str | None:
        """None when the request is signed correctly, else why not (safe to log)."""
        token = self._token()
        if not token:
            return "no auth token is configured, so callbacks cannot be verified"
        signature = headers.get(SIGNATURE_HEADER)
        if not signature:
            return f"missing {SIGNATURE_HEADER} header"
        algorithm = get_signature_algorithm(headers.get(SETTINGS_HEADER))
        if not RequestValidator(token).validate(url, params, signature, algorithm=algorithm):
            self.mismatch_run += 1
            self.last_mismatch_url = url
            for listener in self.mismatch_listeners:
                listener(self.mismatch_run, url)
            return (
                f"{SIGNATURE_HEADER} does not match {url} (check --public-url and the auth token)"
            )
        self.mismatch_run = 0
        return None
