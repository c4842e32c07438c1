"""The action server: Rasa SDK actions, split by concern (form validation, filing, follow-up,
notifications, hand-off) and its authenticated server (`server`). May import `bot.rules`,
`bot.store`, `bot.settings`, `bot.clock`,
`bot.observability`."""
