"""What the desk's APIs and Rasa's hand-off bridge accept: every bound in one place.

Pure (no web framework, no store), so the desk (aiohttp) and the bridge (inside Rasa,
Sanic) share it. A value out of bounds raises `BadInput`, whose message is safe to show
the caller; the APIs answer it with 400 and `{"error": message}`. The bounds are listed
in docs/security.md ("Bounds"): keep both in step.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

# Request bodies
MAX_BODY_BYTES = 64 * 1024  # the desk's client_max_size and the bridge's limit
MAX_JSON_DEPTH = 16  # nesting of arrays and objects in a body
# A citizen's message, on every channel (REST, widget, WhatsApp, SMS, `/model/parse`)
MAX_MESSAGE = 5000
# Credentials
MAX_BEARER_TOKEN = 512  # printable ASCII (RFC 6750); longer or other bytes: 401
MAX_USERNAME = 64  # an agent's username (login, reassign target, reply's author)
MAX_PASSWORD = 1024
# Reports
MAX_NOTE = 2000  # a status change's note (staff API and agents' report-status)
MAX_IMPLEMENTATION_TIME = 200  # told to the citizen when a report is accepted
MAX_ACTOR = 64  # who changed the status (staff API's optional `actor`)
REPORT_NUMBER = re.compile(r"[0-9]{9}")  # ASCII digits only (contract)
# Hand-offs
MAX_REPLY = 4000  # an agent's reply (console, Telegram, the bridge's /send)
MAX_CONVERSATION_ID = 128  # the bridge's conversation_id
HANDOFF_ID_ROUTE = r"[0-9]{1,18}"  # a longer id in a path is a 404
MAX_HANDOFF_ID = 2**63 - 1  # PostgreSQL's bigint, the widest id column
HANDOFF_ID = re.compile(HANDOFF_ID_ROUTE)


class BadInput(ValueError):
    """A request outside its bounds; the message says which field and why."""


def encodable(value: str) -> bool:
    """No lone surrogate (`"\\ud800"` in JSON): no store of ours can keep one."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _clean(value: str, field: str) -> str:
    if "\x00" in value:
        raise BadInput(f"{field} must not contain NUL characters")
    if not encodable(value):
        raise BadInput(f"{field} must be valid Unicode text")
    return value


def text(value: Any, field: str, max_length: int, *, required: bool = False) -> str | None:
    """A free-text field: None when absent (BadInput if `required`), else a string of at
    most `max_length` characters, without NUL or unpaired surrogates."""
    if value is None or (required and value == ""):
        if required:
            raise BadInput(f"{field} required")
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise BadInput(f"{field} must be a string of at most {max_length} characters")
    return _clean(value, field)


