"""Balagh's patches of the Rasa server keep Rasa's behaviour where they speed it up."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.server.patches import action_calls, speed


def test_action_responses_are_still_validated():
    action = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "x"}]}
    assert action_calls._validate_action_result(action, good)
    with pytest.raises(jsonschema.ValidationError):
        action_calls._validate_action_result(action, {"events": [{"event": 3}]})
    with pytest.raises(jsonschema.ValidationError):
        action_calls._validate_action_result(action, {"responses": "not a list"})


def test_event_classes_are_found_by_type_name():
    assert speed._event_class("user") is UserUttered
    assert speed._event_class("bot") is BotUttered
    assert speed._event_class("slot") is SlotSet
    assert speed._event_class("action") is ActionExecuted
    assert speed._event_class("topic") is None
    assert speed._event_class("nonsense", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        speed._event_class("nonsense")


def _failure(cause: BaseException) -> Exception:
    try:
        try:
            raise cause
        except Exception as error:
            raise action_calls.RasaException("Failed to execute custom action") from error
    except Exception as failure:
        return failure


def test_only_calls_that_never_reached_the_action_server_are_retried():
    import aiohttp

    unwritten = aiohttp.ClientOSError(None, "Can not write request body for http://a/webhook")
    assert action_calls._never_sent(_failure(unwritten))
    closing = aiohttp.ClientConnectionError("Cannot write to closing transport")
    assert action_calls._never_sent(_failure(closing))
    reset_after = aiohttp.ClientOSError(104, "Connection reset by peer")
    assert not action_calls._never_sent(_failure(reset_after))  # it may have run
    assert not action_calls._never_sent(_failure(aiohttp.ServerDisconnectedError()))


def test_action_calls_carry_the_same_json():
    import json

    domain = action_calls.ActionDomain({"slots": {"mobile": {"type": "text"}}, "forms": {}})
    payload = {"next_action": "validate_x", "tracker": {"events": [{"text": "مرحبا"}]}}
    body = action_calls.request_json({**payload, "domain": domain})
    assert json.loads(body) == {**payload, "domain": dict(domain)}
    assert json.loads(action_calls.request_json({"domain": domain})) == {"domain": dict(domain)}
    plain = {**payload, "domain": dict(domain)}
    assert json.loads(action_calls.request_json(plain)) == plain


def test_postgresql_engines_check_their_connections():
    from rasa.core import tracker_store

    from bot.server import patches

    patches.install()
    assert tracker_store.create_engine_kwargs("postgresql://u:p@db/rasa")["pool_pre_ping"]
    assert "pool_pre_ping" not in tracker_store.create_engine_kwargs("sqlite:///rasa.db")


@pytest.mark.parametrize(
    ("argv", "token_added"),
    [
        (["run", "--model", "m.tar.gz"], True),
        (["run", "--auth-token", "given"], False),
        (["run", "actions"], False),
        (["shell", "-m", "m.tar.gz"], False),
        (["test", "core", "--model", "m.tar.gz"], False),
    ],
)
def test_the_api_token_is_added_to_run_only(monkeypatch, argv, token_added):
    import sys

    import rasa.__main__

    from bot.server import patches, rasa_server

    ran: list[list[str]] = []
    token = "t0ken-" + "x" * 40
    monkeypatch.setenv("BALAGH_RASA_API_TOKEN", token)
    monkeypatch.setattr(patches, "install", lambda: None)
    monkeypatch.setattr(rasa.__main__, "main", lambda: ran.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", ["rasa_server.py", *argv])
    rasa_server.main()
    expected = [argv[0], "--auth-token", token, *argv[1:]] if token_added else argv
    assert ran == [["rasa", *expected]]
