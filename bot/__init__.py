"""Balagh: an Arabic assistant for the Digital Report service (بلاغ رقمي).

One room per process or concern; each room's `__init__` says what lives there and what it
may import (`tests/unit/test_layout.py` fails on an import that breaks these rules):

- `bot.settings`, `bot.clock`: configuration and time; import nothing else of the project
  (the clock reads its time zone from the settings) but `bot.private`.
- `bot.private`: the files and folders Balagh creates, 0600 and 0700; imports nothing.
- `bot.rules`: the guide's rules and Arabic text handling, pure functions.
- `bot.store`: the reports store (SQLAlchemy, migrations, media files).
- `bot.observability`: what every process uses to be operated (JSON logs with identifiers
  masked, readiness checks of the stores, the door of `/metrics`).
- `bot.server`: what runs inside the Rasa process (its patches, tracker and lock stores,
  NLU components). `channels/` (beside `bot/`) holds the Rasa input channels.
- `bot.actions`: the action server (Rasa SDK actions, form validation, filing).
- `bot.desk`: the desk process (APIs, dispatcher, scheduler, event relay, report, pages).
- `bot.ops`: operators' commands (CLI, cluster, process lines, configuration rendering).
"""

# The version, in one place (pyproject.toml reads it; CHANGELOG.md tells its story).
__version__ = "0.15.0"
