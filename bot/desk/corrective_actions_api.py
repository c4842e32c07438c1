"""The corrective-actions register in the staff API (issue 20, item 7).

The operators' corrective-actions reports keep, for each action taken on what beneficiaries
said, what it is against (an entity or a theme), its type (technical, staff, procedures,
outputs) and its status (planned, in progress, done). The centre's staff systems keep that
register here, with the staff API's bearer token (`BALAGH_STAFF_TOKEN`):

- `GET /api/corrective-actions[?status=&type=&page=&per_page=]`: the register in the order
  it was recorded, filtered, paged, with the Arabic names of the types and statuses;
- `POST /api/corrective-actions`: record one (`entity` and/or `theme`, `type`, `description`,
  optional `status` — planned by default — and `actor`); 201 with the action;
- `GET /api/corrective-actions/{id}`: read one;
- `PATCH /api/corrective-actions/{id}`: change its status (`status`, optional `actor`).

Every field is bounded (`bot/rules/input_bounds.py`); a bad body or query is a 400 naming the
field, an unknown id a 404, a request without the token a 401, and nothing changes then. The
voice-of-the-beneficiary report shows the register (`bot/desk/report/`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot import clock
from bot.desk.staff_api import STORE_KEY, TOKEN_KEY, error, read_object
from bot.rules import input_bounds as bounds
from bot.rules.input_bounds import BadInput
from bot.rules.labels import (
    CORRECTIVE_ACTION_STATUS_LABELS,
    CORRECTIVE_ACTION_STATUSES,
    CORRECTIVE_ACTION_TYPE_LABELS,
    CORRECTIVE_ACTION_TYPES,
)
from bot.store.corrective_actions import (
    FIRST_STATUS,
    TooManyActions,
    change_action_status,
    find_action,
    list_actions,
    record_action,
)

logger = logging.getLogger(__name__)

ROUTE = "/api/corrective-actions"
ONE = ROUTE + "/{id:" + bounds.HANDOFF_ID_ROUTE + "}"
NO_ACTION = "no corrective action with this id"
PATCH_FIELDS = ("status", "actor")
_COUNT = re.compile(r"[0-9]{1,7}")  # ASCII digits only

# The choices of a form or a filter: codes to send back, Arabic names to show.
CHOICES = {
    "type": [
        {"value": c, "label": CORRECTIVE_ACTION_TYPE_LABELS[c]} for c in CORRECTIVE_ACTION_TYPES
    ],
    "status": [
        {"value": c, "label": CORRECTIVE_ACTION_STATUS_LABELS[c]}
        for c in CORRECTIVE_ACTION_STATUSES
    ],
}


def _guarded(path: str) -> bool:
    return path == ROUTE or path.startswith(ROUTE + "/")


@web.middleware
async def require_staff_token(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """The staff token guards the register, before any route, method or body is looked at:
    a request without it is a 401 whatever it asks."""
    if _guarded(request.path) and not bounds.bearer_matches(
        request.headers.get("Authorization"), request.app[TOKEN_KEY]
    ):
        return error(401, "missing or invalid bearer token")
    return await handler(request)


def _shown(value: str) -> str:
    return repr(value[:40])


def _only(body: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = [name for name in body if name not in allowed]
    if unknown:
        raise BadInput(f"unknown field {_shown(unknown[0])}; expected: {', '.join(allowed)}")


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise BadInput(f"{name} must be one of: {', '.join(choices)}")
    return value


def _subject(body: Mapping[str, Any], name: str) -> str | None:
    value = bounds.text(body.get(name), name, bounds.MAX_ACTION_SUBJECT)
    return (value or "").strip() or None


def _actor(body: Mapping[str, Any]) -> str:
    actor = bounds.text(body.get("actor"), "actor", bounds.MAX_ACTOR)
    return (actor or "").strip() or "staff"


def read_new_action(body: Mapping[str, Any]) -> dict[str, Any]:
    """A new action's fields, bounded and trimmed; BadInput (400) naming the field."""
    _only(body, bounds.CORRECTIVE_ACTION_FIELDS)
    entity, theme = _subject(body, "entity"), _subject(body, "theme")
    if not (entity or theme):
        raise BadInput("entity or theme required (what the action is against)")
    kind = _choice(body.get("type"), "type", CORRECTIVE_ACTION_TYPES)
    status = body.get("status", FIRST_STATUS)
    _choice(status, "status", CORRECTIVE_ACTION_STATUSES)
    description = bounds.text(
        body.get("description"), "description", bounds.MAX_ACTION_DESCRIPTION, required=True
    )
    description = (description or "").strip()
    if not description:
        raise BadInput("description required")
    return {
        "entity": entity,
        "theme": theme,
        "kind": kind,
        "status": status,
        "description": description,
        "actor": _actor(body),
    }


