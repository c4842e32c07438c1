"""The reports store: SQLAlchemy models, migrations and the queries the actions need."""
