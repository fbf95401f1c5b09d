"""Tests of the embedded Twilio simulator (moderator.sim)."""
