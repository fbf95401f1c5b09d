"""Moderator control: the service through which the UI acts on Twilio conferences."""

from moderator.control.interface import ModeratorService
from moderator.control.results import ActionResult, BulkResult
from moderator.control.service import Moderator

__all__ = ["ActionResult", "BulkResult", "Moderator", "ModeratorService"]
