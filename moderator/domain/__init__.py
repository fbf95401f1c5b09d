"""The console's heart: Twilio conference events, the roster state machine, actions and rules.

Pure Python: no Qt, no network, no files. Everything here is tested with plain pytest.
"""
