"""Test-wide setup: Qt renders offscreen and no test touches the real OS keyring."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("TWILIO_REGION", None)
os.environ.pop("TWILIO_EDGE", None)
