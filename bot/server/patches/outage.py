"""Never silent: a citizen's message that could not be handled gets the apology.

Stock Rasa loses a message in two quiet ways when a store is unreachable:

1. The lock store (Redis) or the tracker store raises inside `Agent.handle_message`; the
   REST channel logs it and answers `[]`, socket.io and our Twilio channels answer
   nothing. Here every channel's handler (`rasa.core.channels.channel.register`'s, the one
   place every channel's message enters) sends the domain's `utter_service_unavailable`
   apology (the one the action-server outage sends, `action_calls`: nothing was saved,
   send it again) on the message's own output channel instead, for the citizens'
   channels; any other caller (the desk's hand-off bridge) still gets the error, so it
   keeps its work queued and retries.
2. Rasa wraps the tracker store in `FailSafeTrackerStore`, which answers a failed read
   with "no conversation" and a failed write by keeping the tracker in memory: with
   PostgreSQL unreachable, the bot would start the conversation over and answer as if
   it were new, then lose that turn. Here both errors are raised instead
   (`StoreUnavailable`), so the turn stops and the citizen gets the apology.

Nothing is half-done: the turn stops before the tracker is saved (the cached tracker
store reloads a tracker that was not saved), the lock's ticket is returned or expires;
when the store is back the next message is handled as usual, without a restart. The
normal path only gains one context variable reset per message.

Installed by `bot.server.patches.install` (every target is listed there).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from bot.server.patches.action_calls import APOLOGISED, APOLOGY_RESPONSE, FALLBACK_APOLOGY

logger = logging.getLogger(__name__)

# The citizens' channels (input channel names); anything else gets the error.
CITIZEN_CHANNELS = frozenset({"rest", "webchat", "socketio", "whatsapp", "sms"})


class StoreUnavailable(RuntimeError):
    """The tracker store could not be read or written (instead of Rasa's fallback)."""


def apology_text(responses: Mapping[str, Any] | None, channel: str | None) -> str:
    """The `utter_service_unavailable` text for `channel` (its own variant first, then
    one without a channel), or the built-in fallback when the domain has none."""
    variations = (responses or {}).get(APOLOGY_RESPONSE) or []
    for wanted in (channel, None):
        for variation in variations:
            if isinstance(variation, dict) and variation.get("channel") == wanted:
                if variation.get("text"):
                    return str(variation["text"])
    return FALLBACK_APOLOGY


async def answer(agent: Any, message: Any) -> None:
    """`agent.handle_message(message)`; if it fails for a citizen's message, the apology
    on the message's output channel instead (its partial replies, if collected, are
    dropped: the citizen is told nothing was saved)."""
    reset = APOLOGISED.set(False)
    try:
        await agent.handle_message(message)
    except asyncio.CancelledError:
        raise
    except Exception as failure:
        if getattr(message, "input_channel", None) not in CITIZEN_CHANNELS:
            raise
        logger.error(
            "message of %s not handled, apology sent: %s: %s",
            message.sender_id,
            type(failure).__name__,
            failure,
            exc_info=failure,
        )
        await _apologise(agent, message)
    finally:
        APOLOGISED.reset(reset)


async def _apologise(agent: Any, message: Any) -> None:
    output = message.output_channel
    collected = getattr(output, "messages", None)
    if isinstance(collected, list):
        collected.clear()  # REST: the answer is the apology alone
    elif APOLOGISED.get():
        return  # already told during the turn (the action server's outage)
    domain = getattr(agent, "domain", None)
    text = apology_text(getattr(domain, "responses", None), output.name())
    try:
        await output.send_text_message(message.sender_id, text)
    except Exception:  # the channel itself failing: nothing more can be done here
        logger.exception("the apology to %s could not be sent", message.sender_id)


def _unavailable(self: Any, error: Exception) -> None:
    """`FailSafeTrackerStore`'s error callbacks: raise instead of falling back."""
    logger.error("tracker store unavailable: %s: %s", type(error).__name__, error)
    raise StoreUnavailable(f"the tracker store is unavailable: {error}") from error


def register(input_channels: list[Any], app: Any, route: str | None) -> None:
    """Rasa's `rasa.core.channels.channel.register`, with `answer` as every channel's
    `on_new_message`."""
    from urllib.parse import urljoin

    async def handler(message: Any) -> None:
        await answer(app.ctx.agent, message)

    for channel in input_channels:
        prefix = urljoin(route, channel.url_prefix()) if route else None
        app.blueprint(channel.blueprint(handler), url_prefix=prefix)
    app.ctx.input_channels = input_channels


def install() -> None:
    """Patch Rasa in this process (once: called by `bot.server.patches.install`)."""
    from rasa.core import tracker_store
    from rasa.core.channels import channel

    channel.register = register
    store = tracker_store.FailSafeTrackerStore
    store.on_tracker_store_error = _unavailable  # type: ignore[method-assign]
    store.on_tracker_store_retrieve_error = _unavailable  # type: ignore[method-assign]