def _check_tree(document: Any, max_depth: int) -> None:
    """Nesting within `max_depth`, and every string (key or value) clean; iterative."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _clean(node, "every string in the body")
        elif isinstance(node, dict | list):
            if depth > max_depth:
                raise BadInput(f"JSON nested deeper than {max_depth} levels")
            if isinstance(node, dict):
                for key, child in node.items():
                    _clean(key, "every string in the body")
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in node)


def parse_json(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A request body's JSON (None for an empty body). BadInput for bytes that are not
    UTF-8 JSON, nesting deeper than `max_depth`, or a string with NUL or an unpaired
    surrogate (PostgreSQL refuses NUL; an unpaired surrogate cannot be stored)."""
    if len(raw) > MAX_BODY_BYTES:
        raise BadInput(f"body larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        return None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise BadInput("body must be UTF-8 JSON") from None
    _check_tree(document, max_depth)
    return document


def json_object(raw: bytes, *, empty_ok: bool = True) -> dict[str, Any]:
    """A body that must be a JSON object (an empty body is `{}` when `empty_ok`)."""
    if empty_ok and not raw.strip():
        return {}
    document = parse_json(raw)
    if not isinstance(document, dict):
        raise BadInput("body must be a JSON object")
    return document


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when it is absent,
    not a bearer token, too long or not printable ASCII (headers arrive decoded with
    surrogate escapes, so latin-1 bytes never reach a hash or a comparison)."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip(" \t")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_BEARER_TOKEN:
        return None
    if not (token.isascii() and token.isprintable()) or " " in token:
        return None
    return token


def bearer_matches(authorization: str | None, expected: str) -> bool:
    """Does an `Authorization` header carry the bearer token `expected`? In constant time,
    on bytes (`compare_digest` refuses non-ASCII str: a forged token must be a 401, not a
    500)."""
    given = bearer_token(authorization)
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def handoff_id(value: str) -> int | None:
    """A hand-off id given as text (path or Telegram command), or None: ASCII digits only,
    1 ≤ id ≤ MAX_HANDOFF_ID."""
    if not isinstance(value, str) or not HANDOFF_ID.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_HANDOFF_ID else None


def conversation_id(value: Any) -> str:
    """The bridge's conversation_id: a non-empty string of at most MAX_CONVERSATION_ID
    characters, without NUL."""
    return text(value, "conversation_id", MAX_CONVERSATION_ID, required=True) or ""


def report_number(value: str) -> str | None:
    """A report number (nine ASCII digits), or None."""
    return value if isinstance(value, str) and REPORT_NUMBER.fullmatch(value) else None


def caller_address(peer: str | None, edge_header: str | None, forwarded_for: str | None) -> str:
    """Who is calling, for limits counted per client address. Behind the edge, nginx's
    view: the last `X-Forwarded-For` hop (the one nginx added), believed only when the
    request carries the edge's header *and* comes from a loopback or private address
    (nginx on the same host or in the same network); a caller on the Internet that sends
    those headers itself is counted under its own address."""
    import ipaddress

    try:
        near = ipaddress.ip_address((peer or "").split("%", 1)[0])
        trusted = near.is_loopback or near.is_private
    except ValueError:
        trusted = False
    if edge_header is not None and trusted:
        last = (forwarded_for or "").rsplit(",", 1)[-1].strip()
        if last and len(last) <= 64:
            return last
    return peer or "unknown"


# The staff's and supervisors' report lists (`GET /api/reports`, `/api/supervisors/reports`).
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 100_000  # 10 million reports at 100 a page
MAX_ENTITY = 200  # the reports table's entity column


# The agents' inbox and its tools (`bot/desk/handoff_api.py`, `bot/desk/inbox.py`).
INBOX_PARAMETERS = ("channel", "reason", "q")  # `GET /api/handoffs`: each at most once
MAX_SEARCH = 32  # the inbox's search: a report number or a masked mobile («0555****67»)
SEARCH_DIGITS = 2  # a mobile is searched by the digits a masked one shows (the last two)
MAX_INTERNAL_NOTE = 2000  # an internal note on a hand-off; a transfer's note
MAX_CANNED_TITLE = 80  # a canned reply's title (what the list shows)
MAX_CANNED_BODY = 1000  # its text, placeholders included (filled, it stays within MAX_REPLY)
MAX_CANNED_REPLIES = 500  # how many canned replies the desk keeps
_SEARCH = re.compile(r"\+?[0-9*][0-9* \-]*")
_INDIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def inbox_search(value: str) -> tuple[str, str]:
    """The inbox's search `q`: ("report", nine digits) for a report number, else
    ("mobile", its last digits) for a mobile typed whole, masked («0555****67», «+**********67»)
    or by its last digits («67»). Only the last `SEARCH_DIGITS` digits of a mobile are kept:
    they are all a masked mobile shows, so a search never tells an agent a hidden digit.
    Arabic-Indic digits are read as digits. BadInput for anything else."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_SEARCH:
        raise BadInput(f"q must be 1..{MAX_SEARCH} characters")
    given = value.translate(_INDIC_DIGITS).strip()
    if not _SEARCH.fullmatch(given):
        raise BadInput("q must be a report number or a mobile (digits, * for hidden ones)")
    compact = given.replace(" ", "").replace("-", "")
    if REPORT_NUMBER.fullmatch(compact):
        return "report", compact
    tail = re.search(r"[0-9]+$", compact)
    if tail is None:
        raise BadInput("q must end with digits (the last digits of the mobile)")
    return "mobile", tail.group(0)[-SEARCH_DIGITS:]


# The corrective-actions register (`bot/desk/corrective_actions_api.py`).
CORRECTIVE_ACTION_FIELDS = ("entity", "theme", "type", "status", "description", "actor")
CORRECTIVE_ACTION_PARAMETERS = ("status", "type", "page", "per_page")  # each at most once
MAX_ACTION_SUBJECT = 200  # an action's entity (as the reports table keeps it) or theme
MAX_ACTION_DESCRIPTION = 2000  # what the action is
MAX_CORRECTIVE_ACTIONS = 10_000  # how many the register keeps (the report lists them all)


# The console's live stream and "the agent is typing" (`bot/desk/live.py`, issue 21 item 3).
LIVE_TICKET_SECONDS = 30  # a stream ticket's life; it opens one stream, once
LIVE_TICKET = re.compile(r"[A-Za-z0-9_-]{43}")  # `secrets.token_urlsafe(32)`; anything else: 401
LIVE_STREAM_SECONDS = 300  # a stream then ends; the console takes a new ticket with its session
LIVE_HEARTBEAT_SECONDS = 15  # a comment line when nothing happened (proxies, dead sockets)
MAX_LIVE_STREAMS = 500  # open streams per desk process (503 beyond)
MAX_LIVE_STREAMS_PER_AGENT = 8  # per agent (tabs, reconnects not yet noticed as closed)
MAX_LIVE_BACKLOG = 200  # events waiting for one stream: a slower one is closed (it reconnects)
TYPING_EVERY_SECONDS = 1.0  # "typing" forwarded to the widget at most once a second per chat


def live_ticket(value: Any) -> str | None:
    """A stream ticket as given in `?ticket=`, or None (missing, or not one we issue)."""
    return value if isinstance(value, str) and LIVE_TICKET.fullmatch(value) else None


def flag(value: Any, field: str) -> bool:
    """A required JSON boolean (`true` / `false`); BadInput otherwise."""
    if not isinstance(value, bool):
        raise BadInput(f"{field} must be true or false")
    return value
