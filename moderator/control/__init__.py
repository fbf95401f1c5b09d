"""Moderator control: the service through which the UI acts on Twilio conferences."""

from moderator.control.results import ActionResult, BulkResult
from moderator.control.service import Moderator

__all__ = ["ActionResult", "BulkResult", "Moderator"]
