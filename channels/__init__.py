"""Rasa's input channels (REST, the web widget, WhatsApp and SMS through Twilio, the desk's
hand-off bridge, the health probes and metrics), loaded inside the Rasa process. May import
`bot.rules`, `bot.store`, `bot.settings`, `bot.clock`, `bot.observability`."""
