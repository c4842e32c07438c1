"""WhatsApp and SMS: the real Rasa server with signed, unsigned, wrongly signed and replayed
webhooks, and the real `twilio` client sending to a local fake Twilio API."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.rules.arabic import strip_diacritics
from bot.rules.sms_text import sms_segments
from bot.store.models import InboundMessage, OutboundMessage, Report
from tests.e2e.conftest import running_bot
from tests.helpers.twilio import (
    SMS_FROM,
    TEMPLATES,
    WHATSAPP_FROM,
    new_user,
    post,
    replies_to,
    twilio_env,
    wait_for_text,
    whatsapp,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def twilio_bot(tmp_path_factory, twilio):
    work = tmp_path_factory.mktemp("twilio")
    env = twilio_env(
        twilio,
        TWILIO_VERIFY_SERVICE_SID=VERIFY_SERVICE,
        TWILIO_WHATSAPP_TEMPLATES=json.dumps(TEMPLATES),
    )
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}", env
    ) as bot:
        yield bot


VERIFY_SERVICE = "VA" + "5" * 32


def test_another_number_given_on_whatsapp_is_confirmed_through_twilio_verify(twilio_bot, twilio):
    user = new_user()
    for text in ["ابي اصعد شكوى", "منى خالد", "1000000099"]:
        whatsapp(twilio_bot, user, text)
    whatsapp(twilio_bot, user, "0559876543")  # not the number she writes from
    wait_for_text(twilio, user, "رمز تحقق")
    assert (VERIFY_SERVICE, "send", "+966559876543") in twilio.verify_requests
    assert (
        not Path(twilio_bot.otp_outbox).exists()
        or "+966559876543" not in Path(twilio_bot.otp_outbox).read_text()
    )  # Verify made the code: nothing in the development outbox
    sent = twilio.verify_codes["+966559876543"]
    whatsapp(twilio_bot, user, "000000" if sent != "000000" else "111111")
    wait_for_text(twilio, user, "الرمز غير صحيح")
    whatsapp(twilio_bot, user, sent)
    wait_for_text(twilio, user, "تم التحقق من رقم جوالك")
    assert (VERIFY_SERVICE, "check", "+966559876543") in twilio.verify_requests


def outbound_row(bot, user: str, timeout: float = 30) -> OutboundMessage:
    """Poll the store until the message to `user` has a final status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with bot.store.session() as session:
            row = session.execute(
                select(OutboundMessage).where(OutboundMessage.recipient == user)
            ).scalar_one_or_none()
            if row is not None and row.status != "queued":
                return row
        time.sleep(0.05)
    raise AssertionError(f"no final outbound status for {user}")


def test_unsigned_and_wrongly_signed_webhooks_are_refused(twilio_bot, twilio):
    user = new_user()
    params = {"MessageSid": "SMunsigned", "From": user, "To": WHATSAPP_FROM, "Body": "هلا"}
    assert post(twilio_bot, "whatsapp", params, sign=False) == 403
    assert post(twilio_bot, "whatsapp", params, token="not-the-token") == 403
    assert post(twilio_bot, "sms", params, signed_channel="whatsapp") == 403  # another URL
    tampered = {**params, "Body": "ابي اصعد شكوى"}
    assert post(twilio_bot, "whatsapp", tampered, signed_params=params) == 403
    with twilio_bot.store.session() as session:
        assert session.get(InboundMessage, "SMunsigned") is None
    assert all(m["To"] != user for m in twilio.sent())


def test_buttons_become_numbered_choices_and_a_number_selects(twilio_bot, twilio):
    user = new_user()
    whatsapp(twilio_bot, user, "السلام عليكم")
    [greeting] = replies_to(twilio, user, 1)
    assert "1) تقديم شكوى" in greeting["Body"] and greeting["From"] == WHATSAPP_FROM
    whatsapp(twilio_bot, user, "١")  # Arabic-Indic digit
    messages = replies_to(twilio, user, 3)
    assert "ما اسمك الكامل" in messages[-1]["Body"]


def test_a_replayed_message_is_processed_once(twilio_bot, twilio):
    user = new_user()
    params = whatsapp(twilio_bot, user, "السلام عليكم")
    replies_to(twilio, user, 1)
    assert post(twilio_bot, "whatsapp", params) == 200  # Twilio retries, or a replay
    assert post(twilio_bot, "whatsapp", params) == 200
    whatsapp(twilio_bot, user, "شكرا")  # a later message is still processed
    messages = replies_to(twilio, user, 2)
    assert len(messages) == 2 and "العفو" in messages[1]["Body"]
    user_turns = [e for e in twilio_bot.tracker(user)["events"] if e["event"] == "user"]
    assert [e["text"] for e in user_turns] == ["السلام عليكم", "شكرا"]


