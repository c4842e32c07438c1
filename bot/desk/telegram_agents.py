"""Agents working from Telegram (python-telegram-bot), inside the desk.

New escalations are announced in the agents' chat with a «استلام» button. Agents are
the Telegram users mapped to desk accounts (`add-agent --telegram-id`); anyone else is
refused. Commands: `/reply <id> <text>` (delivered on the user's own channel),
`/handback <id>`, `/close <id>`. The same rules as the console apply (one taker wins,
only the holder replies, the same bounds: `bot/rules/input_bounds.py`) and every action is
audited.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import clock
from bot.desk import handoff_api
from bot.desk.staff_api import DATABASE_KEY
from bot.rules import input_bounds as bounds
from bot.store.handoffs import (
    agent_for_telegram,
    audit,
    mark_announced,
    take,
    unannounced,
)
from bot.store.models import Handoff

logger = logging.getLogger(__name__)

CHANNELS = {"rest": "واجهة برمجية", "webchat": "الموقع", "whatsapp": "واتساب", "sms": "SMS"}


class TelegramDesk:
    def __init__(self, app: web.Application, token: str, chat_id: str, base_url: str) -> None:
        self.app = app
        self.chat_id = chat_id
        self.bot = Bot(token, base_url=f"{base_url.rstrip('/')}/bot")
        self.offset = 0

    @property
    def database_url(self) -> str:
        return self.app[DATABASE_KEY]

    async def announce(self) -> None:
        for handoff in unannounced(self.database_url):
            summary = handoff.summary or {}
            slots = "، ".join(str(v) for v in (summary.get("slots") or {}).values())
            text = (
                f"محادثة جديدة #{handoff.id} عبر {CHANNELS.get(handoff.channel, handoff.channel)}: "
                f"{summary.get('wanted') or '-'}"
                + (f" ({slots})" if slots else "")
                + (f" · بلاغ {summary['report_number']}" if summary.get("report_number") else "")
            )
            button = InlineKeyboardButton("استلام", callback_data=f"take:{handoff.id}")
            await self.bot.send_message(
                self.chat_id, text, reply_markup=InlineKeyboardMarkup([[button]])
            )
            mark_announced(self.database_url, handoff.id, clock.now())

    async def poll(self) -> None:
        updates = await self.bot.get_updates(offset=self.offset, timeout=0)
        for update in updates:
            self.offset = update.update_id + 1
            try:
                await self.handle(update)
            except Exception:
                logger.exception("telegram update %s failed", update.update_id)

    async def handle(self, update: Update) -> None:
        user = update.effective_user
        agent = agent_for_telegram(self.database_url, user.id) if user else None
        if update.callback_query is not None:
            query = update.callback_query
            if agent is None:
                await query.answer("غير مصرح لك باستلام المحادثات.", show_alert=True)
                return
            kind, _, number = str(query.data or "").partition(":")
            handoff_id = bounds.handoff_id(number) if kind == "take" else None
            if handoff_id is None:
                await query.answer("طلب غير معروف.", show_alert=True)
                return
            won = take(self.database_url, handoff_id, agent, clock.now())
            await query.answer("استلمت المحادثة." if won else "استلمها موظف آخر أو انتهت.")
            return
        message = update.effective_message
        if message is None or not message.text:
            return
        if agent is None:
            await message.reply_text("غير مصرح لك: هذا البوت لموظفي مركز آمر فقط.")
            return
        await self.command(agent, message.text, message)

    async def command(self, agent: str, text: str, message: Any) -> None:
        parts = text.split(maxsplit=2)
        command = parts[0].split("@")[0] if parts else ""
        if command not in ("/reply", "/handback", "/close") or len(parts) < 2:
            await message.reply_text("الأوامر: /reply رقم نص · /handback رقم · /close رقم")
            return
        handoff_id = bounds.handoff_id(parts[1])
        row = self._held(handoff_id, agent) if handoff_id is not None else None
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
                audit(self.database_url, agent, "reply", clock.now(), row.conversation_id)
            await message.reply_text("أُرسل الرد." if status == 200 else "تعذّر الإرسال.")
            return
        status = "returned" if command == "/handback" else "closed"
        await handoff_api.finish_handoff(self.app, row, agent, status)
        await message.reply_text(
            "أُعيدت المحادثة إلى المساعد." if status == "returned" else "أُنهيت."
        )

    def _held(self, handoff_id: int, agent: str) -> Handoff | None:
        row = handoff_api.load_handoff(self.database_url, handoff_id)
        if row is None or row.status != "active" or row.agent != agent:
            return None
        return row

    async def run(self, every: float) -> None:
        await self.bot.initialize()
        while True:
            try:
                await self.announce()
                await self.poll()
            except Exception:
                logger.exception("telegram desk pass failed; retrying")
            await asyncio.sleep(every)
