"""The guide's links («ورابط للمتابعة», «ورابط للاطلاع على التفاصيل»): short, signed, expiring.

A link names one report and what it opens — its public status page (`status`) or the web
chat conversation it was filed in (`conversation`) — and the moment it stops working. The
token carries those three, and an HMAC-SHA256 over them under the link secret (truncated to
96 bits): nothing is stored, nobody can forge or extend one, and it is short enough for an
Arabic SMS (28 characters). Pure functions: the key and the clock are the caller's.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import struct
from dataclasses import dataclass

PURPOSES = {"status": 1, "conversation": 2}
_PURPOSE_OF = {code: name for name, code in PURPOSES.items()}
# How long a link works: a status page link as long as a report may be followed, a link
# back to a conversation as long as its notice matters.
LIFETIMES = {"status": dt.timedelta(days=90), "conversation": dt.timedelta(days=7)}
_BODY = struct.Struct(">BII")  # purpose, report id, expiry (Unix seconds)
_MAC_BYTES = 12
PATHS = {"status": "s", "conversation": "c"}  # the desk's routes: /s/<token>, /c/<token>


@dataclass(frozen=True)
class LinkGrant:
    """What a valid token opens, and until when."""

    purpose: str
    report_id: int
    expires_at: dt.datetime


def _mac(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), b"balagh-link\x00" + body, hashlib.sha256).digest()[
        :_MAC_BYTES
    ]


def make_token(secret: str, purpose: str, report_id: int, now: dt.datetime) -> str:
    """A token for `purpose` on the report, valid for its lifetime from `now`."""
    expires = int((now + LIFETIMES[purpose]).timestamp())
    body = _BODY.pack(PURPOSES[purpose], report_id, expires)
    return base64.urlsafe_b64encode(body + _mac(secret, body)).decode().rstrip("=")


def read_token(secret: str, token: str, now: dt.datetime) -> LinkGrant | None:
    """The grant of a token this secret signed and that has not expired; None otherwise
    (malformed, forged, altered or expired: the caller answers them alike)."""
    if not isinstance(token, str) or not 1 <= len(token) <= 64 or not token.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _BODY.size + _MAC_BYTES:
        return None
    body, mac = raw[: _BODY.size], raw[_BODY.size :]
    if not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    code, report_id, expires = _BODY.unpack(body)
    purpose = _PURPOSE_OF.get(code)
    expires_at = dt.datetime.fromtimestamp(expires, dt.timezone.utc)
    if purpose is None or now >= expires_at:
        return None
    return LinkGrant(purpose, report_id, expires_at)


def link(base_url: str, secret: str, purpose: str, report_id: int, now: dt.datetime) -> str:
    """The whole address, e.g. `https://balagh.example/s/AQAAAC…`."""
    token = make_token(secret, purpose, report_id, now)
    return f"{base_url.rstrip('/')}/{PATHS[purpose]}/{token}"
