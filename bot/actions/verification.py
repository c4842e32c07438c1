"""One-time codes from the actions: sending them, checking them, and who is asking.

Two uses (issue 19): the mobile a citizen gives is confirmed with a code before the
report is filed (on WhatsApp and SMS the channel's own number needs none), and a report
is opened to another conversation only by a code sent to the mobile it was filed with.

Codes go through Twilio Verify (the `twilio` client's `verify.v2`) when
`TWILIO_VERIFY_SERVICE_SID` is set: Twilio makes the code, sends an SMS with the
service's name, and checks it. Otherwise (the embedded default of `balagh run`) they go
to the development outbox, `var/otp.log` (mode 600), one line per code:
`<ISO time> <E.164 mobile> <code>`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock, twilio_api
from bot.actions import services
from bot.actions.form_validation import Rejection, choice_of, latest_user_metadata
from bot.private import open_private_append
from bot.rules import codes as rules
from bot.rules.identity import mask_phone
from bot.store import codes as stored

logger = logging.getLogger(__name__)

# The buttons offered with a code question, and the words that mean them.
CODE_OPTIONS = {
    "new_code": [
        *("رمز جديد", "رمزا جديدا", "ارسل رمز", "ارسل الرمز", "اعد الارسال", "اعاده ارسال"),
        *("ما وصلني", "ماوصلني", "ما وصل", "لم يصل", "لم يصلني", "ما جاني", "ماجاني"),
        *("new code", "resend", "send again"),
    ],
    "change_mobile": [
        *("غير الرقم", "غير رقم", "تغيير الرقم", "تغيير رقم", "رقم ثاني", "رقم اخر", "رقم غلط"),
        *("الرقم غلط", "الرقم خطا", "جوال ثاني", "جوال اخر", "change number", "wrong number"),
    ],
}
# What each outcome of a code check says (bot.store.codes.Checked.outcome).
CODE_OUTCOMES = {
    "expired": "utter_code_expired",
    "too_many": "utter_code_too_many_tries",
    "none": "utter_code_none",
    "not_checked": "utter_code_not_checked",
}
REFUSALS = {
    "too_soon": "utter_code_too_soon",
    "too_many": "utter_code_limit",
    "not_sent": "utter_code_not_sent",
}
CHANNEL_NUMBER_CHANNELS = {"whatsapp": "whatsapp:", "sms": ""}


def key() -> bytes:
    return services.settings().code_secret.value().encode("utf-8")


def limits() -> rules.Limits:
    settings = services.settings()
    return rules.Limits(per_mobile=settings.otp_per_mobile, per_client=settings.otp_per_client)


def client_of(tracker: Tracker) -> str | None:
    """The client address the channel saw (web chat, REST); the channels set it
    themselves, a caller cannot."""
    client = latest_user_metadata(tracker).get("client")
    return str(client)[:64] if isinstance(client, str) and client else None


def channel_number(tracker: Tracker) -> str | None:
    """The number a WhatsApp or SMS citizen writes from (E.164), else None."""
    prefix = CHANNEL_NUMBER_CHANNELS.get(tracker.get_latest_input_channel() or "")
    sender = tracker.sender_id or ""
    if prefix is None or not sender.startswith(prefix):
        return None
    number = sender[len(prefix) :]
    return number if number.startswith("+") else None


def uses_verify() -> bool:
    settings = services.settings()
    return bool(settings.twilio_verify_service_sid and settings.twilio_account_sid)


@lru_cache(maxsize=4)
def _verify_client(account: str, token: str, api_base: str) -> Any:
    """Tests point Twilio at a local fake (`bot.twilio_api` rewrites the Verify domain)."""
    return twilio_api.client(account, token, api_base)


def _verify_service() -> Any:
    settings = services.settings()
    client = _verify_client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        settings.twilio_api_base.rstrip("/"),
    )
    return client.verify.v2.services(settings.twilio_verify_service_sid)


def _deliver(mobile: str, code: str | None, now: dt.datetime) -> None:
    """Send the code (blocking: run in a worker thread)."""
    if code is None:
        _verify_service().verifications.create(to=mobile, channel="sms", locale="ar")
        return
    with open_private_append(services.settings().otp_outbox) as handle:
        handle.write(f"{now.isoformat()} {mobile} {code}\n".encode())


def codes_in_outbox(outbox: Path | str, mobile: str) -> list[str]:
    """The codes the development outbox holds for `mobile`, oldest first (what a
    developer, the tests and the benchmark read instead of an SMS)."""
    path = Path(outbox)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [fields[2] for fields in (line.split() for line in lines) if fields[1] == mobile]


def _remote_check(mobile: str) -> Any:
    def check(code: str) -> bool:
        result = _verify_service().verification_checks.create(to=mobile, code=code)
        return result.status == "approved"

    return check


async def send_code(
    tracker: Tracker,
    purpose: str,
    mobile: str,
    report_number: str | None = None,
    deliver: bool = True,
) -> stored.Issued:
    """Issue and send a code when the rules allow; the refusal otherwise. A code that
    could not be sent is reported as `refusal` "not_sent" (the citizen is told).
    `deliver=False`: the same steps and limits, nothing sent (a report number that does
    not exist is answered as one that does)."""
    now = clock.now()
    via = "verify" if uses_verify() and deliver else "outbox"
    issued = await services.run(
        stored.issue,
        key(),
        purpose=purpose,
        conversation_id=tracker.sender_id,
        mobile=mobile,
        now=now,
        limits=limits(),
        client=client_of(tracker),
        report_number=report_number,
        via=via,
    )
    if not issued.allowed:
        logger.info("code for %s refused: %s", mask_phone(mobile), issued.refusal)
        return issued
    if not deliver:
        return issued
    try:
        await asyncio.to_thread(_deliver, mobile, issued.code, now)
    except Exception as failure:  # Twilio down, outbox unwritable: say so, never hang
        logger.error("code to %s not sent: %s", mask_phone(mobile), failure)
        return stored.Issued(False, "not_sent")
    logger.info("code sent to %s (%s, %s)", mask_phone(mobile), purpose, via)
    return issued


async def check_code(
    tracker: Tracker, purpose: str, mobile: str, code: str, report_number: str | None = None
) -> stored.Checked:
    try:
        return await services.run(
            stored.check,
            key(),
            purpose=purpose,
            conversation_id=tracker.sender_id,
            mobile=mobile,
            code=code,
            now=clock.now(),
            report_number=report_number,
            remote=_remote_check(mobile) if uses_verify() else None,
        )
    except Exception as failure:  # Twilio's check failed: the try is not spent
        logger.error("code for %s not checked: %s", mask_phone(mobile), failure)
        return stored.Checked("not_checked")


async def code_pending(
    tracker: Tracker, purpose: str, mobile: str, report_number: str | None = None
) -> bool:
    return await services.run(
        stored.pending, key(), tracker.sender_id, purpose, mobile, clock.now(), report_number
    )


async def mobile_verified(tracker: Tracker, mobile: str | None) -> bool:
    """Has this conversation shown it holds `mobile`? The channel's own number counts
    (recorded the first time it is given)."""
    if not mobile:
        return False
    if await services.run(stored.is_verified, key(), tracker.sender_id, mobile):
        return True
    if channel_number(tracker) == mobile:
        await services.run(
            stored.record_channel_number, key(), tracker.sender_id, mobile, clock.now()
        )
        return True
    return False


def asked_option(tracker: Tracker, text: str) -> str | None:
    """A button of the code question pressed or said («ما وصلني»): new_code or
    change_mobile; None when the answer holds a code (or nothing of the kind)."""
    return None if rules.code_in(text) else choice_of(tracker, text, CODE_OPTIONS)


def missing_code() -> Rejection:
    return Rejection("utter_code_missing", hint="اكتب الرمز المكوّن من 6 أرقام كما وصلك.")


def wrong_code(checked: stored.Checked) -> Rejection:
    return Rejection("utter_code_wrong", tries_left=rules.tries_left_text(checked.tries_left))


def shown_mobile(mobile: str | None) -> str:
    """The mobile as messages show it: masked, isolated so that it reads left to right."""
    return f"\u2066{mask_phone(mobile)}\u2069"


def code_refusal(refusal: str | None, wait_seconds: int) -> Rejection:
    """Why no code was sent: too soon after the last one, too many this hour, or the
    sender failed."""
    return Rejection(
        REFUSALS.get(refusal or "", "utter_code_not_sent"), wait=rules.wait_text(wait_seconds)
    )


class ActionAskMobileCode(Action):
    """The code question of the report forms: a code goes out when none is usable (the
    first time, after it expired or its tries ran out), then the citizen is asked for
    it; without a code to send (limits, the sender down) the citizen is told why and
    offered to change the number or stop."""

    def name(self) -> str:
        return "action_ask_mobile_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        mobile = tracker.get_slot("mobile")
        if await code_pending(tracker, "mobile", mobile):
            dispatcher.utter_message(response="utter_ask_mobile_code", mobile=shown_mobile(mobile))
            return []
        issued = await send_code(tracker, "mobile", mobile)
        if issued.allowed:
            dispatcher.utter_message(response="utter_code_sent", mobile=shown_mobile(mobile))
        else:
            refusal = code_refusal(issued.refusal, issued.wait_seconds)
            dispatcher.utter_message(response=refusal.response, **refusal.variables)
        return []
