"""Fuzzing (hypothesis) of what the outside world can reach: the REST webhook, the web
widget's HTTP endpoints, the hand-off bridge and the staff API. Whatever arrives, the
answer is a clear 2xx/4xx, never a 500, and the bot keeps answering afterwards."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.rules.lifecycle import STATUSES

pytestmark = pytest.mark.e2e

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ARABIC = st.text(
    alphabet=st.characters(
        min_codepoint=0x0600, max_codepoint=0x06FF, blacklist_categories=("Cs",)
    ),
    max_size=40,
)
ANY_TEXT = st.one_of(st.text(max_size=200), ARABIC, st.just(""), st.just("x" * 20_000))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> int:
    prepared = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(prepared, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as failure:
        return failure.code


def still_answers(bot) -> None:
    assert "بلاغ" in bot.say("fuzz-check", "مرحبا")


@FUZZ
@given(
    body=st.one_of(
        st.fixed_dictionaries(
            {"sender": st.one_of(ANY_TEXT, st.integers(), st.none()), "message": JSON_VALUES}
        ),
        JSON_VALUES,
    )
)
def test_rest_webhook(bot, body) -> None:
    raw = json.dumps(body).encode()
    status = request(
        "POST", f"{bot.rasa_url}/webhooks/rest/webhook", raw, {"Content-Type": "application/json"}
    )
    assert status < 500, body


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_rest_webhook_with_bytes_that_are_not_json(bot, raw) -> None:
    status = request(
        "POST", f"{bot.rasa_url}/webhooks/rest/webhook", raw, {"Content-Type": "application/json"}
    )
    assert status < 500


@FUZZ
@given(session=ANY_TEXT, path=st.sampled_from(["history", "upload"]))
@example(session=".\x80", path="history")  # once a 500: non-ASCII in the token's signature
def test_widget_endpoints(bot, session, path) -> None:
    url = f"{bot.rasa_url}/webhooks/webchat/{path}?" + urllib.parse.urlencode(
        {"session": session[:500]}
    )
    status = request("POST" if path == "upload" else "GET", url, b"" if path == "upload" else None)
    assert status in (400, 403, 404, 405, 413, 415), status


@FUZZ
@given(
    path=st.sampled_from(["send", "resume", "identity", "transcript"]),
    body=JSON_VALUES,
    token=st.one_of(st.none(), st.text(st.characters(min_codepoint=33, max_codepoint=126))),
)
def test_handoff_bridge_refuses_strangers(bot, path, body, token) -> None:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    method = "GET" if path in ("identity", "transcript") else "POST"
    status = request(
        method,
        f"{bot.rasa_url}/webhooks/handoff/{path}",
        json.dumps(body).encode() if method == "POST" else None,
        headers,
    )
    assert status == 403


@pytest.fixture(scope="module")
def fuzzed_report(bot) -> str:
    """A real report whose number the fuzzing uses, so bodies reach the status checks."""
    from bot import clock
    from bot.store.reports import file_report
    from tests.helpers.reports import complaint

    now = clock.now()
    return file_report(bot.store, complaint("FUZZ-1"), now, now.date()).number


STATUS_BODIES = st.fixed_dictionaries(
    {"status": st.one_of(st.sampled_from(STATUSES), ANY_TEXT)},
    optional={"note": JSON_VALUES, "implementation_time": JSON_VALUES, "actor": JSON_VALUES},
)


@FUZZ
@given(
    number=st.one_of(ANY_TEXT, st.from_regex(r"\A[0-9]{9}\Z"), st.just("existing")),
    body=st.one_of(JSON_VALUES, STATUS_BODIES),
    authorised=st.booleans(),
    action=st.sampled_from(["get", "status"]),
)
def test_staff_api(bot, fuzzed_report, number, body, authorised, action) -> None:
    number = fuzzed_report if number == "existing" else number
    quoted = urllib.parse.quote(number[:300], safe="") or "%20"
    headers = {"Content-Type": "application/json"}
    if authorised:
        headers["Authorization"] = "Bearer test-staff-token"
    if action == "get":
        status = request("GET", f"{bot.desk_url}/api/reports/{quoted}", None, headers)
    else:
        status = request(
            "POST",
            f"{bot.desk_url}/api/reports/{quoted}/status",
            json.dumps(body).encode(),
            headers,
        )
    assert status < 500, (number, body)
    if not authorised:
        assert status == 401


def test_after_the_fuzzing_the_bot_still_answers(bot) -> None:
    still_answers(bot)
