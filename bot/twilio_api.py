"""Twilio's official client aimed at another base URL (a local fake in tests, a proxy).

Shared by the three processes that talk to Twilio (the channels' replies, the action
server's one-time codes through Verify, the desk's notices by SMS and WhatsApp), so the
rewrite lives once. Imports nothing of the project.
"""

from __future__ import annotations

import re
from typing import Any

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

TWILIO_BASE = "https://api.twilio.com"
# Every Twilio API domain: api.twilio.com (Messages), verify.twilio.com (Verify) …
_ANY_DOMAIN = re.compile(r"^https://[a-z0-9-]+\.twilio\.com")


def rebased(url: str, api_base: str) -> str:
    """`url` on `api_base` instead of Twilio's domain (unchanged for Twilio itself)."""
    if api_base.rstrip("/") == TWILIO_BASE:
        return url
    return _ANY_DOMAIN.sub(api_base.rstrip("/"), url, count=1)


class RebasedAsyncHttpClient(AsyncTwilioHttpClient):
    def __init__(self, api_base: str, timeout: float = 30) -> None:
        super().__init__(timeout=timeout)
        self.api_base = api_base

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return await super().request(method, rebased(url, self.api_base), *args, **kwargs)


class RebasedHttpClient(TwilioHttpClient):
    def __init__(self, api_base: str, timeout: float = 10) -> None:
        super().__init__(timeout=timeout)
        self.api_base = api_base

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, rebased(url, self.api_base), *args, **kwargs)


def async_client(account_sid: str, auth_token: str, api_base: str, timeout: float = 30) -> Client:
    """For code on an event loop (`messages.create_async`); create it inside that loop."""
    return Client(account_sid, auth_token, http_client=RebasedAsyncHttpClient(api_base, timeout))


def client(account_sid: str, auth_token: str, api_base: str, timeout: float = 10) -> Client:
    """For code in a worker thread."""
    return Client(account_sid, auth_token, http_client=RebasedHttpClient(api_base, timeout))
