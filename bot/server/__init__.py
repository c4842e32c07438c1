"""What runs inside the Rasa process: `rasa_server` (Rasa's server with Balagh's fixes and
patches), `rasa_guard` (its doors), `rasa_speed`, the tracker store, the lock store, the
asynchronous PostgreSQL pool and the NLU components (`bot.server.nlu`). May import
`bot.rules`, `bot.store`, `bot.settings`, `bot.clock`."""
