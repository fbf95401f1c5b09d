"""The setup assistant for a real call and the readiness indicator."""
