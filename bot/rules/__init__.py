"""The guide's rules, as plain functions that read like the guide, and Arabic text handling:
eligibility, the life of a report, working days and hours, dates, identifiers, similarity,
the catalogue, input bounds, the Arabic names of the codes (`labels`, shared by the bot and
the agents' console). Pure: imports nothing of the project outside `bot.rules`."""
