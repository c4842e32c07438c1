"""Notices follow the citizen (issue 20, item 1): the routes each notice takes, the desk
sending SMS and WhatsApp through the real `twilio` client to the local fake Twilio API,
presence in the web chat, opt-outs, and the 48 hours that start only when a missing-data
notice reached someone."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from collections.abc import Iterator

import aiohttp
import pytest
from aiohttp import web

from bot.desk.dispatcher import Dispatcher
from bot.rules import links
from bot.rules.notices import (
    KINDS,
    default_choice,
    opt_out_request,
    routes_for,
    sms_notice,
)
from bot.rules.sms_text import sms_segments
from bot.settings import Secret, load_settings
from bot.store.channel_state import (
    has_opted_out,
    is_present,
    record_opt_out,
    socket_closed,
    socket_opened,
)
from bot.store.follow_up import (
    change_status,
    due_notifications,
    find_report,
    notice_attention,
    notices_of,
    run_timed_work,
    set_updates_choice,
)
from bot.store.reports import file_report
from tests.fakes.server import serving
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers.reports import DUE, NOW, complaint

LINK_SECRET = "l" * 40
BASE = "https://balagh.amer.gov.sa"
MOBILE = "+966551234567"


# --- the rules ---------------------------------------------------------------------------


def test_each_channel_has_its_default_and_a_route_never_repeats_the_conversation():
    assert default_choice("webchat") == "sms"
    assert default_choice("whatsapp") == default_choice("sms") == default_choice("rest") == "here"
    assert routes_for("webchat", None) == [("conversation", False), ("sms", False)]
    assert routes_for("webchat", "here") == [("conversation", False), ("sms", True)]
    assert routes_for("webchat", "whatsapp") == [("conversation", False), ("whatsapp", False)]
    assert routes_for("sms", "sms") == [("conversation", False)]
    assert routes_for("whatsapp", None) == [("conversation", False)]
    assert routes_for("rest", "sms") == [("conversation", False), ("sms", False)]
    assert routes_for("rest", "nonsense") == [("conversation", False)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_sms_notice_fits_two_arabic_segments_with_its_number_and_link(kind):
    link = links.link(BASE, LINK_SECRET, "conversation", 2_000_000_000, NOW)
    text = sms_notice(kind, "269999999", link)
    assert "269999999" in text and link in text
    assert sms_segments(text) <= 2, (len(text), text)
    assert "\u064f" not in text  # no diacritics on SMS


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        ("إيقاف", "out"),
        (" ايقاف. ", "out"),
        ("STOP", "out"),
        ("تشغيل", "in"),
        ("start", "in"),
        ("ابي ايقاف البلاغ", None),  # a sentence is a message, not a keyword
        ("إلغاء", None),  # cancels a form in the chat; never an opt-out
        ("", None),
    ],
)
def test_opt_out_keywords_are_whole_messages(text, request_):
    assert opt_out_request(text) == request_


# --- the store ---------------------------------------------------------------------------


def web_report(store, **extra) -> tuple[str, int]:
    new = dataclasses.replace(complaint(), channel="webchat", conversation_id="web:" + "a" * 32)
    filed = file_report(store, dataclasses.replace(new, **extra), NOW, DUE)
    return filed.number, filed.id


def test_a_web_chat_notice_goes_to_the_chat_and_by_sms(store):
    number, _ = web_report(store)
    change_status(store, number, "missing_data", "صورة الخطأ", "staff", NOW)
    routes = sorted((n.route, n.when_away) for n in due_notifications(store, NOW))
    assert routes == [("conversation", False), ("sms", False)]


def test_here_only_from_the_web_chat_still_sends_the_sms_when_the_citizen_is_away(store):
    number, _ = web_report(store)
    conversation = find_report(store, number).conversation_id
    assert not set_updates_choice(store, number, "web:" + "b" * 32, "here")  # not the filer
    assert set_updates_choice(store, number, conversation, "here")
    change_status(store, number, "in_progress", None, "staff", NOW)
    routes = sorted((n.route, n.when_away) for n in due_notifications(store, NOW))
    assert routes == [("conversation", False), ("sms", True)]
    with pytest.raises(ValueError):
        set_updates_choice(store, number, conversation, "pigeon")


def test_presence_counts_sockets_and_forgets_a_crashed_replicas(store):
    conversation = "web:" + "c" * 32
    assert not is_present(store, conversation, NOW)
    socket_opened(store, conversation, NOW)
    socket_opened(store, conversation, NOW)
    socket_closed(store, conversation, NOW)
    assert is_present(store, conversation, NOW)
    socket_closed(store, conversation, NOW)
    socket_closed(store, conversation, NOW)  # never below zero
    assert not is_present(store, conversation, NOW)
    socket_opened(store, conversation, NOW)
    assert not is_present(store, conversation, NOW + dt.timedelta(hours=13))


def test_opt_outs_are_kept_by_hash_and_undone_by_start(store):
    record_opt_out(store, MOBILE, True, "keyword", NOW)
    assert has_opted_out(store, MOBILE)
    assert not has_opted_out(store, "+966551234568")
    record_opt_out(store, MOBILE, False, "keyword", NOW)
    assert not has_opted_out(store, MOBILE)


# --- the desk sends them -----------------------------------------------------------------


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    fake.start()
    yield fake


def settings_for(twilio: FakeTwilio, **extra):
    return dataclasses.replace(
        load_settings(),
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_sms_number="+15005550006",
        twilio_whatsapp_number="+15005550007",
        twilio_api_base=twilio.base_url,
        twilio_whatsapp_templates={"missing_data": "HX" + "1" * 32},
        link_secret=Secret("BALAGH_LINK_SECRET", "link.secret", LINK_SECRET),
        links_base_url=BASE,
        **extra,
    )


def dispatch(store, settings, now: dt.datetime = NOW) -> list[str]:
    """One dispatcher run against a stand-in Rasa; returns the conversations it triggered."""
    triggered: list[str] = []

    async def trigger(request: web.Request) -> web.Response:
        triggered.append(request.match_info["conversation"])
        return web.json_response({})

    async def scenario() -> None:
        app = web.Application()
        app.router.add_post("/conversations/{conversation}/trigger_intent", trigger)
        async with serving(app) as rasa_url:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
                dispatcher = Dispatcher(store, rasa_url, now=lambda: now, settings=settings)
                await dispatcher.run_once(session)

    asyncio.run(scenario())
    return triggered


def fates(store, number):
    return sorted((n["route"], n["state"], n["skipped"]) for n in notices_of(store, number))


def test_a_citizen_who_left_the_web_chat_gets_the_sms_with_the_link_back(store, twilio):
    number, report_id = web_report(store)
    change_status(store, number, "missing_data", "صورة الخطأ", "staff", NOW)
    triggered = dispatch(store, settings_for(twilio))
    assert triggered == ["web:" + "a" * 32]
    (sms,) = twilio.sent()
    assert (sms["To"], sms["From"]) == (MOBILE, "+15005550006")
    assert number in sms["Body"] and sms_segments(sms["Body"]) <= 2
    token = re.search(rf"{re.escape(BASE)}/c/([A-Za-z0-9_-]+)", sms["Body"]).group(1)
    grant = links.read_token(LINK_SECRET, token, NOW)
    assert (grant.purpose, grant.report_id) == ("conversation", report_id)
    # The chat nobody had open did not reach anyone; the SMS did.
    assert fates(store, number) == [
        ("conversation", "not_reached", None),
        ("sms", "reached", None),
    ]
    assert notice_attention(store, number) is None
    # The 48 hours run from the SMS.
    done = run_timed_work(store, NOW + dt.timedelta(hours=48), NOW.date())
    assert done["auto_cancelled"] == [number]


def test_here_only_and_connected_sends_no_sms(store, twilio):
    number, _ = web_report(store)
    conversation = find_report(store, number).conversation_id
    set_updates_choice(store, number, conversation, "here")
    socket_opened(store, conversation, NOW)
    change_status(store, number, "in_progress", None, "staff", NOW)
    dispatch(store, settings_for(twilio))
    assert twilio.sent() == []
    assert fates(store, number) == [
        ("conversation", "reached", None),
        ("sms", "skipped", "present"),
    ]


def test_an_opted_out_mobile_gets_no_sms_and_an_unreached_notice_is_flagged(store, twilio):
    number, _ = web_report(store)
    record_opt_out(store, MOBILE, True, "keyword", NOW)
    change_status(store, number, "missing_data", "صورة الخطأ", "staff", NOW)
    dispatch(store, settings_for(twilio))
    assert twilio.sent() == []
    assert fates(store, number) == [
        ("conversation", "not_reached", None),
        ("sms", "skipped", "opted_out"),
    ]
    assert notice_attention(store, number) == "missing_data_notice_not_delivered"
    later = NOW + dt.timedelta(days=5)
    assert run_timed_work(store, later, later.date())["auto_cancelled"] == []
    assert find_report(store, number).status == "missing_data"


def test_twilio_down_retries_later_and_unsubscribed_is_recorded(store, twilio):
    number, _ = web_report(store)
    change_status(store, number, "missing_data", "صورة الخطأ", "staff", NOW)
    twilio.fail_next(1, status=503, code=20503)
    dispatch(store, settings_for(twilio))
    assert twilio.sent() == []
    assert ("sms", "pending", None) in fates(store, number)
    assert [n.route for n in due_notifications(store, NOW)] == []  # not before its retry time
    retry = NOW + dt.timedelta(minutes=1)
    assert [n.route for n in due_notifications(store, retry)] == ["sms"]
    twilio.fail_next(1, status=400, code=21610)  # the number replied STOP to Twilio
    dispatch(store, settings_for(twilio), retry)
    assert ("sms", "skipped", "opted_out") in fates(store, number)
    assert has_opted_out(store, MOBILE)


def test_whatsapp_uses_the_approved_template_on_the_mobile(store, twilio):
    number, _ = web_report(store)
    conversation = find_report(store, number).conversation_id
    set_updates_choice(store, number, conversation, "whatsapp")
    change_status(store, number, "missing_data", "صورة الخطأ", "staff", NOW)
    change_status(store, number, "under_review", None, "beneficiary", NOW, notify=False)
    change_status(store, number, "in_progress", None, "staff", NOW)  # no template for it
    dispatch(store, settings_for(twilio))
    (message,) = twilio.sent()
    assert message["To"] == f"whatsapp:{MOBILE}" and message["From"] == "whatsapp:+15005550007"
    assert message["ContentSid"] == "HX" + "1" * 32 and number in message["ContentVariables"]
    assert ("whatsapp", "skipped", "not_configured") in fates(store, number)


def test_a_report_filed_on_whatsapp_is_followed_there_only(store, twilio):
    new = dataclasses.replace(complaint(), channel="whatsapp", conversation_id=f"whatsapp:{MOBILE}")
    number = file_report(store, new, NOW, DUE).number
    change_status(store, number, "closed", "تمت المعالجة", "staff", NOW)
    assert dispatch(store, settings_for(twilio)) == [f"whatsapp:{MOBILE}"]
    assert twilio.sent() == []
    assert fates(store, number) == [("conversation", "reached", None)]
