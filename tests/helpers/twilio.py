"""Talking to the Twilio channels as Twilio does (signed webhooks) and reading the fake's outbox."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from twilio.request_validator import RequestValidator

PUBLIC = "https://balagh.example.sa"


WHATSAPP_FROM = "whatsapp:+966500000001"


SMS_FROM = "+966500000002"


TEMPLATES = {"in_progress": "HX" + "1" * 32}


def twilio_env(fake, **extra: str) -> dict[str, str]:
    """The variables that point a running bot's Twilio channels and the desk's notices at
    the fake Twilio API."""
    return {
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_WHATSAPP_NUMBER": WHATSAPP_FROM,
        "TWILIO_SMS_NUMBER": SMS_FROM,
        "TWILIO_API_BASE": fake.base_url,
        "TWILIO_RETRY_DELAY": "0.05",
        "BALAGH_PUBLIC_URL": PUBLIC,
        **extra,
    }


def post(
    bot,
    channel: str,
    params: dict,
    token: str | None = None,
    sign: bool = True,
    signed_params: dict | None = None,
    signed_channel: str | None = None,
) -> int:
    """POST a Twilio-style webhook, signed for the public URL like Twilio does."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if sign:
        validator = RequestValidator(token or "fake-auth-token")
        headers["X-Twilio-Signature"] = validator.compute_signature(
            f"{PUBLIC}/webhooks/{signed_channel or channel}/webhook", signed_params or params
        )
    request = urllib.request.Request(
        f"{bot.rasa_url}/webhooks/{channel}/webhook",
        data=urllib.parse.urlencode(params).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status
    except urllib.error.HTTPError as failure:
        return failure.code


def whatsapp(bot, user: str, body: str, **extra) -> dict:
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": user,
        "To": WHATSAPP_FROM,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }
    assert post(bot, "whatsapp", params) == 200
    return params


def new_user(prefix: str = "whatsapp:+9665") -> str:
    return prefix + str(uuid.uuid4().int)[:8]


def replies_to(twilio, user: str, count: int, timeout: float = 30) -> list[dict]:
    """Poll the fake API until `count` messages reached `user`; return them in order."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = [m for m in twilio.sent() if m["To"] == user]
        if len(messages) >= count:
            return messages
        time.sleep(0.05)
    raise AssertionError(f"{user} got {[m.get('Body') for m in twilio.sent() if m['To'] == user]}")


def wait_for_text(twilio, user: str, fragment: str, timeout: float = 30) -> list[dict]:
    """Poll until a message to `user` contains `fragment`; return all messages to `user`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = [m for m in twilio.sent() if m["To"] == user]
        if any(fragment in (m.get("Body") or "") for m in messages):
            return messages
        time.sleep(0.05)
    bodies = [m.get("Body") for m in twilio.sent() if m["To"] == user]
    raise AssertionError(f"no message with {fragment!r} to {user}: {bodies}")
