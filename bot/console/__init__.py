"""The staff console: a Thai web back office on ``STAFF_PORT`` (default 5080).

It changes content, training data and models only through the functions that
``python -m bot.admin`` calls (bot/admin/), so both share one validation and
one set of error messages; it adds accounts, sessions and the change history
(tables in the service DB, migration 0005_staff_console).
"""
