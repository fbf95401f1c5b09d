"""JSON shapes of conferences, participants and calls as Twilio's 2010-04-01 API returns them."""

from __future__ import annotations

from typing import Any

from moderator.sim.records import Call, Conference, Participant, rfc2822

API_VERSION = "2010-04-01"


def account_root(account_sid: str) -> str:
    """`/2010-04-01/Accounts/AC…`."""
    return f"/{API_VERSION}/Accounts/{account_sid}"


def conference_json(conf: Conference) -> dict[str, Any]:
    """A Conference resource."""
    base = f"{account_root(conf.account_sid)}/Conferences/{conf.sid}"
    return {
        "account_sid": conf.account_sid,
        "api_version": API_VERSION,
        "call_sid_ending_conference": conf.call_sid_ending_conference,
        "date_created": rfc2822(conf.date_created),
        "date_updated": rfc2822(conf.date_updated),
        "friendly_name": conf.friendly_name,
        "reason_conference_ended": conf.reason_conference_ended,
        "region": "us1",
        "sid": conf.sid,
        "status": conf.status,
        "subresource_uris": {
            "participants": f"{base}/Participants.json",
            "recordings": f"{base}/Recordings.json",
        },
        "uri": f"{base}.json",
    }


def participant_json(account_sid: str, part: Participant) -> dict[str, Any]:
    """A Participant resource."""
    base = f"{account_root(account_sid)}/Conferences/{part.conference_sid}"
    return {
        "account_sid": account_sid,
        "call_sid": part.call_sid,
        "call_sid_to_coach": part.call_sid_to_coach,
        "coaching": part.coaching,
        "conference_sid": part.conference_sid,
        "date_created": rfc2822(part.date_created),
        "date_updated": rfc2822(part.date_updated),
        "end_conference_on_exit": part.end_conference_on_exit,
        "hold": part.hold,
        "label": part.label,
        "muted": part.muted,
        "queue_time": "0",
        "start_conference_on_enter": part.start_conference_on_enter,
        "status": part.status,
        "uri": f"{base}/Participants/{part.call_sid}.json",
    }


def call_json(account_sid: str, call: Call) -> dict[str, Any]:
    """A Call resource (the fields the console uses, plus the usual neighbours)."""
    base = f"{account_root(account_sid)}/Calls/{call.sid}"
    duration = None
    if call.start_time and call.end_time:
        duration = str(int((call.end_time - call.start_time).total_seconds()))
    return {
        "account_sid": account_sid,
        "annotation": None,
        "answered_by": None,
        "api_version": API_VERSION,
        "caller_name": call.caller_name,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "direction": call.direction,
        "duration": duration,
        "end_time": rfc2822(call.end_time),
        "forwarded_from": None,
        "from": call.from_,
        "from_formatted": format_number(call.from_),
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": call.sid,
        "start_time": rfc2822(call.start_time),
        "status": call.status,
        "subresource_uris": {
            "notifications": f"{base}/Notifications.json",
            "recordings": f"{base}/Recordings.json",
        },
        "to": call.to,
        "to_formatted": format_number(call.to),
        "trunk_sid": None,
        "uri": f"{base}.json",
    }


def format_number(number: str) -> str:
    """`+12125550100` → `(212) 555-0100`; anything else unchanged."""
    digits = number[2:] if number.startswith("+1") else ""
    if len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number
