"""The meeting's door: the waiting strip, the door menu and breakout rooms."""
