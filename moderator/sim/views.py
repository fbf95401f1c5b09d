"""JSON shapes of Twilio's 2010-04-01 resources the simulator serves: account, numbers, calls,
conferences and participants."""

from __future__ import annotations

from typing import Any

from moderator.sim.records import Call, Conference, Participant, PhoneNumber, rfc2822

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


def heard_json(call: Call, conf: Conference | None, part: Participant | None) -> dict[str, Any]:
    """The sim-only part of GET /_sim/calls/{CallSid}: `heard` (each {"kind": say, play, music
    or silence, and its "text", "url" or "why"}), `keyed` (each <Gather> entry as keyed) and
    `conference` (where the call is now: null when in none)."""
    field = {"Say": "text", "Play": "url", "Music": "url", "Silence": "why"}
    where = None
    if conf is not None and part is not None:
        where = {
            "sid": conf.sid,
            "friendly_name": conf.friendly_name,
            "started": conf.started,
            "muted": part.muted,
            "hold": part.hold,
        }
    heard = [{"kind": kind.lower(), field.get(kind, "text"): what} for kind, what in call.heard]
    return {
        "heard": heard,
        "keyed": list(call.keyed),
        "conference": where,
    }


def format_number(number: str) -> str:
    """`+12125550100` → `(212) 555-0100`; anything else unchanged."""
    digits = number[2:] if number.startswith("+1") else ""
    if len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number


def account_json(
    account_sid: str, *, friendly_name: str, type_: str, created: str
) -> dict[str, Any]:
    """An Account resource (what a credential check fetches)."""
    base = account_root(account_sid)
    return {
        "auth_token": None,  # Twilio shows it to its own console; the simulator never echoes it
        "date_created": created,
        "date_updated": created,
        "friendly_name": friendly_name,
        "owner_account_sid": account_sid,
        "sid": account_sid,
        "status": "active",
        "subresource_uris": {
            "calls": f"{base}/Calls.json",
            "conferences": f"{base}/Conferences.json",
            "incoming_phone_numbers": f"{base}/IncomingPhoneNumbers.json",
        },
        "type": type_,
        "uri": f"{base}.json",
    }


def phone_number_json(account_sid: str, number: PhoneNumber) -> dict[str, Any]:
    """An IncomingPhoneNumber resource."""
    return {
        "account_sid": account_sid,
        "address_requirements": "none",
        "address_sid": None,
        "api_version": API_VERSION,
        "beta": False,
        "bundle_sid": None,
        "capabilities": {"fax": False, "mms": True, "sms": True, "voice": True},
        "date_created": rfc2822(number.date_created),
        "date_updated": rfc2822(number.date_updated),
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "emergency_status": "Inactive",
        "friendly_name": number.friendly_name,
        "identity_sid": None,
        "origin": "twilio",
        "phone_number": number.phone_number,
        "sid": number.sid,
        "sms_application_sid": "",
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": "",
        "status": "in-use",
        "status_callback": number.status_callback,
        "status_callback_method": number.status_callback_method,
        "subresource_uris": {
            "assigned_add_ons": (
                f"{account_root(account_sid)}/IncomingPhoneNumbers/{number.sid}/AssignedAddOns.json"
            ),
        },
        "trunk_sid": None,
        "type": "local",  # twilio-oai lists it (nullable); a +1 number bought as Local
        "uri": f"{account_root(account_sid)}/IncomingPhoneNumbers/{number.sid}.json",
        "voice_application_sid": "",
        "voice_caller_id_lookup": number.voice_caller_id_lookup,
        "voice_fallback_method": number.voice_fallback_method,
        "voice_fallback_url": number.voice_fallback_url,
        "voice_method": number.voice_method,
        "voice_receive_mode": "voice",
        "voice_url": number.voice_url or None,  # null while unset (nullable in twilio-oai)
    }
