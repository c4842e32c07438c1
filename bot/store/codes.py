"""One-time codes in the reports store: issued, checked, and what they proved.

Neither a code nor a mobile is stored: only keyed hashes (HMAC-SHA256 with the process's
code key), so a copy of the database tells neither. A conversation's verified mobile is a
row with `verified_at` set; a report opened to another conversation by a code is an
`OwnershipGrant` written by the caller. The rules (how many, how long) are
`bot.rules.codes`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import false, func, or_, select

from bot.rules import codes as rules
from bot.store.database import Store, utc
from bot.store.models import OneTimeCode

PURPOSES = ("mobile", "report")


def keyed(key: bytes, value: str) -> str:
    """The keyed hash under which a mobile, a client address or a code is stored."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(rules.CODE_DIGITS))


@dataclass(frozen=True)
class Issued:
    """A code issued (`code` is None when Twilio Verify makes it), or why not."""

    allowed: bool
    refusal: str | None = None
    wait_seconds: int = 0
    code: str | None = None
    row_id: int | None = None


def issue(
    store: Store,
    key: bytes,
    *,
    purpose: str,
    conversation_id: str,
    mobile: str,
    now: dt.datetime,
    limits: rules.Limits,
    client: str | None = None,
    report_number: str | None = None,
    via: str = "outbox",
) -> Issued:
    """A new code for `mobile` when the rules allow it (the previous unspent one for the
    same request stops counting). `via` "verify": Twilio makes the code, none is kept."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    mobile_key = keyed(key, mobile)
    client_key = keyed(key, client) if client else None
    since = now - rules.LIMIT_WINDOW
    with store.session() as session:
        # The three hourly counts in one statement (a code turn is on the message path).
        mine = OneTimeCode.conversation_id == conversation_id
        to_mobile = OneTimeCode.mobile_key == mobile_key
        from_client = OneTimeCode.client_key == client_key if client_key else false()
        by_conversation, by_mobile, by_client = session.execute(
            select(
                func.count(OneTimeCode.id).filter(mine),
                func.count(OneTimeCode.id).filter(to_mobile),
                func.count(OneTimeCode.id).filter(from_client),
            ).where(
                OneTimeCode.created_at >= since,
                OneTimeCode.via != "channel",
                or_(mine, to_mobile, from_client),
            )
        ).one()
        last = _latest(session, conversation_id, purpose, mobile_key, report_number)
        recent = last is not None and last.via != "channel"
        since_last = now - utc(last.created_at) if recent else None
        allowed, refusal, wait = rules.may_send(
            rules.SentCounts(by_conversation, by_mobile, by_client, since_last), limits
        )
        if not allowed:
            return Issued(False, refusal, wait)
        code = None if via == "verify" else new_code()
        row = OneTimeCode(
            purpose=purpose,
            conversation_id=conversation_id,
            mobile_key=mobile_key,
            report_number=report_number,
            client_key=client_key,
            code_key=keyed(key, code) if code else None,
            via=via,
            attempts=0,
            created_at=now,
            expires_at=now + rules.CODE_LIFETIME,
        )
        session.add(row)
        session.flush()
        return Issued(True, code=code, row_id=row.id)


@dataclass(frozen=True)
class Checked:
    """'ok', 'wrong' (with `tries_left`), 'expired', 'too_many' or 'none' (no code sent)."""

    outcome: str
    tries_left: int = 0


def check(
    store: Store,
    key: bytes,
    *,
    purpose: str,
    conversation_id: str,
    mobile: str,
    code: str,
    now: dt.datetime,
    report_number: str | None = None,
    remote: Callable[[str], bool] | None = None,
) -> Checked:
    """Check `code` against the latest code of this request. `remote`: asks Twilio Verify
    (for codes it made). Each wrong code spends a try; the right one marks the request
    verified and the code spent."""
    mobile_key = keyed(key, mobile)
    with store.session() as session:
        row = _latest(session, conversation_id, purpose, mobile_key, report_number)
        if row is None or row.via == "channel":
            return Checked("none")
        if row.verified_at is not None:
            return Checked("none")  # spent: a new request needs a new code
        if row.attempts >= rules.MAX_TRIES:
            return Checked("too_many")
        if now >= utc(row.expires_at):
            return Checked("expired")
        row.attempts += 1
        if row.code_key is not None:
            right = hmac.compare_digest(row.code_key, keyed(key, code))
        else:
            right = remote is not None and remote(code)
        if right:
            row.verified_at = now
            return Checked("ok")
        left = rules.MAX_TRIES - row.attempts
        return Checked("wrong", left) if left > 0 else Checked("too_many")


def is_verified(store: Store, key: bytes, conversation_id: str, mobile: str) -> bool:
    """Did this conversation prove it holds `mobile` (a code, or the channel's own number)?"""
    with store.session() as session:
        found = session.execute(
            select(func.count(OneTimeCode.id)).where(
                OneTimeCode.conversation_id == conversation_id,
                OneTimeCode.purpose == "mobile",
                OneTimeCode.mobile_key == keyed(key, mobile),
                OneTimeCode.verified_at.is_not(None),
            )
        ).scalar_one()
        return bool(found)


def record_channel_number(
    store: Store, key: bytes, conversation_id: str, mobile: str, now: dt.datetime
) -> None:
    """The WhatsApp or SMS number the citizen writes from is theirs: verified as given."""
    with store.session() as session:
        session.add(
            OneTimeCode(
                purpose="mobile",
                conversation_id=conversation_id,
                mobile_key=keyed(key, mobile),
                via="channel",
                attempts=0,
                created_at=now,
                expires_at=now,
                verified_at=now,
            )
        )


def pending(
    store: Store,
    key: bytes,
    conversation_id: str,
    purpose: str,
    mobile: str,
    now: dt.datetime,
    report_number: str | None = None,
) -> bool:
    """Is a code of this request still usable (sent, unexpired, unspent, tries left)?"""
    with store.session() as session:
        row = _latest(session, conversation_id, purpose, keyed(key, mobile), report_number)
        return (
            row is not None
            and row.via != "channel"
            and row.verified_at is None
            and row.attempts < rules.MAX_TRIES
            and now < utc(row.expires_at)
        )


def _latest(
    session, conversation_id: str, purpose: str, mobile_key: str, report_number: str | None
) -> OneTimeCode | None:
    query = (
        select(OneTimeCode)
        .where(
            OneTimeCode.conversation_id == conversation_id,
            OneTimeCode.purpose == purpose,
            OneTimeCode.mobile_key == mobile_key,
        )
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
    )
    if report_number is not None:
        query = query.where(OneTimeCode.report_number == report_number)
    return session.execute(query).scalars().first()
