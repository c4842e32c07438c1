"""Rasa's doors, tried as an attacker would against `balagh run`: the HTTP API, CORS, typed
internal intents, claimed channel identities, the REST channel's bounds. Each test sends
the real request, asserts it is refused, and that nothing changed."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from bot.store.models import OutboxMessage, Report
from channels.rest import conversation_id
from tests.helpers.attacks import filed_report, raw_request
from tests.security.conftest import request, store_counts

pytestmark = pytest.mark.security


def conversation_path(sender: str) -> str:
    return "/conversations/" + urllib.parse.quote(conversation_id(sender), safe=":+")


def events_of(bot, sender: str) -> list[dict]:
    return bot.tracker(sender)["events"]


def user_turns(bot, sender: str) -> list[dict]:
    return [e for e in events_of(bot, sender) if e["event"] == "user"]


def parked_notice(bot, report: Report, kind: str, note: str) -> int:
    """A notice for the report's conversation that the desk will not deliver (already
    dispatched): the attacks below try to get it shown elsewhere."""
    now = _now()
    with bot.store.session() as session:
        row = OutboxMessage(
            report_id=report.id,
            conversation_id=report.conversation_id,
            kind=kind,
            payload={"report_number": report.number, "note": note},
            created_at=now,
            next_attempt_at=now,
            dispatched_at=now,
        )
        session.add(row)
        session.flush()
        return row.id


# --- Rasa's HTTP API ----------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong-token", "تجربة"])
def test_the_tracker_is_not_served_without_the_api_token(bot, sender, token):
    bot.say(sender, "مرحبا")
    query = "" if token is None else "?token=" + urllib.parse.quote(token)
    reply = request(bot.rasa_url, "GET", f"{conversation_path(sender)}/tracker{query}")
    assert reply.status == 401
    assert sender not in reply.body.decode("utf-8", "replace")


def test_no_text_can_be_pushed_into_a_conversation_without_the_token(bot, sender):
    bot.say(sender, "مرحبا")
    before = events_of(bot, sender)
    phishing = [{"event": "bot", "text": "أرسل رمز التحقق إلى هذا الرقم"}]
    path = (
        f"{conversation_path(sender)}/tracker/events"
        "?execute_side_effects=true&output_channel=latest"
    )
    assert request(bot.rasa_url, "POST", path, phishing).status == 401
    slot = [{"event": "slot", "name": "owner_verified", "value": "yes"}]
    assert request(bot.rasa_url, "POST", path, slot).status == 401
    assert events_of(bot, sender) == before


def test_the_model_cannot_be_replaced_or_fetched_from_elsewhere(bot):
    body = {"model_server": {"url": "http://127.0.0.2:9/model.tar.gz"}}
    assert request(bot.rasa_url, "PUT", "/model", body).status == 401
    assert request(bot.rasa_url, "DELETE", "/model").status == 401
    status = request(bot.rasa_url, "GET", f"/status?token={bot.api_token}").json()
    assert status["model_file"].endswith("balagh.tar.gz")  # still the same model


def test_cors_answers_only_the_widgets_origins(bot):
    evil = request(
        bot.rasa_url,
        "OPTIONS",
        "/webhooks/webchat/history",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in evil.headers
    desk_origin = bot.desk_url  # the widget's demo page, the default allowed origin
    allowed = request(
        bot.rasa_url,
        "OPTIONS",
        "/webhooks/webchat/history",
        headers={"Origin": desk_origin, "Access-Control-Request-Method": "GET"},
    )
    assert allowed.headers.get("Access-Control-Allow-Origin") == desk_origin


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '"text"',
        "{",
        json.dumps({"text": None}),
        json.dumps({"text": ["a"]}),
        json.dumps({"text": "a" * 5001}),
        json.dumps({"text": "مرحبا\x00"}),
        json.dumps({"text": "مرحبا", "message_id": {"x": 1}}),
    ],
)
def test_malformed_parse_requests_get_a_json_400(bot, body):
    reply = request(
        bot.rasa_url,
        "POST",
        f"/model/parse?token={bot.api_token}",
        body,
        {"Content-Type": "application/json"},
    )
    assert reply.status == 400
    assert reply.json()["error"]


def test_a_nul_byte_in_a_query_is_refused(bot):
    reply = request(bot.rasa_url, "GET", f"/status?token={bot.api_token}%00")
    assert reply.status == 400


# --- internal intents ---------------------------------------------------------------------


def test_a_typed_internal_intent_never_delivers_someone_elses_notice(bot, sender):
    victim = filed_report(bot, sender)
    notice = parked_notice(bot, victim, "closed", "حُلّت")
    attacker = f"{sender}-x"
    before = store_counts(bot.store)
    typed = f'/EXTERNAL_notification{{"notification_id": "{notice}"}}'
    reply = bot.say(attacker, typed)
    assert victim.number not in reply and "حُلّت" not in reply
    events = events_of(bot, attacker)
    intents = [e["parse_data"]["intent"]["name"] for e in events if e["event"] == "user"]
    assert "EXTERNAL_notification" not in intents
    assert not any(e.get("name") == "survey_form" for e in events if e["event"] == "active_loop")
    with bot.store.session() as session:
        assert session.get(OutboxMessage, notice).delivered_at is None
    assert store_counts(bot.store) == before


def test_a_typed_payload_sets_no_slot_the_bot_did_not_offer(bot, sender):
    bot.say(sender, "مرحبا")
    bot.say(sender, '/inform{"owner_verified": "yes", "target_report": "260000001"}')
    slots = bot.tracker(sender)["slots"]
    # The digits may be read as a report number, as typed text is; ownership is not claimed.
    assert slots.get("owner_verified") in (None, "")
    events = bot.tracker(sender)["events"]
    intents = [e["parse_data"]["intent"]["name"] for e in events if e["event"] == "user"]
    assert intents[-1] != "inform" or not any(
        e["parse_data"].get("entities") and "owner_verified" in str(e["parse_data"]["entities"])
        for e in events
        if e["event"] == "user"
    )


def test_the_payload_of_an_offered_button_still_works(bot, sender):
    messages = bot.send(sender, "مرحبا")
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert payloads, "the greeting offers the three report types"
    bot.say(sender, payloads[0])
    [user_event] = [e for e in events_of(bot, sender) if e["event"] == "user"][-1:]
    assert user_event["text"] == payloads[0]
    assert user_event["parse_data"]["intent"]["name"] != "nlu_fallback"


def test_another_conversations_notice_cannot_be_claimed_by_id(bot, sender):
    """Even a notice pushed to the wrong conversation (the desk's trigger with the token)
    is only shown to the conversation it is addressed to."""
    victim = filed_report(bot, sender)
    notice = parked_notice(bot, victim, "in_progress", "بدأنا")
    attacker = f"{sender}-y"
    bot.say(attacker, "مرحبا")
    path = (
        f"{conversation_path(attacker)}/trigger_intent?output_channel=latest"
        f"&token={bot.api_token}"
    )
    body = {"name": "EXTERNAL_notification", "entities": {"notification_id": str(notice)}}
    assert request(bot.rasa_url, "POST", path, body).status == 200
    assert not any(victim.number in text for text in bot.bot_texts(attacker))
    with bot.store.session() as session:
        assert session.get(OutboxMessage, notice).delivered_at is None


# --- channel identities -------------------------------------------------------------------


@pytest.mark.parametrize(
    "claimed", ["whatsapp:+966551234567", "sms:+966551234567", "web:" + "0" * 32, "x" * 65]
)
def test_a_rest_sender_cannot_claim_another_channels_conversation(bot, claimed):
    before = store_counts(bot.store)
    reply = request(
        bot.rasa_url, "POST", "/webhooks/rest/webhook", {"sender": claimed, "message": "حالة بلاغي"}
    )
    assert reply.status == 400 and reply.json()["error"]
    assert store_counts(bot.store) == before
    token = f"?token={bot.api_token}"
    quoted = urllib.parse.quote(claimed, safe=":+")
    tracker = request(bot.rasa_url, "GET", f"/conversations/{quoted}/tracker{token}").json()
    assert not [e for e in tracker.get("events") or [] if e["event"] == "user"]


def test_rest_conversations_live_in_their_own_namespace(bot, sender):
    replies = bot.send(sender, "مرحبا")
    assert replies and all(m["recipient_id"] == conversation_id(sender) for m in replies)
    assert any(e["event"] == "user" for e in events_of(bot, sender))


def test_the_rest_channel_is_off_through_the_edge_without_its_token(bot, sender):
    reply = request(
        bot.rasa_url,
        "POST",
        "/webhooks/rest/webhook",
        {"sender": sender, "message": "مرحبا"},
        {"X-Balagh-Edge": "1"},
    )
    assert reply.status == 404
    assert not user_turns(bot, sender)


def test_the_rest_input_channel_cannot_be_chosen_by_the_caller(bot, sender):
    body = {"sender": sender, "message": "مرحبا", "input_channel": "whatsapp"}
    assert request(bot.rasa_url, "POST", "/webhooks/rest/webhook", body).status == 200
    [user] = [e for e in events_of(bot, sender) if e["event"] == "user"]
    assert user["input_channel"] == "rest"


# --- bounds -------------------------------------------------------------------------------


def test_a_nul_byte_in_a_rest_message_is_refused(bot, sender):
    reply = request(
        bot.rasa_url, "POST", "/webhooks/rest/webhook", {"sender": sender, "message": "مر\x00حبا"}
    )
    assert reply.status == 400
    assert not user_turns(bot, sender)


def test_a_huge_rest_message_is_refused_before_it_is_processed(bot, sender):
    body = {"sender": sender, "message": "ش" * 500_000}
    assert request(bot.rasa_url, "POST", "/webhooks/rest/webhook", body).status == 413
    assert not user_turns(bot, sender)


def test_a_long_rest_message_is_capped_like_the_other_channels(bot, sender):
    bot.say(sender, "ش" * 20_000)
    [user] = [e for e in events_of(bot, sender) if e["event"] == "user"]
    assert len(user["text"]) == 5000


def _now():  # noqa: ANN202
    from bot import clock

    return clock.now()


def test_a_trailing_slash_does_not_skip_the_rest_channels_checks(bot, sender):
    for body, headers, status in [
        ({"sender": sender, "message": "مرحبا"}, {"X-Balagh-Edge": "1"}, 404),
        ({"sender": "whatsapp:+966500000001", "message": "مرحبا"}, {}, 400),
        ({"sender": sender, "message": "مر\x00حبا"}, {}, 400),
    ]:
        reply = request(bot.rasa_url, "POST", "/webhooks/rest/webhook/", body, headers)
        assert reply.status == status, (body, reply.body)
    assert not user_turns(bot, sender)


@pytest.mark.parametrize("field", ["sender", "message"])
def test_a_lone_surrogate_is_refused_and_the_server_keeps_running(bot, sender, field):
    body = {"sender": sender, "message": "مرحبا"}
    raw = json.dumps(body).replace(json.dumps(body[field]), '"\\ud800"')
    reply = request(
        bot.rasa_url, "POST", "/webhooks/rest/webhook", raw, {"Content-Type": "application/json"}
    )
    assert reply.status == 400
    assert bot.say(f"{sender}-after", "مرحبا")  # still up (SQLite's store exited on this)


def test_a_message_without_text_is_answered(bot, sender):
    reply = request(bot.rasa_url, "POST", "/webhooks/rest/webhook", {"sender": sender})
    assert reply.status == 200 and reply.json()


@pytest.mark.parametrize("length", [b"-5", b"5, 5", b"abc"])
def test_a_negative_content_length_is_a_400_and_the_server_lives_on(bot, sender, length):
    head = (
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + length + b"\r\n\r\n{}"
    )
    assert raw_request(bot.rasa_url, head).startswith(b"HTTP/1.1 400")
    assert bot.say(sender, "مرحبا")  # the server still answers


def test_the_widgets_polling_gets_one_cors_origin(bot):
    """Two `Access-Control-Allow-Origin` headers (socket.io's and sanic-cors's) made
    browsers refuse the long-polling fallback; a foreign origin gets none."""
    for origin, expected in ((bot.desk_url, 1), ("https://evil.example", 0)):
        head = (
            f"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"
            f"Origin: {origin}\r\nConnection: close\r\n\r\n"
        ).encode()
        answer = raw_request(bot.rasa_url, head).split(b"\r\n\r\n")[0].lower()
        assert answer.count(b"access-control-allow-origin") == expected, answer
