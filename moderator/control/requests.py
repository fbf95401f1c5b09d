"""Which REST call each action makes: one function per action, returning its SDK call.

This is the one file to read for "what does *mute* send to Twilio?". Each builder returns a
`RestCall`: the coroutine that makes the twilio SDK request, and the parameters as journaled
(the action log shows what was asked). The Moderator service decides when to send them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from twilio.rest import Client

from moderator.domain.actions import ActionKind
from moderator.domain.recordings import CURRENT, PAUSED
from moderator.domain.state import ConferenceStatus
from moderator.domain.transcripts import STOPPED_STATUS
from moderator.domain.twilio_words import EVENT_WORDS
from moderator.domain.twiml import CAPTIONS_NAME, transcription_attributes

Send = Callable[[Client], Awaitable[Any]]

PARTICIPANT_KINDS = (
    ActionKind.MUTE,
    ActionKind.UNMUTE,
    ActionKind.HOLD,
    ActionKind.UNHOLD,
    ActionKind.KICK,
)


@dataclass(frozen=True)
class RestCall:
    """One REST request, ready to send with a client, and what the journal records of it."""

    send: Send
    params: dict[str, str] = field(default_factory=dict)


def participant_call(
    kind: ActionKind, conf_sid: str, call_sid: str, *, hold_url: str | None = None
) -> RestCall:
    """Mute/unmute/hold/unhold: POST .../Participants/CA….json (Muted, Hold, HoldUrl);
    kick: DELETE on the same URL."""
    if kind not in PARTICIPANT_KINDS:
        raise ValueError(f"{kind.value} is not a participant action")
    fields: dict[str, Any] = {}
    if kind in (ActionKind.MUTE, ActionKind.UNMUTE):
        fields["muted"] = kind is ActionKind.MUTE
    elif kind in (ActionKind.HOLD, ActionKind.UNHOLD):
        fields["hold"] = kind is ActionKind.HOLD
        if kind is ActionKind.HOLD and hold_url:
            fields["hold_url"] = hold_url
    params = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()}

    async def send(client: Client) -> Any:
        resource = client.conferences(conf_sid).participants(call_sid)
        if kind is ActionKind.KICK:
            return await resource.delete_async()
        return await resource.update_async(**fields)

    return RestCall(send, params)


def coach_call(conf_sid: str, coach_sid: str, coached_sid: str | None) -> RestCall:
    """Whisper: POST .../Participants/{coach}.json Coaching=true CallSidToCoach={coached}, so
    only the coached call hears the coach; `coached_sid` None: Coaching=false (everyone, or
    with the coach muted, nobody hears them again)."""
    fields: dict[str, Any] = {"coaching": coached_sid is not None}
    if coached_sid is not None:
        fields["call_sid_to_coach"] = coached_sid
    params = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()}

    async def send(client: Client) -> Any:
        return await client.conferences(conf_sid).participants(coach_sid).update_async(**fields)

    return RestCall(send, params)


def end_conference_call(conf_sid: str) -> RestCall:
    """POST .../Conferences/CF….json Status=completed."""
    ended = ConferenceStatus.COMPLETED.value

    async def send(client: Client) -> Any:
        return await client.conferences(conf_sid).update_async(status=ended)

    return RestCall(send, {"status": ended})


def announce_call(
    conf_sid: str, url: str, call_sid: str | None = None, *, method: str = "GET"
) -> RestCall:
    """AnnounceUrl (and AnnounceMethod) on the conference (everyone) or on one participant."""
    # GET by default, said explicitly (Twilio's default is POST): a static audio file's host
    # may refuse a POST, and GET is what fetching a file means. The console's own announce
    # route (a spoken text) is signed and answers POST, as the rooms' announcements use it.
    fields = {"announce_url": url, "announce_method": method}

    async def send(client: Client) -> Any:
        conference = client.conferences(conf_sid)
        if call_sid is None:
            return await conference.update_async(**fields)
        return await conference.participants(call_sid).update_async(**fields)

    return RestCall(send, {"announce_url": url})


def dial_out_call(
    conf_sid: str,
    number: str,
    caller_id: str,
    *,
    label: str | None = None,
    status_callback_url: str | None = None,
) -> RestCall:
    """POST .../Conferences/CF…/Participants.json: call `number` from `caller_id` into the
    conference, subscribed to every callback the console uses."""
    # Explicit, not Twilio's defaults (start true, end false): a dialled guest neither starts
    # the conference nor ends it, so the presenter rule never takes them for the host.
    kwargs: dict[str, Any] = {
        "from_": caller_id,
        "to": number,
        "start_conference_on_enter": False,
        "end_conference_on_exit": False,
    }
    if label:
        kwargs["label"] = label
    if status_callback_url:
        kwargs["conference_status_callback"] = status_callback_url
        kwargs["conference_status_callback_event"] = list(EVENT_WORDS)
    params = {"to": number, "from": caller_id, **({"label": label} if label else {})}

    async def send(client: Client) -> Any:
        return await client.conferences(conf_sid).participants.create_async(**kwargs)

    return RestCall(send, params)


def recording_call(
    conf_sid: str, status: str, recording_sid: str = CURRENT, *, pause_behavior: str | None = None
) -> RestCall:
    """Pause, resume or stop: POST .../Conferences/CF…/Recordings/{RE… or Twilio.CURRENT}.json
    with Status=paused|in-progress|stopped (and PauseBehavior skip|silence when pausing)."""
    fields = {"status": status}
    if pause_behavior and status == PAUSED:
        fields["pause_behavior"] = pause_behavior

    async def send(client: Client) -> Any:
        return await client.conferences(conf_sid).recordings(recording_sid).update_async(**fields)

    return RestCall(send, {**fields, "recording": recording_sid})


def list_recordings_call(conf_sid: str) -> RestCall:
    """GET .../Conferences/CF…/Recordings.json: the conference's recordings."""

    async def send(client: Client) -> Any:
        return await client.conferences(conf_sid).recordings.list_async()

    return RestCall(send)


def transcription_start_call(call_sid: str, callback_url: str) -> RestCall:
    """Captions for a caller already in: POST .../Calls/CA…/Transcriptions.json with the same
    attributes the voice route's `<Transcription>` has (domain/twiml.py)."""
    attributes = transcription_attributes(callback_url)
    fields = {
        "name": attributes["name"],
        "track": attributes["track"],
        "status_callback_url": callback_url,
        "status_callback_method": attributes["statusCallbackMethod"],
        "partial_results": True,
    }

    async def send(client: Client) -> Any:
        return await client.calls(call_sid).transcriptions.create_async(**fields)

    return RestCall(send, {"name": attributes["name"], "track": attributes["track"]})


def transcription_stop_call(call_sid: str) -> RestCall:
    """POST .../Calls/CA…/Transcriptions/{name}.json Status=stopped: the console's
    transcription of the call, stopped by its name (whichever way it was started)."""

    async def send(client: Client) -> Any:
        transcription = client.calls(call_sid).transcriptions(CAPTIONS_NAME)
        return await transcription.update_async(status=STOPPED_STATUS)

    return RestCall(send, {"name": CAPTIONS_NAME, "status": STOPPED_STATUS})
