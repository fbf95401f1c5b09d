"""What the meeting was like: talk time, the timeline window and the summary."""
