"""The Qt user interface: main window, models, delegates and dialogs. No network code here."""
