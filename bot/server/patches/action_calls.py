"""Rasa's calls to the action server, when it fails and when it works.

1. The action server is unreachable (or fails): stock Rasa logs the error and drops
   the turn, so the citizen gets no answer at all, and whatever the turn had done so far
   stays in the conversation. Here the turn is undone (`UserUtteranceReverted`, the
   form stays where it was, nothing is filed) and the citizen gets the domain's
   `utter_service_unavailable` apology, asking to send the message again; when the
   action server is back the same message goes through. A call that never reached the
   action server (connection refused, or dropped while the request was written, e.g. a
   full accept queue under load) is first retried four times within 3.3 s.
2. Speed: Rasa validates every action server response with `jsonschema.validate`,
   which checks the (constant) schema itself again on every call and then matches every
   event against every event type: more than half of the server's time under load. The
   shape Rasa relies on is checked directly instead.
   Each call to the action server used a new HTTP session (a new TCP connection, set up
   and torn down by both servers); here one kept-alive session per endpoint is reused.
   And the domain sent with each call carries no responses (the action server never
   renders them; they were most of its 70 KB).

Installed by `bot.server.patches.install` (every target is listed there).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
from typing import Any

import aiohttp
import jsonschema
import ujson
from rasa.core import processor as rasa_processor
from rasa.core.actions.action import Action, ActionExecutionRejection, RemoteAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecutionRejected,
    BotUttered,
    Event,
    FollowupAction,
    UserUtteranceReverted,
)
from rasa.shared.exceptions import RasaException
from rasa.utils import endpoints as rasa_endpoints
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_service_unavailable"
# Used only when the model's domain has no `utter_service_unavailable` (its own text).
FALLBACK_APOLOGY = "عذرًا، عطل مؤقت ولم يُحفظ شيء من رسالتك. أعد إرسالها بعد قليل."
# Set when the apology was sent during the current message's turn (read by `outage`, so a
# store failing afterwards does not send it twice).
APOLOGISED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "balagh_apologised", default=False
)


class ActionServerFailure(RasaException):
    """A custom action could not be run by the action server."""


class _TurnGuard:
    """Wraps the action the processor runs: if a custom action inside it (the action
    itself, or a form's validation) fails, the turn is undone and the user told."""

    def __init__(self, action: Action) -> None:
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(self, output_channel, nlg, tracker, domain) -> list[Event]:  # noqa: ANN001
        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except ActionServerFailure as failure:
            logger.error("turn undone for %s: %s", tracker.sender_id, failure)
            message = await nlg.generate(APOLOGY_RESPONSE, tracker, output_channel.name())
            message = message or {"text": FALLBACK_APOLOGY}
            APOLOGISED.set(True)
            # Rejected: the action is not logged as executed (a form's execution would
            # otherwise fold the form's earlier turns into this one before the revert).
            return [
                ActionExecutionRejected(self._action.name()),
                BotUttered(message.get("text"), data={"buttons": message.get("buttons")}),
                UserUtteranceReverted(),
                FollowupAction(ACTION_LISTEN_NAME),
            ]


def _response_problem(result: Any) -> str | None:
    """What is wrong with an action server response, or None. The shape Rasa relies on,
    checked directly: Rasa's full JSON schema (one `oneOf` over every event type for every
    event) cost a tenth of the server's time, for responses of our own action server."""
    if not isinstance(result, dict):
        return "the response is not a JSON object"
    events = result.get("events", [])
    if not isinstance(events, list) or not all(
        isinstance(event, dict) and isinstance(event.get("event"), str) for event in events
    ):
        return "`events` must be a list of objects with an `event` name"
    responses = result.get("responses", [])
    if not isinstance(responses, list) or not all(isinstance(r, dict) for r in responses):
        return "`responses` must be a list of objects"
    return None


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server response (same exception on failure)."""
    problem = _response_problem(result)
    if problem is not None:
        raise jsonschema.ValidationError(
            f"{problem}. Failed to validate Action server response from API."
        )
    return True


# Idle kept-alive connections are closed by us before the action server's Sanic closes
# them (after 5 s), so a request is never written to a connection being closed.
KEEPALIVE_SECONDS = 2.0


class _KeptSession:
    """`async with endpoint.session()` over a long-lived session: nothing closed on exit."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        return None


def _kept_session(self: EndpointConfig) -> _KeptSession:
    """Rasa's `EndpointConfig.session` (same headers, auth and timeout), made once per
    endpoint and event loop and then reused, with its pool of kept-alive connections."""
    loop = asyncio.get_running_loop()
    kept = getattr(self, "_balagh_session", None)
    if kept is None or kept[0] is not loop or kept[1].closed:
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=rasa_endpoints.DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=KEEPALIVE_SECONDS),
            json_serialize=request_json,
        )
        kept = (loop, session)
        self._balagh_session = kept  # type: ignore[attr-defined]
    return _KeptSession(kept[1])


