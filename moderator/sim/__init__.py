"""Embedded Twilio simulator: conference REST subset, signed callbacks, scenarios, faults."""

from .errors import SimError
from .faults import Faults
from .simulator import Simulator
from .stats import Stats

__all__ = ["Faults", "SimError", "Simulator", "Stats"]
