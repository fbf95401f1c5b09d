"""The demo's wiring: an in-process Twilio with throwaway credentials, demo rules, and the
TeamMeeting's people calling the simulated number as real callers would."""

from __future__ import annotations

import logging
from dataclasses import replace

from moderator.domain.twiml import KnownCaller
from moderator.server.webhooks import WebhookServer
from moderator.settings import Settings
from moderator.sim import Faults, Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.sim.scenarios import TEAM_MEETING_PEOPLE

log = logging.getLogger(__name__)

DEMO_SCENARIO = "team-meeting"
DEMO_AUTO_MUTE_DELAY = 8.0  # scenario seconds after conference-start
DEMO_HOST_NUMBER = "+12025550142"  # Meeting → Call me rings the host here (the simulator answers)


def demo_settings(settings: Settings, speed: float) -> Settings:
    """The session's settings in the demo (never saved: they are not the host's).

    Everyone but Mary is muted once Alice, Bob and Charles are in (they join within 6 scenario
    seconds of the start), and Bob is muted again when he rejoins.
    """
    return replace(
        settings,
        auto_mute_enabled=True,
        auto_mute_delay=DEMO_AUTO_MUTE_DELAY / speed,
        mute_on_entry=True,
        caller_id=LINE_NUMBER,  # the simulated account's number: dial-outs need a From it owns
        host_number=settings.host_number or DEMO_HOST_NUMBER,
    )


def demo_simulator(speed: float, latency: tuple[float, float]) -> Simulator:
    """An in-process Twilio that answers REST calls in `latency` (fastest, slowest) seconds.

    Twilio answers in a few hundred milliseconds: the demo shows tiles pending as a host would
    see them, not answers that arrive before the click has repainted.
    """
    fastest, slowest = latency
    log.info("demo: simulator at speed %g", speed)
    return Simulator(speed=speed, faults=Faults(latency=fastest, jitter=slowest - fastest))


def dial_in(simulator: Simulator, server: WebhookServer) -> None:
    """The demo's people call the simulated number, whose Voice URL is this console's voice
    route, so the demo walks the path a real call walks; Mary is known as the presenter."""
    server.known_callers = {
        person.number: KnownCaller(person.label, presenter=person.end_conference_on_exit)
        for person in TEAM_MEETING_PEOPLE
    }
    simulator.set_voice_url(LINE_NUMBER, server.voice_url, status_callback=server.call_status_url)
    simulator.start_scenario(DEMO_SCENARIO, callback_url=server.callback_url, dial=LINE_NUMBER)
