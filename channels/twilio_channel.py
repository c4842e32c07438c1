"""WhatsApp and SMS through Twilio, for a government service.

Unlike Rasa's stock connector this one:
- verifies every webhook's `X-Twilio-Signature` with the official library against the
  public URL configured (proxies rewrite the request URL), and answers 403 otherwise;
- processes a MessageSid once, however often Twilio (or an attacker) sends it;
- never blocks the server on sending: messages go through a per-recipient queue, in
  order, retried with backoff, each logged with its fate and Twilio error code;
- turns buttons into numbered choices and maps a numbered reply back to the payload;
- takes WhatsApp images and PDFs as attachments: the account's credentials go only to the
  configured API host (`MediaUrl`), its redirects are followed without them and only to
  Twilio's media hosts; the body is streamed up to 10 MB and typed by its first bytes; a
  refused or failed download is answered in Arabic (send it again), never with a 500;
- outside WhatsApp's 24-hour window, sends notifications as approved templates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yarl
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot import clock, twilio_api
from bot.rules.identity import mask_phone
from bot.rules.input_bounds import MAX_MESSAGE
from bot.rules.notices import OPT_OUT_REPLIES, opt_out_request
from bot.rules.sms_text import chosen_index, for_sms, numbered, sms_segments
from bot.settings import load_settings
from bot.store import media
from bot.store.channel_state import (
    adopt,
    first_delivery,
    keep_pending,
    last_inbound_at,
    log_outbound,
    offer_choices,
    offered_choices,
    orphans,
    outbound_result,
    record_opt_out,
)
from bot.store.database import Store, shared_store

logger = logging.getLogger(__name__)

# Twilio's `From`: `whatsapp:+<E.164>` on WhatsApp, `+<E.164>` by SMS (the conversation id).
SENDER_FORMAT = {
    "whatsapp": re.compile(r"whatsapp:\+[1-9][0-9]{6,14}"),
    "sms": re.compile(r"\+[1-9][0-9]{6,14}"),
    "twilio": re.compile(r"(whatsapp:)?\+[1-9][0-9]{6,14}"),
}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
ALLOWED_MEDIA = set(media.EXTENSIONS)
MAX_MEDIA_BYTES = media.MAX_MEDIA_BYTES
# Where Twilio's media API (`MediaUrl`, on api.twilio.com) redirects a download: its CDN
# (mms.twiliocdn.com when HTTP auth is enforced on media, media.twiliocdn.com), or the S3
# host of media stored before that. Only https, and never with the account's credentials.
TWILIO_MEDIA_HOSTS = ("mms.twiliocdn.com", "media.twiliocdn.com", "s3-external-1.amazonaws.com")
MAX_MEDIA_REDIRECTS = 3
# All the media of one message must arrive within this budget (`TWILIO_MEDIA_TIMEOUT`):
# Twilio gives up on a webhook after 15 s by default, and the turn would be lost with it.
DEFAULT_MEDIA_TIMEOUT = 10.0
MEDIA_NOT_RECEIVED = media.NOT_RECEIVED_RESPONSE
# A message Twilio cannot take now (5xx, 429, the network) is retried, its recipient's later
# messages waiting behind it (order kept), the delay doubling from `retry_delay` up to
# `RETRY_CAP`, until it has waited `retry_window`: a Twilio outage of minutes loses nothing.
RETRY_CAP = 60.0
DEFAULT_RETRY_WINDOW = 1800.0
# A waiting message is touched at least every `RETRY_CAP` while its replica lives; one left
# untouched for `ADOPT_AFTER` seconds belongs to a replica that stopped (a crash, a restart
# during an outage) and another replica takes it over (`TwilioSender.adopt_orphans`, every
# `ADOPT_EVERY` seconds): its memory queue is gone, the row says what was not sent.
ADOPT_AFTER = 3 * RETRY_CAP
ADOPT_EVERY = 60.0
WHATSAPP_WINDOW = dt.timedelta(hours=24)


@dataclass
class TwilioConfig:
    """One Twilio sender (a WhatsApp or an SMS number) and how it is reached."""

    account_sid: str
    auth_token: str
    from_number: str
    public_url: str
    api_base: str = "https://api.twilio.com"
    templates: dict[str, str] = field(default_factory=dict)
    media_dir: Path = field(default_factory=lambda: load_settings().media_dir)
    retry_delay: float = 0.5
    retry_window: float = DEFAULT_RETRY_WINDOW
    media_timeout: float = DEFAULT_MEDIA_TIMEOUT
    adopt_after: float = ADOPT_AFTER

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any]) -> TwilioConfig:
        templates = credentials.get("templates") or {}
        if isinstance(templates, str):
            templates = json.loads(templates or "{}")
        return cls(
            account_sid=str(credentials["account_sid"]),
            auth_token=str(credentials["auth_token"]),
            from_number=str(credentials["from_number"]),
            public_url=str(credentials["public_url"]),
            api_base=str(credentials.get("api_base") or "https://api.twilio.com").rstrip("/"),
            templates=dict(templates),
            retry_delay=float(credentials.get("retry_delay", 0.5)),
            retry_window=float(credentials.get("retry_window", DEFAULT_RETRY_WINDOW)),
            media_timeout=float(credentials.get("media_timeout") or DEFAULT_MEDIA_TIMEOUT),
        )


@dataclass
class _Outgoing:
    message_id: int | None  # None: not recorded (the store was unreachable)
    to: str
    body: str | None
    content_sid: str | None
    variables: dict[str, str] | None


class TwilioSender:
    """Per-recipient ordered queues drained in the background, with retries."""

    def __init__(self, config: TwilioConfig, channel: str, store: Store) -> None:
        self.config = config
        self.channel = channel
        self.store = store
        self._client: Client | None = None
        self._queues: dict[str, asyncio.Queue[_Outgoing]] = {}
        self._workers: dict[str, asyncio.Task] = {}

    @property
    def client(self) -> Client:
        if self._client is None:  # created inside the server's event loop
            self._client = twilio_api.async_client(
                self.config.account_sid, self.config.auth_token, self.config.api_base
            )
        return self._client

    async def send(
        self,
        to: str,
        body: str | None = None,
        content_sid: str | None = None,
        variables: dict[str, str] | None = None,
    ) -> None:
        """Queue a message (returns at once; delivery happens in the background)."""
        try:
            message_id: int | None = await self.store.run(
                log_outbound, self.channel, to, body, content_sid, clock.now()
            )
        except Exception as failure:  # the store unreachable: send it unrecorded
            logger.error(
                "outbound %s message not recorded (%s): sent anyway", self.channel, failure
            )
            message_id = None
        await self._enqueue(_Outgoing(message_id, to, body, content_sid, variables))

    async def _enqueue(self, item: _Outgoing) -> None:
        queue = self._queues.setdefault(item.to, asyncio.Queue())
        await queue.put(item)
        worker = self._workers.get(item.to)
        if worker is None or worker.done():
            self._workers[item.to] = asyncio.create_task(self._drain(item.to, queue))

    async def adopt_orphans(self, now: dt.datetime | None = None) -> int:
        """Send the messages a stopped replica left waiting (`ADOPT_AFTER`), each taken over
        by one replica only, oldest first; how many were taken. A template message cannot be
        rebuilt (its variables are not stored): it is recorded as failed, with the reason."""
        now = now or clock.now()
        stale_before = now - dt.timedelta(seconds=self.config.adopt_after)
        taken = 0
        for orphan in await self.store.run(orphans, self.channel, stale_before):
            if not await self.store.run(adopt, orphan.id, stale_before, now):
                continue  # another replica was first
            if orphan.body is None:
                await self._record(
                    orphan.id, "failed", now, 0, None, None, "replica stopped; template not kept"
                )
                continue
            taken += 1
            await self._enqueue(_Outgoing(orphan.id, orphan.recipient, orphan.body, None, None))
        if taken:
            logger.warning(
                "twilio %s: %s message(s) left by a stopped replica taken over", self.channel, taken
            )
        return taken

    async def adopt_forever(self) -> None:
        """`adopt_orphans` every `ADOPT_EVERY` seconds for the server's life."""
        while True:
            try:
                await self.adopt_orphans()
            except Exception as failure:  # the store away: next time
                logger.warning("twilio %s: orphans not checked (%s)", self.channel, failure)
            await asyncio.sleep(ADOPT_EVERY)

    async def _drain(self, to: str, queue: asyncio.Queue[_Outgoing]) -> None:
        while not queue.empty():
            await self._deliver(await queue.get())

    async def _deliver(self, item: _Outgoing) -> None:
        arguments: dict[str, Any] = {"to": item.to, "from_": self.config.from_number}
        if item.content_sid:
            arguments["content_sid"] = item.content_sid
            arguments["content_variables"] = json.dumps(item.variables or {}, ensure_ascii=False)
        else:
            arguments["body"] = item.body
        give_up_at = time.monotonic() + self.config.retry_window
        delay = self.config.retry_delay
        attempt = 0
        while True:
            attempt += 1
            try:
                message = await self.client.messages.create_async(**arguments)
            except TwilioRestException as failure:
                retryable = failure.status >= 500 or failure.status == 429
                failed = (failure.code, failure.msg)
                logger.warning(
                    "twilio %s to %s failed (HTTP %s, Twilio error %s), attempt %s",
                    self.channel,
                    mask_phone(item.to.removeprefix("whatsapp:")),
                    failure.status,
                    failure.code,
                    attempt,
                )
            except (aiohttp.ClientError, asyncio.TimeoutError) as failure:
                retryable, failed = True, (None, str(failure) or type(failure).__name__)
                logger.warning(
                    "twilio %s unreachable (%s), attempt %s", self.channel, failed[1], attempt
                )
            else:
                await self._record(item.message_id, "sent", clock.now(), attempt, message.sid)
                return
            if not retryable or time.monotonic() + delay > give_up_at:
                await self._record(item.message_id, "failed", clock.now(), attempt, None, *failed)
                return
            # Recorded as waiting: operators see the queue while Twilio is away, and the
            # other replicas see that this one still holds the recipient's messages.
            await self._record(item.message_id, "retrying", clock.now(), attempt, None, *failed)
            await self._keep_pending(item.to)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_CAP)

    async def _keep_pending(self, to: str) -> None:
        try:
            await self.store.run(keep_pending, self.channel, to, clock.now())
        except Exception as failure:
            logger.error("waiting messages to a recipient not touched: %s", failure)

    async def _record(self, message_id: int | None, *result: Any) -> None:
        """Record a delivery's outcome (not when the message was sent unrecorded, nor
        when the store is unreachable: the worker goes on with the queue)."""
        if message_id is None:
            return
        try:
            await self.store.run(outbound_result, message_id, *result)
        except Exception as failure:
            logger.error("outcome of outbound message %s not recorded: %s", message_id, failure)

    async def idle(self) -> None:
        """Wait until every queued message has been handled (for tests and shutdown)."""
        while any(not worker.done() for worker in self._workers.values()):
            await asyncio.gather(*self._workers.values(), return_exceptions=True)


