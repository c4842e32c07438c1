"""The reports store: SQLAlchemy models, migrations, the queries the actions and the desk
need, and the media files. May import `bot.rules`, `bot.settings`, `bot.clock`."""
