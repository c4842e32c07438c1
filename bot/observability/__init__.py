"""What every process needs to be operated: one-line JSON logs with identifiers masked
(`logs`), the readiness checks of the stores (`health`), the door of `/metrics` (`door`).
Used by the desk, the action server and the Rasa process (`bot.server`, `channels`). May
import `bot.rules`, `bot.store`, `bot.settings`, `bot.clock`."""
