"""The parts every host action shares: the host's message (redacted once) and its journal rows."""
