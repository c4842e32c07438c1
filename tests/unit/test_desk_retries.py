"""The desk's background loops (`bot.desk.main._every`): a failing store is retried less and
less often, logged once with its traceback then in one line per retry, and the loop says
when the work succeeds again."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.desk import main


def test_failures_back_off_up_to_the_cap_and_recovery_is_logged(monkeypatch, caplog):
    waits: list[float] = []
    outcomes = iter([OSError("disk"), OSError("disk"), OSError("disk"), None, None])

    async def work() -> None:
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 5:
            raise asyncio.CancelledError

    monkeypatch.setattr(main.asyncio, "sleep", sleep)
    monkeypatch.setattr(main, "RETRY_CAP", 3.0)
    caplog.set_level(logging.INFO, logger="bot.desk")
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(main._every(1.0, work, "dispatcher"))
    assert waits == [1.0, 2.0, 3.0, 1.0, 1.0]
    records = [r for r in caplog.records if r.name == "bot.desk"]
    assert [r.exc_info is not None for r in records[:3]] == [True, False, False]
    assert "failed again (2 times: OSError)" in records[1].getMessage()
    assert records[3].getMessage() == "dispatcher works again after 3 failures"
