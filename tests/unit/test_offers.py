"""A typed yes presses the single button just offered (bot/actions/offers.py)."""

from __future__ import annotations

from bot.actions.offers import offered_intent, pressed


def user(text: str) -> dict:
    return {"event": "user", "text": text}


def bot(*payloads: str) -> dict:
    buttons = [{"title": p, "payload": p} for p in payloads]
    return {"event": "bot", "text": "…", "data": {"buttons": buttons}}


def test_the_single_offer_of_the_last_turn_is_accepted():
    events = [user("الموقع واقف وش اسوي"), bot("/file_complaint"), user("ايه")]
    assert offered_intent(events) == "file_complaint"
    # several messages in the turn (a form's question after an answer) count together
    events = [user("انت بوت؟"), bot("/request_agent"), bot(), user("نعم")]
    assert offered_intent(events) == "request_agent"


def test_no_single_offer_is_no_acceptance():
    assert offered_intent([user("هلا"), bot(), user("ايه")]) is None
    venting = [user("تعبنا"), bot("/file_complaint", "/request_digitization"), user("ايه")]
    assert offered_intent(venting) is None
    # a typed payload with slots, a refusal's yes/no and older turns are not offers here
    assert offered_intent([bot('/request_agent{"choice": "dispute"}'), user("ايه")]) is None
    assert offered_intent([bot("/affirm", "/deny"), user("ايه")]) is None
    older = [bot("/file_complaint"), user("شكرا"), bot(), user("ايه")]
    assert offered_intent(older) is None


def test_the_press_is_logged_as_the_channel_would_send_it():
    listen, said = pressed("file_complaint", "rest")
    assert listen["event"] == "action" and listen["name"] == "action_listen"
    assert said["event"] == "user" and said["text"] == "/file_complaint"
    assert said["parse_data"]["intent"] == {"name": "file_complaint", "confidence": 1.0}
    assert said["input_channel"] == "rest"