def read_status_change(body: Mapping[str, Any]) -> tuple[str, str]:
    """A PATCH's new status and who made it; BadInput (400) for anything else."""
    _only(body, PATCH_FIELDS)
    status = _choice(body.get("status"), "status", CORRECTIVE_ACTION_STATUSES)
    return status, _actor(body)


def _count(value: str, name: str, highest: int) -> int:
    if not _COUNT.fullmatch(value) or not 1 <= int(value) <= highest:
        raise BadInput(f"{name} must be a whole number from 1 to {highest}")
    return int(value)


def _codes(value: str, name: str, known: tuple[str, ...]) -> tuple[str, ...]:
    given = value.split(",")
    wrong = [code for code in given if code not in known]
    if wrong:
        raise BadInput(
            f"{name}: unknown value {_shown(wrong[0])}; give one or several of "
            f"{', '.join(known)}, separated by commas"
        )
    return tuple(dict.fromkeys(given))


def read_list_query(query: Mapping[str, str]) -> dict[str, Any]:
    """The register's query string: known parameters only, each once; BadInput (400)."""
    names = list(query.keys())  # a multidict: a repeated name comes twice
    for name in names:
        if name not in bounds.CORRECTIVE_ACTION_PARAMETERS:
            raise BadInput(
                f"unknown parameter {_shown(name)}; expected: "
                f"{', '.join(bounds.CORRECTIVE_ACTION_PARAMETERS)}"
            )
        if names.count(name) > 1:
            raise BadInput(f"{name} given more than once")
    status, kind = query.get("status"), query.get("type")
    page, per_page = query.get("page"), query.get("per_page")
    return {
        "statuses": _codes(status, "status", CORRECTIVE_ACTION_STATUSES) if status else (),
        "kinds": _codes(kind, "type", CORRECTIVE_ACTION_TYPES) if kind else (),
        "page": _count(page, "page", bounds.MAX_PAGE) if page is not None else 1,
        "per_page": _count(per_page, "per_page", bounds.MAX_PER_PAGE)
        if per_page is not None
        else bounds.DEFAULT_PER_PAGE,
    }


def _id(request: web.Request) -> int:
    """The `{id}` of the route (1..18 digits by the route itself); 404 beyond the widest id."""
    found = bounds.handoff_id(request.match_info.get("id", ""))
    if found is None:
        raise web.HTTPNotFound()
    return found


async def get_actions(request: web.Request) -> web.Response:
    query = read_list_query(request.query)
    actions, total = await request.app[STORE_KEY].run(
        list_actions, query["statuses"], query["kinds"], query["page"], query["per_page"]
    )
    return web.json_response(
        {
            "actions": [a.as_api() for a in actions],
            "page": query["page"],
            "per_page": query["per_page"],
            "total": total,
            "choices": CHOICES,
        },
        headers={"Cache-Control": "no-store"},
    )


async def post_action(request: web.Request) -> web.Response:
    fields = read_new_action(await read_object(request, empty_ok=False))
    try:
        made = await request.app[STORE_KEY].run(record_action, now=clock.now(), **fields)
    except TooManyActions as full:
        return error(409, str(full))
    logger.info("corrective action %s recorded by %s", made.id, made.created_by)
    return web.json_response(made.as_api(), status=201)


async def get_action(request: web.Request) -> web.Response:
    found = await request.app[STORE_KEY].run(find_action, _id(request))
    if found is None:
        return error(404, NO_ACTION)
    return web.json_response(found.as_api(), headers={"Cache-Control": "no-store"})


async def patch_action(request: web.Request) -> web.Response:
    wanted = _id(request)
    status, actor = read_status_change(await read_object(request, empty_ok=False))
    changed = await request.app[STORE_KEY].run(
        change_action_status, wanted, status, actor, clock.now()
    )
    if changed is None:
        return error(404, NO_ACTION)
    logger.info("corrective action %s → %s by %s", wanted, status, actor)
    return web.json_response(changed.as_api())


def add_routes(app: web.Application) -> None:
    """The register's routes, and the token check in front of them (the desk's middlewares
    are still open to additions while the app is being built)."""
    app.middlewares.append(require_staff_token)
    app.router.add_get(ROUTE, get_actions)
    app.router.add_post(ROUTE, post_action)
    app.router.add_get(ONE, get_action)
    app.router.add_patch(ONE, patch_action)