class TwilioOutput(OutputChannel):
    """Formats Rasa's messages for WhatsApp or SMS and hands them to the sender."""

    def __init__(self, channel: str, sender: TwilioSender) -> None:
        self.channel = channel
        self.sender = sender
        self.store = sender.store

    def name(self) -> str:
        return self.channel

    def _address(self, recipient_id: str) -> str:
        return recipient_id

    def _format(self, text: str) -> str:
        return for_sms(text) if self.channel == "sms" else text

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        custom = kwargs.get("custom") or {}
        template = await self._template_for(recipient_id, custom)
        if template:
            await self.sender.send(
                self._address(recipient_id), content_sid=template, variables=custom.get("variables")
            )
            return
        body = self._format(text)
        if self.channel == "sms" and sms_segments(body) > 1:
            logger.info("SMS reply of %s segments sent as one message", sms_segments(body))
        await self.sender.send(self._address(recipient_id), body)

    async def _template_for(self, recipient_id: str, custom: dict[str, Any]) -> str | None:
        """An approved template for a notification outside WhatsApp's 24-hour window."""
        kind = custom.get("notification")
        if self.channel != "whatsapp" or not kind:
            return None
        last = await self.store.run(last_inbound_at, recipient_id)
        if last is not None and clock.now() - last < WHATSAPP_WINDOW:
            return None
        template = self.sender.config.templates.get(kind)
        if template is None:
            logger.error("no WhatsApp template configured for %s; sending free text", kind)
        return template

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        payloads = [str(b.get("payload") or b.get("title")) for b in buttons]
        await self.store.run(offer_choices, recipient_id, payloads, clock.now())
        titles = [str(b.get("title")) for b in buttons]
        await self.send_text_message(recipient_id, numbered(text, titles), **kwargs)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        """Notification metadata rides with the text (see `send_text_message`)."""

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.sender.send(self._address(recipient_id), image)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self.sender.send(self._address(recipient_id), str(attachment))


