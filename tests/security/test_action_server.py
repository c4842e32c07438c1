"""The action server, tried as an attacker would: it listens on loopback only, refuses any
call without the secret Rasa sends, and even a call with it (a forged tracker) cannot act
on a report its conversation does not own."""

from __future__ import annotations

import urllib.parse

import pytest
from sqlalchemy import select

from bot.store.models import Report
from tests.e2e.conftest import ACTIONS_TOKEN
from tests.helpers.attacks import filed_report
from tests.security.conftest import request, store_counts

pytestmark = pytest.mark.security


def action_call(action: str, sender: str, slots: dict, intent: str = "inform") -> dict:
    """What Rasa posts to the action server, as an attacker would forge it."""
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"intent": {"name": intent}, "entities": [], "text": "x"},
            "latest_event_time": 0,
            "followup_action": None,
            "paused": False,
            "events": [],
            "latest_input_channel": "rest",
            "active_loop": {},
            "latest_action": {"action_name": "action_listen"},
            "latest_action_name": "action_listen",
        },
        "domain": {},
    }


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP port listens on (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_the_action_server_listens_on_loopback_only(bot):
    port = urllib.parse.urlsplit(bot.actions_url).port
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1


@pytest.mark.parametrize("token", [None, "wrong", "Bearer", "تجربة"])
def test_a_forged_filing_without_the_secret_is_refused(bot, sender, token):
    before = store_counts(bot.store)
    slots = {
        "beneficiary_name": "منتحل",
        "national_id": "1000000008",
        "mobile": "+966500000000",
        "confirm_submission": "yes",
        "entity": "وزارة",
        "service": "خدمة",
    }
    # bytes: a non-ASCII token is sent as UTF-8, as an attacker's client would
    headers = {} if token is None else {"Authorization": f"Bearer {token}".encode()}
    reply = request(
        bot.actions_url,
        "POST",
        "/webhook",
        action_call("action_finish_complaint", sender, slots),
        headers,
    )
    assert reply.status == 401
    assert store_counts(bot.store) == before


def test_a_huge_query_gets_a_client_error_not_a_500(bot):
    reply = request(bot.actions_url, "GET", "/actions?q=" + "a" * 100_000)
    assert 400 <= reply.status < 500
    with_token = request(
        bot.actions_url,
        "GET",
        "/actions?q=" + "a" * 100_000,
        headers={"Authorization": f"Bearer {ACTIONS_TOKEN}"},
    )
    assert 400 <= with_token.status < 500


@pytest.mark.parametrize("body", ["[]", "{", '{"next_action": 5}', '"x"'])
def test_a_malformed_call_with_the_secret_gets_a_400(bot, body):
    reply = request(
        bot.actions_url,
        "POST",
        "/webhook",
        body,
        {"Authorization": f"Bearer {ACTIONS_TOKEN}", "Content-Type": "application/json"},
    )
    assert reply.status == 400


def test_a_forged_owner_verified_slot_cancels_nothing(bot, sender):
    """Even with the secret (a compromised Rasa), the tracker's word that the caller owns
    someone's report is not taken: the action checks the store for this conversation."""
    victim = filed_report(bot, sender)
    slots = {
        "follow_up_purpose": "cancel",
        "target_report": victim.number,
        "owner_verified": "yes",
        "ownership_proof": "ok",
        "confirm_cancel": "yes",
    }
    reply = request(
        bot.actions_url,
        "POST",
        "/webhook",
        action_call("action_follow_up", "rest:intruder", slots),
        {"Authorization": f"Bearer {ACTIONS_TOKEN}"},
    )
    assert reply.status == 200
    assert victim.number not in str(reply.json().get("responses"))
    with bot.store.session() as session:
        report = session.execute(select(Report).where(Report.number == victim.number)).scalar_one()
        assert report.status == "received"


def test_a_negative_content_length_is_a_400(bot):
    from tests.helpers.attacks import raw_request

    head = b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nabcde"
    assert raw_request(bot.actions_url, head).startswith(b"HTTP/1.1 400")
    assert request(bot.actions_url, "GET", "/health").status == 200  # still serving


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_wrong_method_is_a_json_error_that_echoes_nothing(bot, method):
    reply = request(bot.actions_url, method, "/health", {"secret": "do-not-echo"})
    assert reply.status == 405
    assert b"do-not-echo" not in reply.body and reply.json()["error"]


@pytest.mark.parametrize(
    "tracker", [None, {"slots": 5}, {"slots": {}, "events": "x"}, {"latest_message": 3}]
)
def test_a_malformed_tracker_is_a_400_with_the_secret(bot, tracker):
    body = {"next_action": "action_follow_up", "tracker": tracker, "domain": {}}
    reply = request(
        bot.actions_url, "POST", "/webhook", body, {"Authorization": f"Bearer {ACTIONS_TOKEN}"}
    )
    assert reply.status == 400
    assert b"action_follow_up" not in reply.body
