"""Balagh's patches of the Rasa server keep Rasa's behaviour where they speed it up."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.server import rasa_server


def test_action_responses_are_still_validated():
    action = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "x"}]}
    assert rasa_server._validate_action_result(action, good)
    with pytest.raises(jsonschema.ValidationError):
        rasa_server._validate_action_result(action, {"events": [{"event": 3}]})
    with pytest.raises(jsonschema.ValidationError):
        rasa_server._validate_action_result(action, {"responses": "not a list"})


def test_event_classes_are_found_by_type_name():
    assert rasa_server._event_class("user") is UserUttered
    assert rasa_server._event_class("bot") is BotUttered
    assert rasa_server._event_class("slot") is SlotSet
    assert rasa_server._event_class("action") is ActionExecuted
    assert rasa_server._event_class("topic") is None
    assert rasa_server._event_class("nonsense", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        rasa_server._event_class("nonsense")


def _failure(cause: BaseException) -> Exception:
    try:
        try:
            raise cause
        except Exception as error:
            raise rasa_server.RasaException("Failed to execute custom action") from error
    except Exception as failure:
        return failure


def test_only_calls_that_never_reached_the_action_server_are_retried():
    import aiohttp

    unwritten = aiohttp.ClientOSError(None, "Can not write request body for http://a/webhook")
    assert rasa_server._never_sent(_failure(unwritten))
    closing = aiohttp.ClientConnectionError("Cannot write to closing transport")
    assert rasa_server._never_sent(_failure(closing))
    reset_after = aiohttp.ClientOSError(104, "Connection reset by peer")
    assert not rasa_server._never_sent(_failure(reset_after))  # it may have run
    assert not rasa_server._never_sent(_failure(aiohttp.ServerDisconnectedError()))


def test_action_calls_carry_the_same_json():
    import json

    domain = rasa_server.ActionDomain({"slots": {"mobile": {"type": "text"}}, "forms": {}})
    payload = {"next_action": "validate_x", "tracker": {"events": [{"text": "مرحبا"}]}}
    body = rasa_server.request_json({**payload, "domain": domain})
    assert json.loads(body) == {**payload, "domain": dict(domain)}
    assert json.loads(rasa_server.request_json({"domain": domain})) == {"domain": dict(domain)}
    plain = {**payload, "domain": dict(domain)}
    assert json.loads(rasa_server.request_json(plain)) == plain
