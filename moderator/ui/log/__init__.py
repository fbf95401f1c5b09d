"""The event log pane: its model, filter and view."""
