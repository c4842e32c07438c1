"""The desk process (port 8080): the staff, agents' and supervisors' APIs, the notification
dispatcher and scheduler, the event relay, the voice-of-the-beneficiary report and its pages
(`static/`). May import `bot.rules`, `bot.store`, `bot.settings`, `bot.clock`,
`bot.observability`."""
