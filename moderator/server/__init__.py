"""The embedded webhook server: Twilio's conference callbacks in, TwiML out."""