class ActionDomain(dict):
    """The domain as sent to the action server, with its JSON encoded once."""

    @functools.cached_property
    def encoded(self) -> str:
        return _encode(dict(self))


def action_domain(domain: Any) -> ActionDomain:
    """The domain as sent to the action server: everything but the responses (forms,
    slots, intents... which rasa_sdk's form validation reads), computed once per domain."""
    cached = getattr(domain, "_balagh_action_domain", None)
    if cached is None:
        cached = ActionDomain(
            (key, value) for key, value in domain.as_dict().items() if key != "responses"
        )
        domain._balagh_action_domain = cached
    return cached


def _encode(value: Any) -> str:
    try:
        return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value)


def request_json(payload: Any) -> str:
    """The body of an action server call: ujson (a Rasa dependency) encodes the tracker
    faster than `json` (anything it cannot encode goes to `json`), and the domain, the
    same for every call, is added as encoded once."""
    domain = payload.get("domain") if isinstance(payload, dict) else None
    if not isinstance(domain, ActionDomain):
        return _encode(payload)
    rest = _encode({key: value for key, value in payload.items() if key != "domain"})
    return f'{rest[:-1]}{", " if len(rest) > 2 else ""}"domain": {domain.encoded}}}'


RETRY_DELAYS = (0.05, 0.25, 1.0, 2.0)


def _never_sent(failure: BaseException) -> bool:
    """Did the call fail before the action server could have received the request? Only
    then is it retried: an action that ran (filing a report) must never run twice."""
    cause = failure.__cause__ or failure.__context__
    if isinstance(cause, aiohttp.ClientConnectorError):
        return True  # connection refused or reset before it was established
    unwritten = ("Can not write request", "Cannot write to closing transport")
    return isinstance(cause, aiohttp.ClientConnectionError) and any(
        text in str(cause) for text in unwritten
    )


def install() -> None:
    """Patch Rasa in this process (once: called by `bot.server.patches.install`)."""
    remote_run = RemoteAction.run

    async def run_remote(self: RemoteAction, *args: Any, **kwargs: Any) -> list[Event]:
        for delay in (*RETRY_DELAYS, None):
            try:
                return await remote_run(self, *args, **kwargs)
            except ActionExecutionRejection:
                raise
            except RasaException as failure:
                if delay is None or not _never_sent(failure):
                    raise ActionServerFailure(str(failure)) from failure
                logger.warning("action server unreachable, retrying %s: %s", self.name(), failure)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    RemoteAction.run = run_remote  # type: ignore[method-assign]

    run_action = rasa_processor.MessageProcessor._run_action

    async def guarded_run_action(self, action, *args: Any, **kwargs: Any) -> bool:  # noqa: ANN001
        return await run_action(self, _TurnGuard(action), *args, **kwargs)

    rasa_processor.MessageProcessor._run_action = guarded_run_action  # type: ignore[method-assign]

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    call_format = RemoteAction._action_call_format

    def call_format_without_responses(self: RemoteAction, tracker: Any, domain: Any) -> dict:
        payload = call_format(self, tracker, domain)
        if "domain" in payload:
            payload["domain"] = action_domain(domain)
        return payload

    RemoteAction._action_call_format = call_format_without_responses  # type: ignore[method-assign]
    EndpointConfig.session = _kept_session  # type: ignore[method-assign]
