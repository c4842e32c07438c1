"""What runs inside the Rasa process: `rasa_server` (Rasa's command line with Balagh's
patches installed), `patches` (every patch of Rasa's private code, listed in one registry:
the fixes, the speed-ups, the doors), the tracker store, the lock store, the asynchronous
PostgreSQL pool, the metrics and the NLU components (`bot.server.nlu`). May import
`bot.rules`, `bot.store`, `bot.settings`, `bot.clock`,
`bot.observability`."""
