"""Issue 20, item 2: the public pages the links in messages open, over HTTP against the desk:
a report's status page (nothing personal on it) and the way back to a web chat conversation;
every link that opens nothing gets the same 404 page."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import fields

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import clock
from bot.desk.main import build_app
from bot.desk.public_pages import INVALID_TEXT
from bot.rules.dates import format_date_ar
from bot.rules.links import make_token
from bot.rules.web_sessions import sender_of, session_token
from bot.store.follow_up import change_status
from bot.store.public import PublicStatus, conversation_of, public_status, report_id_of
from bot.store.reports import NewReport, file_report

LINK_SECRET = "link-secret-for-the-tests"
WEBCHAT_SECRET = "webchat-secret-for-the-tests"
WIDGET_SERVER = "http://127.0.0.1:5999"
WEB = "web:" + "5e" * 16
NAME = "نورة سعد القحطاني"
NATIONAL_ID = "1000000008"
MOBILE = "+966551234567"
DUE = dt.date(2026, 11, 30)


def _file(store, conversation: str, kind: str = "complaint", channel: str = "webchat") -> int:
    now = clock.now()
    filed = file_report(
        store,
        NewReport(
            type=kind,
            channel=channel,
            conversation_id=conversation,
            beneficiary_name=NAME,
            national_id=NATIONAL_ID,
            mobile=MOBILE,
            entity="وزارة الصحة",
            service="حجز موعد",
            title="تعطل الحجز",
            description=f"أنا {NAME} وجوالي 0551234567",
        ),
        now,
        DUE,
    )
    report_id = report_id_of(store, filed.number)
    assert report_id is not None
    return report_id


@pytest.fixture
def desk(sqlite_store, monkeypatch):
    for name, value in {
        "BALAGH_DATABASE_URL": sqlite_store.url,
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        "BALAGH_LINK_SECRET": LINK_SECRET,
        "BALAGH_WEBCHAT_SECRET": WEBCHAT_SECRET,
        "BALAGH_WIDGET_SERVER": WIDGET_SERVER,
    }.items():
        monkeypatch.setenv(name, value)
    return sqlite_store


def _get(*paths: str) -> list[tuple[int, dict[str, str], str]]:
    """(status, headers, body) of each path, from one desk."""

    async def scenario() -> list[tuple[int, dict[str, str], str]]:
        answers = []
        async with TestClient(TestServer(build_app())) as client:
            for path in paths:
                reply = await client.get(path)
                answers.append((reply.status, dict(reply.headers), await reply.text()))
        return answers

    return asyncio.run(scenario())


def _link(purpose: str, report_id: int, now: dt.datetime | None = None) -> str:
    path = {"status": "/s/", "conversation": "/c/"}[purpose]
    return path + make_token(LINK_SECRET, purpose, report_id, now or clock.now())


def _assert_page_headers(headers: dict[str, str]) -> None:
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in headers["X-Robots-Tag"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def _no_personal_data(body: str) -> None:
    for personal in (NAME, "نورة", "القحطاني", NATIONAL_ID, MOBILE, "0551234567", "551234567"):
        assert personal not in body, personal
    assert "web:" not in body and "whatsapp:" not in body


def test_the_status_page_shows_the_report_in_arabic_and_nothing_personal(desk):
    report_id = _file(desk, WEB)
    number = public_status(desk, report_id).number
    change_status(
        desk,
        number,
        "missing_data",
        f"نحتاج صورة الهوية. تواصلنا على 0551234567 مع {NAME}",
        "staff",
        clock.now(),
    )
    [(status, headers, body)] = _get(_link("status", report_id))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl">' in body
    assert number in body
    assert "تقديم شكوى" in body  # the type's label
    assert "نقص البيانات" in body  # the status's label
    assert format_date_ar(clock.today()) in body  # filed today
    assert format_date_ar(DUE) in body
    assert "نحتاج صورة الهوية" in body  # the latest note, its identifiers scrubbed
    assert "[رقم الجوال]" in body and "[الاسم]" in body
    assert "missing_data" not in body and "complaint" not in body  # no code shown
    _no_personal_data(body)
    _assert_page_headers(headers)
    assert '<link rel="stylesheet" href="/s/public.css">' in body
    assert "<style" not in body and "<script" not in body


def test_an_accepted_request_shows_when_it_will_be_implemented(desk):
    report_id = _file(desk, "whatsapp:+966551234567", kind="digitization", channel="whatsapp")
    number = public_status(desk, report_id).number
    change_status(
        desk,
        number,
        "accepted",
        "ستُتاح الخدمة إلكترونياً",
        "staff",
        clock.now(),
        payload={"implementation_time": "الربع الأول من 2027"},
    )
    [(status, _, body)] = _get(_link("status", report_id))
    assert status == 200
    assert "طلب تحول" in body and "مقبول" in body
    assert "موعد التنفيذ المتوقع" in body and "الربع الأول من 2027" in body
    assert "ستُتاح الخدمة إلكترونياً" in body
    _no_personal_data(body)


def test_the_style_is_a_file_the_desk_serves(desk):
    [(status, headers, body)] = _get("/s/public.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert "rtl" in body


def test_links_that_open_nothing_all_get_the_same_page(desk):
    report_id = _file(desk, WEB)
    good = make_token(LINK_SECRET, "status", report_id, clock.now())
    flipped = good[:5] + ("A" if good[5] != "A" else "B") + good[6:]
    expired = make_token(LINK_SECRET, "status", report_id, clock.now() - dt.timedelta(days=91))
    paths = [
        "/s/" + flipped,  # altered
        "/s/" + make_token("another-secret", "status", report_id, clock.now()),  # forged
        "/s/" + "A" * 28,  # forged by hand
        "/s/" + expired,
        _link("conversation", report_id).replace("/c/", "/s/"),  # wrong purpose
        _link("status", report_id).replace("/s/", "/c/"),  # wrong purpose
        _link("status", 987654),  # no such report
        _link("conversation", 987654),
        "/s/",
        "/s/" + "x" * 500,
        "/s/%D9%82%D9%82",  # non-ASCII
        "/s/a/b",
        "/c/" + flipped,
    ]
    answers = _get(_link("status", report_id), *paths)
    assert answers[0][0] == 200  # the link itself works
    bodies = set()
    for path, (status, headers, body) in zip(paths, answers[1:], strict=True):
        assert status == 404, path
        assert INVALID_TEXT in body and '<html lang="ar" dir="rtl">' in body, path
        _assert_page_headers(headers)
        bodies.add(body)
    assert len(bodies) == 1  # nothing tells them apart


def test_the_conversation_page_opens_the_widget_on_that_web_conversation(desk):
    report_id = _file(desk, WEB)
    [(status, headers, body)] = _get(_link("conversation", report_id))
    assert status == 200 and '<html lang="ar" dir="rtl">' in body
    assert "محادثتك" in body
    session = re.search(r'data-session="([^"]+)"', body).group(1)
    assert session == session_token(WEBCHAT_SECRET, WEB)
    assert sender_of(WEBCHAT_SECRET, session) == WEB
    assert re.search(r'<script src="/widget/balagh-widget.js" data-server="([^"]+)"', body)[1] == (
        WIDGET_SERVER
    )
    _no_personal_data(body)
    _assert_page_headers(headers)
    policy = headers["Content-Security-Policy"]
    connect = next(p for p in policy.split("; ") if p.startswith("connect-src"))
    assert connect.split() == ["connect-src", "'self'", WIDGET_SERVER, "ws://127.0.0.1:5999"]


def test_a_report_filed_elsewhere_has_no_conversation_page(desk):
    whatsapp = _file(desk, "whatsapp:+966551234567", channel="whatsapp")
    rest = _file(desk, "rest:someone", channel="rest")
    odd = _file(desk, "web:not-a-session", channel="webchat")
    answers = _get(
        _link("conversation", whatsapp),
        _link("conversation", rest),
        _link("conversation", odd),
        "/c/" + "A" * 28,
    )
    assert {status for status, _, _ in answers} == {404}
    assert len({body for _, _, body in answers}) == 1
    assert all(INVALID_TEXT in body and "data-session" not in body for _, _, body in answers)


def test_the_store_gives_the_public_fields_only(store):
    """On SQLite and PostgreSQL: the report's public fields, its conversation apart."""
    report_id = _file(store, WEB)
    view = public_status(store, report_id)
    assert {f.name for f in fields(PublicStatus)} == {
        "number",
        "type",
        "status",
        "filed_on",
        "due_on",
        "latest_note",
        "implementation_time",
    }
    assert (view.type, view.status, view.due_on) == ("complaint", "received", DUE)
    assert view.filed_on == clock.today() and view.latest_note is None
    assert conversation_of(store, report_id) == WEB
    for missing in (report_id + 1000, 0, -1, 2**32 - 1):  # the largest id a link can carry
        assert public_status(store, missing) is None
        assert conversation_of(store, missing) is None
