"""One-time codes: the rules, and the store that issues and checks them (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.rules import codes as rules
from bot.store import codes
from bot.store.models import OneTimeCode

KEY = b"k" * 32
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone.utc)
MOBILE = "+966551234567"
LIMITS = rules.Limits(per_mobile=5, per_client=20)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("482910", "482910"),
        ("الرمز ٤٨٢ ٩١٠", "482910"),
        ("482-910 شكراً", "482910"),
        ("الرمز هو ۴۸۲۹۱۰", "482910"),  # Persian digits
        ("12345", None),  # five digits
        ("0551234567", None),  # a mobile is no code
        ("111111 او 222222", None),  # two codes: which one?
        ("ما وصلني شي", None),
    ],
)
def test_the_code_is_read_inside_a_sentence_in_any_digits(text, code):
    assert rules.code_in(text) == code


def test_a_new_code_waits_a_minute_and_hourly_bounds_hold():
    fresh = rules.SentCounts(0, 0, 0, None)
    assert rules.may_send(fresh, LIMITS) == (True, None, 0)
    soon = rules.SentCounts(1, 1, 1, dt.timedelta(seconds=20))
    allowed, why, wait = rules.may_send(soon, LIMITS)
    assert (allowed, why) == (False, "too_soon") and 40 <= wait <= 41
    for counts in (
        rules.SentCounts(rules.MAX_PER_CONVERSATION, 0, 0, dt.timedelta(minutes=5)),
        rules.SentCounts(0, 5, 0, dt.timedelta(minutes=5)),
        rules.SentCounts(0, 0, 20, dt.timedelta(minutes=5)),
    ):
        assert rules.may_send(counts, LIMITS)[:2] == (False, "too_many")


def test_the_wording_agrees_with_the_numbers():
    assert rules.tries_left_text(1) == "بقيت لك محاولة واحدة"
    assert rules.tries_left_text(2) == "بقيت لك محاولتان"
    assert rules.tries_left_text(4) == "بقيت لك 4 محاولات"
    assert rules.wait_text(45) == "45 ثانية"
    assert rules.wait_text(5) == "5 ثوانٍ"
    assert rules.wait_text(3600) == "ساعة واحدة"


def issue(store, conversation="rest:a", mobile=MOBILE, now=NOW, client="10.0.0.1", **extra):
    return codes.issue(
        store,
        KEY,
        purpose=extra.pop("purpose", "mobile"),
        conversation_id=conversation,
        mobile=mobile,
        now=now,
        limits=extra.pop("limits", LIMITS),
        client=client,
        **extra,
    )


def check(store, code, conversation="rest:a", now=NOW, **extra):
    return codes.check(
        store,
        KEY,
        purpose=extra.pop("purpose", "mobile"),
        conversation_id=conversation,
        mobile=extra.pop("mobile", MOBILE),
        code=code,
        now=now,
        **extra,
    )


def test_neither_the_code_nor_the_mobile_is_stored(store):
    issued = issue(store)
    assert issued.allowed and len(issued.code) == 6 and issued.code.isdigit()
    with store.session() as session:
        [row] = session.execute(select(OneTimeCode)).scalars()
        stored = " ".join(str(v) for v in vars(row).values())
    assert issued.code not in stored and "551234567" not in stored and "10.0.0.1" not in stored


def test_the_right_code_verifies_the_mobile_for_this_conversation_only(store):
    code = issue(store).code
    assert not codes.is_verified(store, KEY, "rest:a", MOBILE)
    assert check(store, code, conversation="rest:b").outcome == "none"  # another conversation
    assert check(store, code).outcome == "ok"
    assert codes.is_verified(store, KEY, "rest:a", MOBILE)
    assert not codes.is_verified(store, KEY, "rest:b", MOBILE)
    assert not codes.is_verified(store, KEY, "rest:a", "+966509999999")
    assert check(store, code).outcome == "none"  # spent


def test_five_wrong_codes_end_the_code_and_the_tries_are_counted_down(store):
    code = issue(store).code
    wrong = "000000" if code != "000000" else "111111"
    outcomes = [check(store, wrong) for _ in range(5)]
    assert [(o.outcome, o.tries_left) for o in outcomes] == [
        ("wrong", 4),
        ("wrong", 3),
        ("wrong", 2),
        ("wrong", 1),
        ("too_many", 0),
    ]
    assert check(store, code).outcome == "too_many"  # even the right one, now
    assert not codes.is_verified(store, KEY, "rest:a", MOBILE)


def test_a_code_expires_after_ten_minutes(store):
    code = issue(store).code
    late = NOW + rules.CODE_LIFETIME
    assert codes.pending(store, KEY, "rest:a", "mobile", MOBILE, NOW)
    assert not codes.pending(store, KEY, "rest:a", "mobile", MOBILE, late)
    assert check(store, code, now=late).outcome == "expired"


def test_a_new_code_replaces_the_old_one_after_a_minute(store):
    first = issue(store).code
    assert issue(store, now=NOW + dt.timedelta(seconds=30)).refusal == "too_soon"
    second = issue(store, now=NOW + dt.timedelta(seconds=61)).code
    assert second is not None
    if first != second:
        assert check(store, first, now=NOW + dt.timedelta(seconds=62)).outcome == "wrong"
    assert check(store, second, now=NOW + dt.timedelta(seconds=63)).outcome == "ok"


def test_codes_are_bounded_per_mobile_and_per_client_address(store):
    # Five conversations each ask once for the same mobile: the sixth is refused.
    for n in range(5):
        assert issue(store, conversation=f"rest:{n}", client=f"10.0.0.{n}").allowed
    assert issue(store, conversation="rest:9", client="10.0.0.9").refusal == "too_many"
    # One address asking for many mobiles stops at its own bound.
    tight = rules.Limits(per_mobile=5, per_client=3)
    for n in range(3):
        assert issue(store, f"web:{n}", f"+96650000000{n}", client="10.9.9.9", limits=tight).allowed
    assert (
        issue(store, "web:7", "+966500000007", client="10.9.9.9", limits=tight).refusal
        == "too_many"
    )
    # An hour later the mobile may get codes again.
    later = NOW + rules.LIMIT_WINDOW + dt.timedelta(seconds=1)
    assert issue(store, conversation="rest:9", client="10.0.0.9", now=later).allowed


def test_a_conversation_asks_for_at_most_five_codes_an_hour(store):
    for n in range(rules.MAX_PER_CONVERSATION):
        minute = NOW + n * rules.RESEND_AFTER
        assert issue(store, mobile=f"+96650000001{n}", now=minute).allowed
    six = NOW + rules.MAX_PER_CONVERSATION * rules.RESEND_AFTER
    assert issue(store, mobile="+966500000020", now=six).refusal == "too_many"


def test_the_channels_own_number_counts_as_verified(store):
    codes.record_channel_number(store, KEY, "whatsapp:+966551234567", MOBILE, NOW)
    assert codes.is_verified(store, KEY, "whatsapp:+966551234567", MOBILE)
    # and it is no code: asking for one next is not "too soon"
    assert issue(store, conversation="whatsapp:+966551234567").allowed


def test_a_verify_code_is_checked_by_twilio_and_a_failed_check_spends_no_try(store):
    issued = issue(store, via="verify")
    assert issued.allowed and issued.code is None
    asked: list[str] = []

    def twilio(code: str) -> bool:
        asked.append(code)
        return code == "654321"

    assert check(store, "123456", remote=twilio).outcome == "wrong"

    def down(code: str) -> bool:
        raise ConnectionError("Twilio unreachable")

    with pytest.raises(ConnectionError):
        check(store, "654321", remote=down)
    result = check(store, "654321", remote=twilio)
    assert result.outcome == "ok" and asked == ["123456", "654321"]


def test_report_codes_are_kept_apart_by_report(store):
    code = issue(store, purpose="report", report_number="260000001").code
    other = check(store, code, purpose="report", report_number="260000002")
    assert other.outcome == "none"
    assert check(store, code, purpose="report", report_number="260000001").outcome == "ok"
    assert not codes.is_verified(store, KEY, "rest:a", MOBILE)  # a report code is no mobile's


def test_production_topologies_refuse_to_start_without_a_code_sender(monkeypatch):
    from bot.settings import load_settings

    for variable in ("TWILIO_ACCOUNT_SID", "TWILIO_VERIFY_SERVICE_SID", "BALAGH_OTP_OUTBOX"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(SystemExit, match="TWILIO_VERIFY_SERVICE_SID"):
        load_settings().refuse_outbox_codes("balagh cluster")
    assert "development outbox" in load_settings().codes_sender()
    monkeypatch.setenv("BALAGH_OTP_OUTBOX", "/tmp/otp-on-purpose.log")  # named on purpose
    load_settings().refuse_outbox_codes("balagh cluster")
    monkeypatch.delenv("BALAGH_OTP_OUTBOX")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_VERIFY_SERVICE_SID", "VA" + "0" * 32)
    load_settings().refuse_outbox_codes("balagh cluster")
    assert load_settings().codes_sender().startswith("Twilio Verify")


@pytest.mark.parametrize(
    ("peer", "edge", "forwarded", "counted_as"),
    [
        ("127.0.0.1", "1", "203.0.113.7", "203.0.113.7"),  # nginx on the same host
        ("172.18.0.5", "1", "10.1.1.1, 203.0.113.7", "203.0.113.7"),  # nginx's own hop
        ("93.184.216.34", "1", "198.51.100.1", "93.184.216.34"),  # forged from the Internet
        ("127.0.0.1", None, "198.51.100.1", "127.0.0.1"),  # no edge header: the peer
        (None, None, None, "unknown"),
    ],
)
def test_the_client_address_is_nginxs_only_when_nginx_sent_it(peer, edge, forwarded, counted_as):
    from bot.rules.input_bounds import caller_address

    assert caller_address(peer, edge, forwarded) == counted_as


def test_the_development_outbox_is_private_and_read_back_by_mobile(monkeypatch, tmp_path):
    from bot.actions import verification

    outbox = tmp_path / "var" / "otp.log"
    monkeypatch.setenv("BALAGH_OTP_OUTBOX", str(outbox))
    verification._deliver("+966551234567", "123456", NOW)
    verification._deliver("+447911123456", "654321", NOW)
    verification._deliver("+966551234567", "111222", NOW)
    assert outbox.stat().st_mode & 0o777 == 0o600
    assert verification.codes_in_outbox(outbox, "+966551234567") == ["123456", "111222"]
    assert verification.codes_in_outbox(tmp_path / "none.log", "+966551234567") == []
