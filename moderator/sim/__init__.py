"""Embedded Twilio simulator: conference REST subset, signed callbacks, scenarios, faults."""

from moderator.sim.errors import SimError
from moderator.sim.faults import Faults
from moderator.sim.simulator import Simulator
from moderator.sim.stats import Stats

__all__ = ["Faults", "SimError", "Simulator", "Stats"]
