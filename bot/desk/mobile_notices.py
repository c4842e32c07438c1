"""Notices sent by the desk to a report's verified mobile: SMS, or WhatsApp's approved
template (`bot.rules.notices` decides when). Twilio's official client, on the desk's event
loop; what Twilio answers decides what happens next:

- accepted → the notice reached the citizen (the message SID is kept);
- 5xx, 429 or the network → `Retry`: the dispatcher tries again with backoff;
- error 21610 (the number replied STOP) → recorded as an opt-out, the route is skipped;
- any other refusal (an invalid number …) → skipped as undeliverable, with Twilio's code.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot import twilio_api
from bot.settings import Settings

logger = logging.getLogger(__name__)

UNSUBSCRIBED = 21610  # Twilio: "Attempt to send to unsubscribed recipient"


class Retry(Exception):
    """Twilio could not take the message now; try again later."""


@dataclass(frozen=True)
class Outcome:
    sid: str | None = None  # Twilio accepted it
    skipped: str | None = None  # `opted_out`, `undeliverable`, `not_configured`
    error: str | None = None


class MobileNotices:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:  # created inside the desk's event loop
            self._client = twilio_api.async_client(
                self.settings.twilio_account_sid,
                self.settings.twilio_auth_token,
                self.settings.twilio_api_base,
            )
        return self._client

    def sender_for(self, route: str) -> str | None:
        """The number a route sends from, or None when it is not configured."""
        if not (self.settings.twilio_account_sid and self.settings.twilio_auth_token):
            return None
        if route == "sms":
            return self.settings.twilio_sms_number or None
        number = self.settings.twilio_whatsapp_number
        return f"whatsapp:{number.removeprefix('whatsapp:')}" if number else None

    async def send(
        self, route: str, kind: str, mobile: str, text: str, variables: dict[str, str]
    ) -> Outcome:
        sender = self.sender_for(route)
        template = self.settings.twilio_whatsapp_templates.get(kind)
        if sender is None or (route == "whatsapp" and not template):
            # WhatsApp takes free text only inside its 24-hour window: a notice needs the
            # approved template.
            return Outcome(skipped="not_configured")
        arguments: dict[str, str] = {"from_": sender}
        if route == "sms":
            arguments |= {"to": mobile, "body": text}
        else:
            arguments |= {
                "to": f"whatsapp:{mobile}",
                "content_sid": template,
                "content_variables": json.dumps(variables, ensure_ascii=False),
            }
        try:
            message = await self.client.messages.create_async(**arguments)
        except TwilioRestException as failure:
            if failure.status >= 500 or failure.status == 429:
                raise Retry(f"Twilio HTTP {failure.status} (error {failure.code})") from failure
            skipped = "opted_out" if failure.code == UNSUBSCRIBED else "undeliverable"
            return Outcome(skipped=skipped, error=f"Twilio error {failure.code}: {failure.msg}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as failure:
            raise Retry(f"Twilio unreachable: {failure or type(failure).__name__}") from failure
        return Outcome(sid=message.sid)
