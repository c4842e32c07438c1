"""The doors' pure rules: which typed payloads count, the REST channel's namespace and
bounds, generated secrets, the origins a production topology accepts."""

from __future__ import annotations

import os
import stat

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot import settings
from bot.rules.input_bounds import bearer_matches
from bot.server.patches.doors import parse_body_problem, reading_of
from channels.rest import conversation_id, problem_with

OFFER = BotUttered(
    "اختر",
    data={"buttons": [{"title": "شكوى", "payload": '/file_complaint{"kind": "x"}'}]},
)


def test_the_payload_of_a_button_just_offered_is_read_as_rasa_reads_it():
    events = [UserUttered("مرحبا"), ActionExecuted("utter_greet"), OFFER]
    assert reading_of('/file_complaint{"kind": "x"}', events) is None


def test_the_payload_of_an_older_button_is_read_as_its_title():
    events = [OFFER, UserUttered("نص"), BotUttered("سؤال آخر")]
    assert reading_of('/file_complaint{"kind": "x"}', events) == "شكوى"


@pytest.mark.parametrize(
    "typed",
    ['/EXTERNAL_notification{"notification_id": "3"}', '/inform{"owner_verified": "yes"}', "/"],
)
def test_a_payload_never_offered_is_read_as_text(typed):
    events = [UserUttered("مرحبا"), OFFER]
    reading = reading_of(typed, events)
    assert reading is not None and not reading.startswith("/")


def test_plain_text_is_left_alone():
    assert reading_of("مرحبا", [OFFER]) is None


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ({"text": "مرحبا"}, False),
        ({"text": "x" * 5000}, False),
        ({"text": "x" * 5001}, True),
        ({"text": None}, True),
        ([], True),
        ({"text": "a\x00b"}, True),
    ],
)
def test_parse_bodies(body, refused):
    assert (parse_body_problem(body) is not None) == refused


@pytest.mark.parametrize(
    ("sender", "refused"),
    [
        ("user-1", False),
        (12345, False),
        ("x" * 64, False),
        ("x" * 65, True),
        ("whatsapp:+966551234567", True),
        ("web:abc", True),
        ("a/b", True),
        ("a\x00", True),
        ("", True),
        (True, True),
    ],
)
def test_rest_senders(sender, refused):
    assert (problem_with({"sender": sender, "message": "مرحبا"}) is not None) == refused


def test_rest_conversations_have_their_own_namespace():
    assert conversation_id("user-1") == "rest:user-1"


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("Bearer s3cret", True),
        ("bearer s3cret", True),
        ("Bearer s3cre", False),
        ("Basic s3cret", False),
        ("Bearer تجربة", False),
        ("", False),
        (None, False),
    ],
)
def test_the_action_servers_token_check(header, ok):
    assert bearer_matches(header, "s3cret") is ok


def test_a_secret_is_generated_once_with_mode_600(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    monkeypatch.delenv("BALAGH_ACTIONS_TOKEN", raising=False)
    first = settings.load_settings().actions_token.value()
    assert len(first) == 64 and first == settings.load_settings().actions_token.value()
    file = tmp_path / "var" / "actions.token"
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    monkeypatch.setenv("BALAGH_ACTIONS_TOKEN", "set-by-operator")
    assert settings.load_settings().actions_token.value() == "set-by-operator"


def test_production_topologies_refuse_any_origin(monkeypatch):
    monkeypatch.setenv("BALAGH_WEBCHAT_ORIGINS", "*")
    with pytest.raises(SystemExit, match="BALAGH_WEBCHAT_ORIGINS"):
        settings.load_settings().refuse_any_origin("balagh cluster")
    monkeypatch.setenv("BALAGH_WEBCHAT_ORIGINS", "https://a.example, https://b.example")
    settings.load_settings().refuse_any_origin("balagh cluster")
    assert settings.load_settings().webchat_origins == ("https://a.example", "https://b.example")


def test_widget_text_is_made_storable():
    from channels.webchat import storable

    assert storable("مر\x00حبا") == "مرحبا"
    assert storable("a\ud800b") == "ab"
    assert storable("hello") == "hello"


def test_twilio_conversation_ids_are_phone_numbers():
    from channels.twilio_channel import SENDER_FORMAT

    assert SENDER_FORMAT["whatsapp"].fullmatch("whatsapp:+966551234567")
    assert SENDER_FORMAT["sms"].fullmatch("+966551234567")
    for forged in ("web:abc", "rest:x", "whatsapp:+9665x", "+966551234567\n", "sms:+9665"):
        assert not SENDER_FORMAT["whatsapp"].fullmatch(forged)
        assert not SENDER_FORMAT["sms"].fullmatch(forged)
