"""The aiohttp application and its lifecycle: routes, limits, signature checks, answers."""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from aiohttp import web
from multidict import MultiDict

from moderator import __version__
from moderator.domain import door_twiml
from moderator.domain.announcements import AnnouncementBoard
from moderator.domain.door import Addresses
from moderator.domain.events import MalformedCallback
from moderator.domain.twilio_words import (
    ANNOUNCE_PATH,
    CALL_STATUS_PATH,
    CONFERENCE_EVENTS_PATH,
    HEALTH_PATH,
    PIN_PATH,
    RECORDING_EVENTS_PATH,
    TRANSCRIPTION_EVENTS_PATH,
    VOICE_PATH,
)
from moderator.domain.twiml import KnownCaller, join_conference
from moderator.server.call_status_route import CallStatusIngest
from moderator.server.connections import (
    HEADER_TIMEOUT,
    AcceptFailureFilter,
    BadRequestLog,
    ConnectionGuard,
    LogBudget,
)
from moderator.server.door_routes import VoiceDoor
from moderator.server.forms import BODY_READ_TIMEOUT, UnreadableForm, read_form
from moderator.server.ingest import CallbackIngest
from moderator.server.recording_route import RecordingIngest
from moderator.server.signature import SIGNATURE_HEADER, SignatureCheck, shape_problem
from moderator.server.transcript_route import TranscriptIngest
from moderator.store.journal import JournalError

log = logging.getLogger(__name__)
http_log = logging.getLogger("moderator.server.http")  # aiohttp's protocol errors

MAX_BODY_BYTES = 16 * 1024  # a conference callback is well under 2 KB
# Each rejected request is logged, but at most this many lines a minute (a count says the rest),
# so a flood of bad requests cannot rotate the log's history away (4 files of 2 MB).
REJECTIONS_LOGGED_PER_MINUTE = 20
# How long stop() lets a request being handled finish before it is cancelled. Idle keep-alive
# connections are closed at once (they used to hold every stop for the whole grace).
SHUTDOWN_GRACE = 2.0
# The URLs of requests as received, remembered (one or two in use: the routes Twilio calls).
RECEIVED_URLS_KEPT = 64
# A journal write this slow means a frozen, locked or failing disk (one takes milliseconds).
JOURNAL_STALL_SECONDS = 2.0
# aiohttp's own limits: Twilio's headers are short and few, so a client sending more is not Twilio
# and must not make us buffer megabytes per connection.
PROTOCOL_LIMITS: dict[str, Any] = {
    "max_line_size": 4096,
    "max_field_size": 4096,
    "max_headers": 32,
    "keepalive_timeout": HEADER_TIMEOUT,
    # after an answer given before the body was read (a refused signature), the rest of the body
    # is read and dropped for this long only: a slow client's refusal costs no longer than its body
    "lingering_time": BODY_READ_TIMEOUT,
    "auto_decompress": False,  # bodies are read raw; a Content-Encoding is refused (415)
    "logger": http_log,
}


class ServerStartError(Exception):
    """The server cannot listen where asked (one-line message for the user)."""


@dataclass
class ServerStats:
    rejected_signature: int = 0
    rejected_malformed: int = 0
    failed: int = 0


