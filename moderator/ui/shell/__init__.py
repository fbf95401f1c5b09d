"""The main window that holds the rooms: menus, status bar, settings and dialogs."""
