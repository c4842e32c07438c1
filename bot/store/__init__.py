"""The reports store: `database.Store` (one per process, built from the settings and passed
to whoever needs it; every query function takes it first), SQLAlchemy models, migrations,
the queries the actions and the desk need, and the media files. May import `bot.rules`,
`bot.settings`, `bot.clock`, `bot.private`. Names, national IDs and mobiles are kept
encrypted (`crypto`)."""