def test_sms_replies_have_no_diacritics_and_go_as_one_message(twilio_bot, twilio):
    user = new_user("+9665")
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": user, "To": SMS_FROM, "Body": "هلا"}
    assert post(twilio_bot, "sms", params) == 200
    [reply] = replies_to(twilio, user, 1)
    assert reply["Body"] == strip_diacritics(reply["Body"])
    assert "أهلا" in reply["Body"] and "1) تقديم شكوى" in reply["Body"]
    assert sms_segments(reply["Body"]) > 1  # several segments, one API call


def test_sending_is_retried_after_a_500_and_failures_are_recorded(twilio_bot, twilio):
    user = new_user()
    twilio.fail_next(2, status=500, code=20500)
    whatsapp(twilio_bot, user, "السلام عليكم")
    [reply] = replies_to(twilio, user, 1)
    assert "تقديم شكوى" in reply["Body"]
    row = outbound_row(twilio_bot, user)
    assert (row.status, row.attempts, row.twilio_sid) == ("sent", 3, reply["sid"])
    broken = new_user()
    twilio.fail_next(1, status=400, code=21211)  # invalid 'To': not retried
    whatsapp(twilio_bot, broken, "السلام عليكم")
    row = outbound_row(twilio_bot, broken)
    assert (row.status, row.error_code, row.attempts) == ("failed", 21211, 1)


def complaint_over_whatsapp(bot, twilio, user: str) -> Report:
    # The number she writes from, given as her mobile: verified by the channel, no code.
    own = "0" + user.removeprefix("whatsapp:+966")
    steps = ["ابي اصعد شكوى", "منى خالد", "1000000099", own, "1", "وزارة الصحة"]
    steps += ["صحتي", "حجز موعد", "2"]
    for text in steps:
        whatsapp(bot, user, text)
    twilio.media["shot.png"] = (b"\x89PNG\r\n\x1a\n fake image", "image/png")
    extra = {"NumMedia": "1", "MediaUrl0": f"{twilio.base_url}/media/shot.png"}
    extra["MediaContentType0"] = "image/png"
    whatsapp(bot, user, "", **extra)
    for text in ["تعطل التطبيق", "يظهر خطأ عند فتح صفحة الحجز", "تخطي", "1"]:
        whatsapp(bot, user, text)
    with bot.store.session() as session:
        return session.execute(select(Report).where(Report.conversation_id == user)).scalar_one()


def test_whatsapp_media_is_an_attachment_and_notifications_use_templates_outside_24h(
    twilio_bot, twilio
):
    user = new_user()
    report = complaint_over_whatsapp(twilio_bot, twilio, user)
    assert report.channel == "whatsapp"
    assert [(d.kind, d.content_type) for d in report.documents] == [("screenshot", "image/png")]
    before = len(wait_for_text(twilio, user, report.number))
    assert (
        twilio_bot.staff("POST", f"/api/reports/{report.number}/status", {"status": "in_progress"})[
            0
        ]
        == 200
    )
    inside = replies_to(twilio, user, before + 1)[-1]
    assert "جارٍ العمل" in inside["Body"] and "ContentSid" not in inside

    with twilio_bot.store.session() as session:  # the user went quiet 25 hours ago
        session.execute(
            update(InboundMessage)
            .where(InboundMessage.sender == user)
            .values(received_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=25))
        )
    assert (
        twilio_bot.staff(
            "POST", f"/api/reports/{report.number}/status", {"status": "under_review"}
        )[0]
        == 200
    )
    assert (
        twilio_bot.staff("POST", f"/api/reports/{report.number}/status", {"status": "in_progress"})[
            0
        ]
        == 200
    )
    outside = replies_to(twilio, user, before + 2)[-1]
    assert outside["ContentSid"] == TEMPLATES["in_progress"]
    assert json.loads(outside["ContentVariables"])["1"] == report.number


def test_sms_users_are_told_how_to_send_documents(twilio_bot, twilio):
    user = new_user("+9665")
    steps = ["ابي اصعد شكوى", "ريم علي", "1000000008", "0" + user.removeprefix("+966"), "1"]
    steps += ["وزارة الصحة"]
    steps += ["صحتي", "حجز موعد", "2"]
    for text in steps:
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": user, "To": SMS_FROM, "Body": text}
        assert post(twilio_bot, "sms", params) == 200
    messages = wait_for_text(twilio, user, "الرسائل النصية لا تحمل صورا")  # no tanween on SMS
    assert "واتساب" in messages[-1]["Body"]


FORM_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    channel=st.sampled_from(["whatsapp", "sms"]),
    fields=st.dictionaries(
        st.sampled_from(["MessageSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "X"]),
        FORM_TEXT,
        max_size=7,
    ),
    signed=st.booleans(),
)
def test_fuzzed_webhooks_never_fail_the_server(twilio_bot, twilio, channel, fields, signed):
    """Unsigned: refused (403). Signed but odd (no sender, huge body, NumMedia "x"...):
    a clear 2xx/4xx, never a 500."""
    status = post(twilio_bot, channel, fields, token=twilio.auth_token, sign=signed)
    assert status < 500, fields
    if not signed:
        assert status == 403
