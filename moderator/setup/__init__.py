"""Getting a console onto a real call: account check, public URL, phone number, readiness.

Nothing here imports Qt: the setup assistant (ui/setup_wizard.py), `moderator connect-number`
and the running console's readiness checks all call these modules.
"""