class WebhookServer:
    """Serves Twilio's webhooks on the running asyncio loop (qasync's, inside the Qt app)."""

    def __init__(
        self,
        ingest: CallbackIngest,
        signature: SignatureCheck,
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        conference_name: str = "TeamMeeting",
        shutdown_grace: float = SHUTDOWN_GRACE,
    ) -> None:
        self._ingest = ingest
        # aiohttp reads a timeout of 0 as "no timeout": a grace of none is a millisecond
        self.shutdown_grace = max(shutdown_grace, 0.001)
        self._signature = signature
        self.host = host
        self.port = port
        self.conference_name = conference_name
        # callers the voice route knows by number (the demo's people): a label, the presenter
        self.known_callers: dict[str, KnownCaller] = {}
        self.stats = ServerStats()
        # Called with the ConferenceSid of a callback that could not be journaled. Twilio
        # retries only connection failures and timeouts by default (rp=ct,rt), not our 500,
        # so the console must fetch what it missed itself (control reconciles).
        self.on_unstored: list[Callable[[str | None], None]] = []
        # Per start of the console: /healthz shows it, so the setup assistant can tell that a
        # public URL reaches this console and not another one (or another program).
        self.instance = secrets.token_hex(8)
        self._runner: web.AppRunner | None = None
        self.door: VoiceDoor | None = None  # PIN, lock, waiting room; None: everyone joins
        self.hold_music_url = ""  # the waiting room's music (empty: Twilio's)
        self.announcements = AnnouncementBoard()  # texts the announce route speaks, by id
        self._listener: asyncio.Server | None = None
        self._guard: ConnectionGuard | None = None
        self._accept_filter: AcceptFailureFilter | None = None
        self._bad_request_log: BadRequestLog | None = None
        self._rejections = LogBudget(time.monotonic, burst=REJECTIONS_LOGGED_PER_MINUTE)
        self._urls: dict[tuple[str, str, str], str] = {}  # see _received_url
        self.recordings: RecordingIngest | None = None  # recording status callbacks
        self.record = False  # the voice route records the meeting from its start
        self.transcripts: TranscriptIngest | None = None  # real-time transcription callbacks
        self.captions = False  # the voice route starts a transcription of each caller's leg
        self.call_statuses: CallStatusIngest | None = None  # the number's call ends

    # ---- lifecycle -------------------------------------------------------------------------

    def make_app(self, middlewares: tuple[Any, ...] = ()) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=middlewares)
        app.router.add_post(CONFERENCE_EVENTS_PATH, self._conference_events)
        app.router.add_post(VOICE_PATH, self._voice)
        app.router.add_post(RECORDING_EVENTS_PATH, self._recording_events)
        app.router.add_post(TRANSCRIPTION_EVENTS_PATH, self._transcription_events)
        app.router.add_post(CALL_STATUS_PATH, self._call_status)
        app.router.add_post(PIN_PATH, self._pin)
        app.router.add_post(ANNOUNCE_PATH, self._announce)
        app.router.add_get(HEALTH_PATH, self._healthz)
        return app

    async def start(self) -> str:
        """Listen and return the local base URL; ServerStartError when the port is taken."""
        loop = asyncio.get_running_loop()
        self._guard = ConnectionGuard()
        self._runner = web.AppRunner(
            self.make_app(middlewares=(self._guard.middleware,)),
            access_log=None,
            handle_signals=False,
            **PROTOCOL_LIMITS,
        )
        await self._runner.setup()
        assert self._runner.server is not None
        self._guard.attach(self._runner.server)
        try:
            self._listener = await loop.create_server(
                self._guard, self.host, self.port, reuse_address=True
            )
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise ServerStartError(describe_bind_error(self.host, self.port, exc)) from None
        self._guard.start()
        self._accept_filter = AcceptFailureFilter(loop)
        self._bad_request_log = BadRequestLog(loop.time)
        http_log.addFilter(self._bad_request_log)
        self.port = self._listener.sockets[0].getsockname()[1]  # the real port when 0 was asked
        log.info("webhook server listening on %s", self.local_url)
        return self.local_url

    async def stop(self) -> None:
        if self._bad_request_log is not None:
            http_log.removeFilter(self._bad_request_log)
            self._bad_request_log = None
        if self._accept_filter is not None:
            self._accept_filter.remove()
            self._accept_filter = None
        if self._guard is not None:
            self._guard.stop()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            if runner.server is not None:
                # Close idle keep-alive connections now: aiohttp's shutdown waits the whole
                # timeout for a connection that is only waiting for its next request.
                runner.server.pre_shutdown()
                await runner.server.shutdown(self.shutdown_grace)
            await runner.cleanup()
            log.info("webhook server stopped")

    @property
    def connections(self) -> ConnectionGuard | None:
        """What holds the server's connections to a limit (open ones, the limit); None until
        started."""
        return self._guard

    def set_public_url(self, public_url: str | None) -> None:
        """A new tunnel address: signatures are checked against it from now on."""
        self._signature.public_url = public_url.rstrip("/") if public_url else None

    @property
    def signature(self) -> SignatureCheck:
        """The signature check (its run of mismatches feeds the console's readiness hint)."""
        return self._signature

    @property
    def local_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def public_base(self) -> str:
        """The base URL Twilio should call: the public URL when set, else the local one."""
        return self._signature.public_url or self.local_url

    @property
    def callback_url(self) -> str:
        return self.public_base + CONFERENCE_EVENTS_PATH

    @property
    def recording_callback_url(self) -> str:
        return self.public_base + RECORDING_EVENTS_PATH

    @property
    def transcription_callback_url(self) -> str:
        return self.public_base + TRANSCRIPTION_EVENTS_PATH

    @property
    def voice_url(self) -> str:
        return self.public_base + VOICE_PATH

    @property
    def call_status_url(self) -> str:
        """The number's StatusCallback (connect-number sets it): where each call's end goes."""
        return self.public_base + CALL_STATUS_PATH

    # ---- routes ----------------------------------------------------------------------------

    async def _verified_form(self, request: web.Request) -> dict[str, str]:
        """The request's form once its signature checks out; raises the HTTP error otherwise.

        Nothing in an unsigned request reaches a decoder that could fail in an unexpected way:
        the body is read raw and parsed by read_form, which only raises UnreadableForm. A
        request whose signature header cannot be Twilio's is refused before its body is read,
        and while the body comes in the connection may be closed to make room for others.
        """
        problem = shape_problem(request.headers)
        if problem is not None:
            self._reject_signature(request, problem)
        try:
            with self._reading_body(request):
                posted = await read_form(request)
        except UnreadableForm as exc:
            self.stats.rejected_malformed += 1
            self._log_rejection("rejected %s: %s", request.path, exc)
            raise _http_error(exc) from None
        problem = self._signature_problem(request, posted)
        if problem is not None:
            self._reject_signature(request, problem)
        return {key: str(value) for key, value in posted.items()}

    def _signature_problem(self, request: web.Request, posted: MultiDict[str]) -> str | None:
        try:
            # the URL as received is built only when it is needed (no public URL, a mismatch)
            received = lambda: self._received_url(request)  # noqa: E731
            url = self._signature.signed_url(received, request.path_qs)
            return self._signature.problem(url, posted, request.headers, received)
        except ValueError:  # e.g. a Host header with a port out of range
            return "the request's URL cannot be verified"

    def _received_url(self, request: web.Request) -> str:
        """str(request.url), remembered by what aiohttp makes it of (its scheme, its host, the
        request target as sent): building it with yarl cost about 4 µs a callback. Bounded:
        the Host header and the target are the client's to choose."""
        key = (request.scheme, request.host, request.raw_path)
        url = self._urls.get(key)
        if url is None:
            if len(self._urls) >= RECEIVED_URLS_KEPT:
                self._urls.clear()
            url = self._urls[key] = str(request.url)
        return url

    def _reading_body(self, request: web.Request) -> AbstractContextManager[None]:
        if self._guard is None or request.content.is_eof():
            # an app made without start() (tests), or the body is all here: no wait for it
            return nullcontext()
        return self._guard.reading_body(request.protocol)

    def _reject_signature(self, request: web.Request, problem: str) -> NoReturn:
        self.stats.rejected_signature += 1
        self._log_rejection("rejected %s from %s: %s", request.path, request.remote, problem)
        raise web.HTTPForbidden(text=f"invalid or missing {SIGNATURE_HEADER}")

    def _log_rejection(self, message: str, *args: object) -> None:
        """One warning per rejected request, within the minute's budget."""
        dropped = self._rejections.allow()
        if dropped is None:
            return
        if dropped:
            message += " (%d more rejected requests not logged)"
            args += (dropped,)
        log.warning(message, *args)

    async def _conference_events(self, request: web.Request) -> web.Response:
        form = await self._verified_form(request)
        try:
            event = await self._ingest.ingest(form)
        except MalformedCallback as exc:
            self.stats.rejected_malformed += 1
            self._log_rejection("rejected a malformed conference callback: %s", exc)
            raise web.HTTPBadRequest(text=f"malformed callback: {exc}") from None
        except JournalError as exc:
            self.stats.failed += 1
            log.error("could not journal a callback (answered 500, reconciling): %s", exc)
            for listener in list(self.on_unstored):
                listener(form.get("ConferenceSid") or None)
            raise web.HTTPInternalServerError(text="could not store the callback") from None
        log.debug("callback %s #%d %s", event.name, event.sequence, event.call_sid or "")
        return web.Response(status=204)

    async def _voice(self, request: web.Request) -> web.Response:
        form = await self._verified_form(request)
        if self.door is not None:
            twiml = self.door.arrival(form, self.addresses())
        else:
            known = self.known_callers
            twiml = join_conference(
                self.conference_name,
                self.callback_url,
                caller=known.get(form.get("From", "")),
                presenter_expected=any(caller.presenter for caller in known.values()),
                recording_callback_url=self.recording_callback_url if self.record else None,
                transcription_callback_url=(
                    self.transcription_callback_url if self.captions else None
                ),
            )
        return web.Response(text=twiml, content_type="text/xml")

    async def _recording_events(self, request: web.Request) -> web.Response:
        form = await self._verified_form(request)
        return await _taken(self.recordings, "recording").answer(form)

    async def _transcription_events(self, request: web.Request) -> web.Response:
        form = await self._verified_form(request)
        return await _taken(self.transcripts, "transcription").answer(form)

    async def _call_status(self, request: web.Request) -> web.Response:
        """A call to the number ended: stored before the 204, then the door hears of it (a
        caller who hung up at the PIN prompt or in the waiting room)."""
        form = await self._verified_form(request)
        event = await _taken(self.call_statuses, "call status").take(form)
        if self.door is not None and event.ended:
            self.door.call_ended(form, self.addresses())
        return web.Response(status=204)

    async def _pin(self, request: web.Request) -> web.Response:
        form = await self._verified_form(request)
        if self.door is None:
            twiml = join_conference(self.conference_name, self.callback_url)
        else:
            twiml = self.door.pin(form, request.query, self.addresses())
        return web.Response(text=twiml, content_type="text/xml")

    async def _announce(self, request: web.Request) -> web.Response:
        """The text posted on the board under ?id= (silence for an id not known)."""
        await self._verified_form(request)
        text = self.announcements.text(request.query.get("id", "")) or ""
        return web.Response(text=door_twiml.announcement(text), content_type="text/xml")

    def addresses(self) -> Addresses:
        return Addresses(
            self.conference_name,
            self.public_base,
            self.callback_url,
            self.hold_music_url,
            self.known_callers,
            self.recording_callback_url if self.record else "",
            announcements=self.announcements,
            transcription_callback_url=self.transcription_callback_url if self.captions else "",
        )

    async def _healthz(self, request: web.Request) -> web.Response:
        """Status and this start's nonce (all the setup assistant and a tunnel check need).

        "failing" while journal writes fail (callbacks are answered 500), "degraded" while
        one waits for the disk. Counts and times are for a GET signed with the auth token
        (X-Twilio-Signature over the URL, as Twilio signs): anyone else on the internet
        learns nothing of the meeting's traffic.
        """
        writer = self._ingest.writer
        stalled = writer.stalled_for
        if writer.write_failure is not None:
            status = "failing"
        elif stalled >= JOURNAL_STALL_SECONDS:
            status = "degraded"  # the disk has held one journal write this long
        else:
            status = "ok"
        body: dict[str, Any] = {"status": status, "instance": self.instance}
        if self._signed_get(request):
            last = self._ingest.last_received_at
            body |= {
                "version": __version__,
                "callbacks": self._ingest.received,
                "last_callback_at": last.isoformat() if last else None,
                "rejected_signature": self.stats.rejected_signature,
                "rejected_malformed": self.stats.rejected_malformed,
                "failed": self.stats.failed,
                "journal": {
                    "queued_writes": writer.queued_writes,
                    "stalled_s": round(stalled, 1),
                    "failure": writer.write_failure,
                },
            }
        return web.json_response(body)

    def _signed_get(self, request: web.Request) -> bool:
        if shape_problem(request.headers) is not None:
            return False
        return self._signature_problem(request, MultiDict()) is None


_Taker = TypeVar("_Taker")


def _taken(ingest: _Taker | None, what: str) -> _Taker:
    """The route's ingest; 404 on a server that takes no such callbacks (made without it)."""
    if ingest is None:
        raise web.HTTPNotFound(text=f"{what} callbacks are not taken here")
    return ingest


_FORM_ERRORS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    408: web.HTTPRequestTimeout,
    415: web.HTTPUnsupportedMediaType,
}


def _http_error(exc: UnreadableForm) -> web.HTTPException:
    return _FORM_ERRORS.get(exc.status, web.HTTPBadRequest)(text=str(exc))


def describe_bind_error(host: str, port: int, exc: OSError) -> str:
    """A one-line reason a server cannot listen on host:port."""
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}:{port}: unknown host {host!r}"
    if "address already in use" in str(exc).lower() or getattr(exc, "errno", None) in (48, 98):
        return f"port {port} on {host} is already in use; choose another with --port (0: any free)"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def check_port_free(host: str, port: int) -> None:
    """Raise ServerStartError now if host:port cannot be bound (before any window appears)."""
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServerStartError(describe_bind_error(host, port, exc)) from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ServerStartError(describe_bind_error(host, port, exc)) from None
