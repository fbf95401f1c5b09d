"""Conference Moderator Console: a desktop console for hosts of Twilio conference calls."""

__version__ = "0.1.0"
APP_NAME = "Conference Moderator"
