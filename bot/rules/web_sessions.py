"""The web chat widget's session tokens: `<id>.<HMAC>`, issued by the server only.

They lived in `channels/webchat.py`; they are here, pure, because two processes need them:
the Rasa process issues and checks them (the widget's socket, history and uploads), and the
desk gives a citizen's notice link back to their conversation (`/c/<link>`) the widget token
of that conversation (`session_token`). Same secret (`BALAGH_WEBCHAT_SECRET`) on both sides.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from typing import Any

_ID = re.compile(r"[0-9a-f]{32}")  # as new_token makes them
PREFIX = "web:"  # the conversation id of a widget session: `web:<id>`


def sign(secret: str, conversation: str) -> str:
    """The signature of a session id (128 bits of HMAC-SHA256, hex)."""
    return hmac.new(secret.encode(), conversation.encode(), hashlib.sha256).hexdigest()[:32]


def new_token(secret: str) -> str:
    """A brand-new session: a random id and its signature."""
    conversation = uuid.uuid4().hex
    return f"{conversation}.{sign(secret, conversation)}"


def sender_of(secret: str, token: Any) -> str | None:
    """The conversation a token grants, or None if it was not issued by this server."""
    if not isinstance(token, str) or token.count(".") != 1:
        return None
    conversation, signature = token.split(".")
    if not _ID.fullmatch(conversation):
        return None
    # bytes: compare_digest refuses non-ASCII str (a forged token must get 403, not 500)
    if not hmac.compare_digest(signature.encode(), sign(secret, conversation).encode()):
        return None
    return f"{PREFIX}{conversation}"


def session_token(secret: str, conversation_id: Any) -> str | None:
    """The widget token that opens the conversation `web:<id>`; None for any other id
    (WhatsApp, SMS, REST conversations have no widget session)."""
    if not isinstance(conversation_id, str) or not conversation_id.startswith(PREFIX):
        return None
    conversation = conversation_id[len(PREFIX) :]
    if not _ID.fullmatch(conversation):
        return None
    return f"{conversation}.{sign(secret, conversation)}"