class _TwilioInput(InputChannel):
    """Shared webhook of the WhatsApp and SMS channels."""

    channel = "twilio"

    @classmethod
    def name(cls) -> str:
        return cls.channel

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(TwilioConfig.from_credentials(credentials))

    def __init__(self, config: TwilioConfig, store: Store | None = None) -> None:
        self.config = config
        # Rasa builds the channel from credentials: the Rasa process's store.
        self.store = store or shared_store(load_settings().database_url).upgrade_once()
        self.sender = TwilioSender(config, self.channel, self.store)
        self.validator = RequestValidator(config.auth_token)
        self._adopter: asyncio.Task | None = None

    def get_output_channel(self) -> OutputChannel:
        """Used for messages pushed later (notifications, agents' replies)."""
        return TwilioOutput(self.channel, self.sender)

    @staticmethod
    def _form(request: Request) -> dict[str, str]:
        """The POSTed fields, empty ones included (Twilio signs `Body=` of a media-only
        message too; Sanic's `request.form` would drop it and break the signature)."""
        body = (request.body or b"").decode("utf-8", errors="replace")
        return dict(urllib.parse.parse_qsl(body, keep_blank_values=True))

    def _signed(self, request: Request, form: dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(signature) and self.validator.validate(self.config.public_url, form, signature)

    async def _attachments(self, form: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
        """The media of a message, stored; and how many of them were refused or failed."""
        try:
            count = int(form.get("NumMedia") or 0)
        except ValueError:
            count = 0
        found: list[dict[str, Any]] = []
        refused = 0
        deadline = asyncio.get_running_loop().time() + self.config.media_timeout
        for index in range(min(max(count, 0), 10)):
            url = form.get(f"MediaUrl{index}")
            if not url:
                continue
            declared = (form.get(f"MediaContentType{index}") or "").split(";")[0].strip().lower()
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                if remaining <= 0:
                    raise MediaRefused("no time left for this message's media")
                found.append(await asyncio.wait_for(self._download(url, declared), remaining))
            except asyncio.TimeoutError:
                refused += 1
                logger.warning("%s media not received within the time allowed", self.channel)
            except MediaRefused as refusal:
                refused += 1
                logger.warning("%s media refused: %s", self.channel, refusal)
            except Exception as failure:  # a network error, a malformed URL...: never a 500
                refused += 1
                logger.warning("%s media download failed: %r", self.channel, failure)
        return found, refused

    def _api_origin(self, url: yarl.URL) -> bool:
        """The configured API's own origin: the only one given the account's credentials."""
        base = yarl.URL(self.config.api_base)
        return (
            url.is_absolute()
            and url.user is None
            and url.password is None
            and (url.scheme, (url.host or "").lower(), url.port)
            == (base.scheme, (base.host or "").lower(), base.port)
        )

    def _media_host(self, url: yarl.URL) -> bool:
        """Where a download may be redirected (without credentials)."""
        host = (url.host or "").lower().rstrip(".")
        twilio_cdn = url.scheme == "https" and url.port == 443 and host in TWILIO_MEDIA_HOSTS
        return url.user is None and (twilio_cdn or self._api_origin(url))

    async def _download(self, url: str, declared_type: str) -> dict[str, Any]:
        """Fetch one medium and store it, or raise `MediaRefused`. The credentials go with
        the first request only, to the API's own origin; redirects are followed by hand."""
        if declared_type not in ALLOWED_MEDIA:
            raise MediaRefused(f"declared type {declared_type!r} is not accepted")
        target = yarl.URL(url)
        if not self._api_origin(target):
            raise MediaRefused(f"MediaUrl on {target.host!r}, not the Twilio API")
        auth: aiohttp.BasicAuth | None = aiohttp.BasicAuth(
            self.config.account_sid, self.config.auth_token
        )
        timeout = aiohttp.ClientTimeout(total=self.config.media_timeout)
        async with aiohttp.ClientSession(
            timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
        ) as session:
            for _ in range(MAX_MEDIA_REDIRECTS + 1):
                async with session.get(target, auth=auth, allow_redirects=False) as reply:
                    if reply.status in (301, 302, 303, 307, 308):
                        location = reply.headers.get("Location")
                        if not location:
                            raise MediaRefused(f"HTTP {reply.status} without a Location")
                        target = target.join(yarl.URL(location))
                        if not self._media_host(target):
                            raise MediaRefused(f"redirected to {target.host!r}")
                        auth = None  # the media hosts never get the account's credentials
                        continue
                    if reply.status != 200:
                        raise MediaRefused(f"HTTP {reply.status}")
                    data = await _read_at_most(reply, MAX_MEDIA_BYTES)
                    break
            else:
                raise MediaRefused("too many redirects")
        stored = await asyncio.to_thread(media.store, self.config.media_dir, data)
        if stored is None:
            raise MediaRefused("the bytes are not a JPEG, PNG, WebP or PDF file")
        return stored

    async def _tell_not_received(self, request: Request, output: TwilioOutput, sender: str) -> None:
        """Ask the citizen to send the file again (the domain's `utter_media_not_received`)."""
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        variations = (domain.responses if domain else {}).get(MEDIA_NOT_RECEIVED) or []
        texts = [v.get("text") for v in variations if v.get("channel") == self.channel]
        texts = texts or [v.get("text") for v in variations if not v.get("channel")]
        if not texts or not texts[0]:
            logger.error("the model's domain has no %s: retrain the model", MEDIA_NOT_RECEIVED)
            return
        await output.send_text_message(sender, texts[0])

    async def _opt_out(self, sender: str, text: str) -> bool:
        """«إيقاف» / STOP and «تشغيل» / START: recorded for the desk's SMS notices, answered
        in Arabic (Twilio answers its English keywords itself), not passed to the bot."""
        request = opt_out_request(text)
        if request is None:
            return False
        try:
            await self.store.run(record_opt_out, sender, request == "out", "keyword", clock.now())
        except Exception as failure:  # not recorded: the bot answers instead (nothing lost)
            logger.error("SMS opt-out of %s not recorded: %s", mask_phone(sender), failure)
            return False
        if not text.isascii():
            await self.sender.send(sender, OPT_OUT_REPLIES[request])
        logger.info("SMS opt-%s recorded for %s", request, mask_phone(sender))
        return True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint(f"{self.channel}_webhook", __name__)

        @hook.listener("after_server_start")
        async def start_adopting(_app: Any, _loop: Any) -> None:
            self._adopter = asyncio.create_task(self.sender.adopt_forever())

        @hook.listener("before_server_stop")
        async def stop_adopting(_app: Any, _loop: Any) -> None:
            if self._adopter is not None:
                self._adopter.cancel()

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            form = self._form(request)
            if not self._signed(request, form):
                logger.warning("%s webhook with a missing or wrong signature refused", self.channel)
                return response.text("invalid signature", status=403)
            sid = form.get("MessageSid") or form.get("SmsMessageSid")
            sender = form.get("From")
            if not sid or not sender:
                return response.text("missing MessageSid or From", status=400)
            if not SENDER_FORMAT[self.channel].fullmatch(sender):
                # Signed, so from Twilio: but a conversation id is only ever a phone number.
                logger.warning("%s webhook with an unexpected From refused", self.channel)
                return response.text("unexpected From", status=400)
            try:
                fresh = await self.store.run(first_delivery, sid, self.channel, sender, clock.now())
                choices = await self.store.run(offered_choices, sender) if fresh else []
            except Exception as failure:
                # The store unreachable: the message goes on to Rasa, which answers it or
                # apologises (bot/server/patches/outage.py); never a silent 500.
                logger.error(
                    "%s message %s not checked against the store: %s", self.channel, sid, failure
                )
                fresh, choices = True, []
            if not fresh:
                logger.info("%s message %s already processed; ignored", self.channel, sid)
                return response.text(EMPTY_TWIML, content_type="text/xml")
            text = (form.get("Body") or "").replace("\x00", "")[:MAX_MESSAGE]  # NUL never stored
            if self.channel == "sms" and await self._opt_out(sender, text):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            index = chosen_index(text, len(choices))
            if index is not None:
                text = choices[index]
            metadata: dict[str, Any] = {}
            attachments, refused = await self._attachments(form)
            output = TwilioOutput(self.channel, self.sender)
            if refused:
                await self._tell_not_received(request, output, sender)
                if not text and not attachments:  # nothing else to answer
                    return response.text(EMPTY_TWIML, content_type="text/xml")
            if attachments:
                metadata["attachments"] = attachments
                text = text or "📎"
            await on_new_message(
                UserMessage(
                    text,
                    output,
                    sender,
                    input_channel=self.channel,
                    metadata=metadata,
                )
            )
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return hook


class MediaRefused(Exception):
    """A medium that is not stored (why, for the log)."""


async def _read_at_most(reply: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole body, streamed; `MediaRefused` as soon as it is known to exceed `limit`
    (from Content-Length when given, else once the count passes it): never a cut file."""
    if reply.content_length is not None and reply.content_length > limit:
        raise MediaRefused(f"{reply.content_length} bytes announced, more than {limit}")
    chunks: list[bytes] = []
    total = 0
    async for chunk in reply.content.iter_chunked(64 * 1024):
        total += len(chunk)
        if total > limit:
            raise MediaRefused(f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class WhatsAppInput(_TwilioInput):
    """WhatsApp through Twilio: POST /webhooks/whatsapp/webhook."""

    channel = "whatsapp"


class SmsInput(_TwilioInput):
    """SMS through Twilio: POST /webhooks/sms/webhook."""

    channel = "sms"
