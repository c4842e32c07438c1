"""Agents working from Telegram (python-telegram-bot's `Application`), inside the desk.

New escalations are announced in the agents' chat with a «استلام» button. Agents are
the Telegram users mapped to desk accounts (`add-agent --telegram-id`); anyone else is
refused. Commands: `/reply <id> <text>` (delivered on the user's own channel),
`/handback <id>`, `/close <id>`. The same rules as the console apply (one taker wins,
only the holder replies, the same bounds: `bot/rules/input_bounds.py`) and every action is
audited.

The updates reach the handlers in one of two ways:
- long polling (the default): the `Application`'s updater asks Telegram with `getUpdates`;
- a webhook (production, with `BALAGH_TELEGRAM_WEBHOOK_URL` and
  `BALAGH_TELEGRAM_WEBHOOK_SECRET`): the desk registers the public URL with Telegram, which
  posts each update to the desk's `WEBHOOK_PATH` (passed by the edge) with the secret in
  `X-Telegram-Bot-Api-Secret-Token`; anything without it is refused.
Either way the `Application` runs inside the desk's event loop, started and stopped with it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import clock
from bot.desk import handoff_api
from bot.desk.staff_api import STORE_KEY, error
from bot.rules import input_bounds as bounds
from bot.settings import Settings
from bot.store.database import Store
from bot.store.handoffs import (
    agent_for_telegram,
    audit,
    mark_announced,
    take,
    unannounced,
)
from bot.store.models import Handoff

logger = logging.getLogger(__name__)
# httpx (python-telegram-bot's client) logs every request's URL, which holds the bot's token
logging.getLogger("httpx").setLevel(logging.WARNING)

CHANNELS = {"rest": "واجهة برمجية", "webchat": "الموقع", "whatsapp": "واتساب", "sms": "SMS"}
COMMANDS = ("reply", "handback", "close")
HELP = "الأوامر: /reply رقم نص · /handback رقم · /close رقم"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's rule for a webhook's secret token (1-256 of these); we ask for 32 at least.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,256}")
WEBHOOK_URL = "BALAGH_TELEGRAM_WEBHOOK_URL"
WEBHOOK_SECRET = "BALAGH_TELEGRAM_WEBHOOK_SECRET"


def webhook_settings(settings: Settings) -> tuple[str, str]:
    """The webhook's public URL and secret ("" and "" for long polling), checked: a wrong
    value stops the desk with one line naming the variable."""
    url, secret = settings.telegram_webhook_url, settings.telegram_webhook_secret
    if not url:
        return "", ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SystemExit(f"{WEBHOOK_URL}: not an https:// URL: {url!r}")
    if not parts.path.endswith(WEBHOOK_PATH):
        raise SystemExit(f"{WEBHOOK_URL}: the desk receives the updates at {WEBHOOK_PATH}")
    if not SECRET_PATTERN.fullmatch(secret):
        raise SystemExit(
            f"{WEBHOOK_SECRET}: required with {WEBHOOK_URL}: 32 to 256 characters of "
            "A-Z, a-z, 0-9, _ and -"
        )
    return url, secret


class TelegramDesk:
    def __init__(
        self,
        app: web.Application,
        token: str,
        chat_id: str,
        base_url: str,
        *,
        webhook_url: str = "",
        webhook_secret: str = "",
    ) -> None:
        self.app = app
        self.chat_id = chat_id
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        api = base_url.rstrip("/")
        builder = Application.builder().token(token).base_url(f"{api}/bot")
        builder = builder.base_file_url(f"{api}/file/bot")
        if webhook_url:  # no updater: the desk's route feeds the update queue
            builder = builder.updater(None)
        self.application = builder.build()
        self.application.add_handlers(
            [
                CallbackQueryHandler(self.on_button),
                CommandHandler(COMMANDS, self.on_command),
                MessageHandler(filters.TEXT, self.on_text),
            ]
        )
        self.application.add_error_handler(self.on_error)

    @classmethod
    def from_settings(cls, app: web.Application, settings: Any) -> TelegramDesk:
        url, secret = webhook_settings(settings)
        return cls(
            app,
            settings.telegram_token,
            settings.telegram_chat_id,
            settings.telegram_api,
            webhook_url=url,
            webhook_secret=secret,
        )

    @property
    def store(self) -> Store:
        return self.app[STORE_KEY]

    def add_routes(self, app: web.Application) -> None:
        """The webhook's route, in webhook mode (before the desk starts)."""
        if self.webhook_url:
            app.router.add_post(WEBHOOK_PATH, self.receive)

    # -- running inside the desk's loop ------------------------------------------------

    async def run(self, every: float) -> None:
        """Start the application (retrying until Telegram answers), then announce new
        escalations every `every` seconds until cancelled; stop the application then."""
        try:
            await self._start(every)
            while True:
                try:
                    await self.announce()
                except Exception:
                    logger.exception("telegram announcements failed; retrying")
                await asyncio.sleep(every)
        finally:
            await self._stop()

    async def _start(self, every: float) -> None:
        application = self.application
        while True:
            try:
                await application.initialize()  # once (getMe: the bot's name for commands)
                if not application.running:
                    await application.start()  # the handlers take updates from the queue
                if self.webhook_url:
                    await application.bot.set_webhook(
                        self.webhook_url, secret_token=self.webhook_secret
                    )
                    logger.info("telegram updates by webhook at %s", self.webhook_url)
                else:  # long polling; removes any webhook first
                    await application.updater.start_polling(
                        error_callback=lambda failure: logger.warning(
                            "telegram polling failed: %s", failure
                        )
                    )
                    logger.info("telegram updates by long polling")
                return
            except Exception:
                logger.exception("telegram start failed; retrying in %.0fs", every)
                await asyncio.sleep(every)

    async def _stop(self) -> None:
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def receive(self, request: web.Request) -> web.Response:
        """Telegram's webhook: an update, with the webhook's secret, into the queue."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self.webhook_secret.encode()):
            return error(403, "missing or wrong secret token")
        if not self.application.running:
            return error(503, "not ready")  # Telegram delivers it again later
        body = await request.read()
        try:
            update = Update.de_json(json.loads(body), self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return error(400, "not a Telegram update")
        if update is None:
            return error(400, "not a Telegram update")
        await self.application.update_queue.put(update)
        return web.json_response({"ok": True})

    # -- announcements -----------------------------------------------------------------

    async def announce(self) -> None:
        for handoff in await self.store.run(unannounced):
            summary = handoff.summary or {}
            slots = "، ".join(str(v) for v in (summary.get("slots") or {}).values())
            text = (
                f"محادثة جديدة #{handoff.id} عبر {CHANNELS.get(handoff.channel, handoff.channel)}: "
                f"{summary.get('wanted') or '-'}"
                + (f" ({slots})" if slots else "")
                + (f" · بلاغ {summary['report_number']}" if summary.get("report_number") else "")
            )
            button = InlineKeyboardButton("استلام", callback_data=f"take:{handoff.id}")
            await self.application.bot.send_message(
                self.chat_id, text, reply_markup=InlineKeyboardMarkup([[button]])
            )
            await self.store.run(mark_announced, handoff.id, clock.now())

    # -- handlers ------------------------------------------------------------------------

    async def _agent(self, update: Update) -> str | None:
        user = update.effective_user
        return await self.store.run(agent_for_telegram, user.id) if user else None

    async def on_button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """«استلام»: the first agent to press it takes the conversation."""
        query = update.callback_query
        agent = await self._agent(update)
        if agent is None:
            await query.answer("غير مصرح لك باستلام المحادثات.", show_alert=True)
            return
        kind, _, number = str(query.data or "").partition(":")
        handoff_id = bounds.handoff_id(number) if kind == "take" else None
        if handoff_id is None:
            await query.answer("طلب غير معروف.", show_alert=True)
            return
        won = await self.store.run(take, handoff_id, agent, clock.now())
        await query.answer("استلمت المحادثة." if won else "استلمها موظف آخر أو انتهت.")

    async def on_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Any other text: strangers are refused, agents get the list of commands."""
        message = update.effective_message
        if await self._agent(update) is None:
            await message.reply_text("غير مصرح لك: هذا البوت لموظفي مركز آمر فقط.")
            return
        await message.reply_text(HELP)

    async def on_command(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/reply, /handback and /close, for the agent holding the conversation."""
        message = update.effective_message
        agent = await self._agent(update)
        if agent is None:
            await message.reply_text("غير مصرح لك: هذا البوت لموظفي مركز آمر فقط.")
            return
        await self.command(agent, message.text or "", message)

    async def command(self, agent: str, text: str, message: Message) -> None:
        # the reply's text is taken as written (spaces and lines kept), not as arguments
        parts = text.split(maxsplit=2)
        command = parts[0].split("@")[0] if parts else ""
        if command not in {f"/{name}" for name in COMMANDS} or len(parts) < 2:
            await message.reply_text(HELP)
            return
        handoff_id = bounds.handoff_id(parts[1])
        row = await self._held(handoff_id, agent) if handoff_id is not None else None
        if row is None:
            await message.reply_text("هذه المحادثة ليست لديك.")
            return
        if command == "/reply":
            if len(parts) < 3:
                await message.reply_text("اكتب نص الرد بعد رقم المحادثة.")
                return
            try:
                text = bounds.text(parts[2].strip(), "text", bounds.MAX_REPLY, required=True)
            except bounds.BadInput:
                await message.reply_text(
                    f"لم يُرسل الرد: يجب ألا يزيد على {bounds.MAX_REPLY} حرف وألا يحوي محارف فارغة."
                )
                return
            status, _ = await handoff_api.call_bridge(
                self.app,
                "POST",
                "send",
                json={"conversation_id": row.conversation_id, "text": text, "agent": agent},
            )
            if status == 200:  # audited when delivered, as in the console
                await self.store.run(audit, agent, "reply", clock.now(), row.conversation_id)
            await message.reply_text("أُرسل الرد." if status == 200 else "تعذّر الإرسال.")
            return
        status = "returned" if command == "/handback" else "closed"
        await handoff_api.finish_handoff(self.app, row, agent, status)
        await message.reply_text(
            "أُعيدت المحادثة إلى المساعد." if status == "returned" else "أُنهيت."
        )

    async def _held(self, handoff_id: int, agent: str) -> Handoff | None:
        row = await self.store.run(handoff_api.load_handoff, handoff_id)
        if row is None or row.status != "active" or row.agent != agent:
            return None
        return row

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        number = update.update_id if isinstance(update, Update) else "-"
        logger.error("telegram update %s failed", number, exc_info=context.error)
