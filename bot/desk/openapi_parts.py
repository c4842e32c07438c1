"""What the desk's OpenAPI document is built of, shared by its parts (`openapi`, the core
routes, and `openapi_inbox`, the console's inbox): the response helpers and the common
parameters and errors."""

from __future__ import annotations

from typing import Any

from bot.rules import input_bounds as bounds


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, **_json(_ref("Error"))}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, **_json(schema)}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, **_json(schema)}


BAD = _error("malformed request or a field outside its bounds (docs/security.md)")
UNAUTHORISED = _error("missing, invalid or expired bearer token")
NO_HANDOFF = _error("no such hand-off")
SUPERVISORS = _error("supervisors only")
HANDOFF_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": f"hand-off id: 1..{bounds.MAX_HANDOFF_ID} (more than 18 digits is a 404)",
    "schema": {"type": "integer", "minimum": 1, "maximum": bounds.MAX_HANDOFF_ID},
}
AGENT = [{"agentSession": []}]
