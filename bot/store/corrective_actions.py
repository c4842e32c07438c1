"""The corrective-actions register (issue 20, item 7), as the operators' corrective-actions
reports keep it: staff record an action against an entity or a theme, with its type
(technical, staff, procedures, outputs) and its status (planned, in progress, done), and
change the status as the work goes on. The staff API (`bot/desk/corrective_actions_api.py`)
checks every field's bounds before anything gets here; these functions check the codes and
the register's size again, and change nothing when they refuse.

- `started_at`: the first time the action went in progress (or straight to done);
- `done_at`: when it was done; a done action put back to planned or in progress is open
  again (`done_at` cleared);
- the voice-of-the-beneficiary report reads the table itself (`bot/desk/report/rows.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bot.clock import local_date
from bot.rules.input_bounds import MAX_CORRECTIVE_ACTIONS
from bot.rules.labels import (
    CORRECTIVE_ACTION_STATUS_LABELS,
    CORRECTIVE_ACTION_STATUSES,
    CORRECTIVE_ACTION_TYPE_LABELS,
    CORRECTIVE_ACTION_TYPES,
)
from bot.store.database import Store, utc
from bot.store.models import CorrectiveAction

FIRST_STATUS = "planned"


class TooManyActions(ValueError):
    """The register keeps at most `MAX_CORRECTIVE_ACTIONS` actions."""


def _iso(instant: dt.datetime | None) -> str | None:
    return utc(instant).isoformat() if instant is not None else None


def _day(instant: dt.datetime | None) -> str | None:
    return local_date(utc(instant)).isoformat() if instant is not None else None


@dataclass(frozen=True)
class ActionView:
    """One action of the register, as the staff API and the tests read it."""

    id: int
    entity: str | None
    theme: str | None
    type: str
    status: str
    description: str
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    started_at: dt.datetime | None
    done_at: dt.datetime | None

    def as_api(self) -> dict[str, Any]:
        """The API's answer: codes with their Arabic names, instants in UTC and the
        centre's days (`recorded_on`, `started_on`, `done_on`)."""
        return {
            "id": self.id,
            "entity": self.entity,
            "theme": self.theme,
            "type": self.type,
            "type_label": CORRECTIVE_ACTION_TYPE_LABELS[self.type],
            "status": self.status,
            "status_label": CORRECTIVE_ACTION_STATUS_LABELS[self.status],
            "description": self.description,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
            "updated_by": self.updated_by,
            "updated_at": _iso(self.updated_at),
            "started_at": _iso(self.started_at),
            "done_at": _iso(self.done_at),
            "recorded_on": _day(self.created_at),
            "started_on": _day(self.started_at),
            "done_on": _day(self.done_at),
        }


def _view(row: CorrectiveAction) -> ActionView:
    return ActionView(
        row.id,
        row.entity,
        row.theme,
        row.type,
        row.status,
        row.description,
        row.created_by,
        utc(row.created_at),
        row.updated_by,
        utc(row.updated_at),
        utc(row.started_at),
        utc(row.done_at),
    )


def _check(kind: str | None, status: str) -> None:
    if kind is not None and kind not in CORRECTIVE_ACTION_TYPES:
        raise ValueError(f"unknown corrective action type {kind!r}")
    if status not in CORRECTIVE_ACTION_STATUSES:
        raise ValueError(f"unknown corrective action status {status!r}")


def _set_status(row: CorrectiveAction, status: str, now: dt.datetime) -> None:
    row.status = status
    if status != FIRST_STATUS and row.started_at is None:
        row.started_at = now
    row.done_at = (row.done_at or now) if status == "done" else None


def record_action(
    store: Store,
    *,
    entity: str | None,
    theme: str | None,
    kind: str,
    description: str,
    actor: str,
    now: dt.datetime,
    status: str = FIRST_STATUS,
) -> ActionView:
    """A new action (against `entity`, `theme` or both); ValueError for an unknown code or
    neither entity nor theme, TooManyActions when the register is full (nothing stored)."""
    _check(kind, status)
    if not (entity or theme):
        raise ValueError("a corrective action is against an entity or a theme")
    with store.session() as session:
        count = session.execute(select(func.count(CorrectiveAction.id))).scalar_one()
        if count >= MAX_CORRECTIVE_ACTIONS:
            raise TooManyActions(f"the register keeps at most {MAX_CORRECTIVE_ACTIONS} actions")
        row = CorrectiveAction(
            entity=entity,
            theme=theme,
            type=kind,
            status=FIRST_STATUS,
            description=description,
            created_by=actor,
            created_at=now,
            updated_by=actor,
            updated_at=now,
        )
        _set_status(row, status, now)
        session.add(row)
        session.flush()
        return _view(row)


def find_action(store: Store, action_id: int) -> ActionView | None:
    with store.session() as session:
        row = session.get(CorrectiveAction, action_id)
        return _view(row) if row is not None else None


def change_action_status(
    store: Store, action_id: int, status: str, actor: str, now: dt.datetime
) -> ActionView | None:
    """Move an action to `status` (the same status again changes nothing); None when
    there is no such action."""
    _check(None, status)
    with store.session() as session:
        row = session.get(CorrectiveAction, action_id, with_for_update=True)
        if row is None:
            return None
        if row.status != status:
            _set_status(row, status, now)
            row.updated_by, row.updated_at = actor, now
            session.flush()
        return _view(row)


def list_actions(
    store: Store,
    statuses: Sequence[str] = (),
    kinds: Sequence[str] = (),
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[ActionView], int]:
    """One page of the register in the order the actions were recorded, filtered by status
    and type (any of those given), and how many match in all (two queries)."""
    conditions = []
    if statuses:
        conditions.append(CorrectiveAction.status.in_(list(statuses)))
    if kinds:
        conditions.append(CorrectiveAction.type.in_(list(kinds)))
    with store.session() as session:
        total = session.execute(
            select(func.count(CorrectiveAction.id)).where(*conditions)
        ).scalar_one()
        rows = session.execute(
            select(CorrectiveAction)
            .where(*conditions)
            .order_by(CorrectiveAction.created_at, CorrectiveAction.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).scalars()
        return [_view(row) for row in rows], total
