"""Backups that restore, end to end (issue 22, item 3): a Balagh is stopped with a form half
filled, backed up, restored into new files, and a new Balagh on them takes the next message
as the form's next answer; the reports filed before are there."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from bot.ops.backup import backup, restore
from bot.settings import load_settings
from bot.store.database import shared_store
from tests.e2e.conftest import running_bot
from tests.helpers.conversations import file_complaint, personal_data, reports_of, start

pytestmark = pytest.mark.e2e


def test_a_restored_backup_continues_the_open_form_and_keeps_the_reports(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    before = dataclasses.replace(
        load_settings(),
        database_url=f"sqlite:///{first / 'reports.db'}",
        tracker_store_url=f"sqlite:///{first / 'conversations.db'}",
        media_dir=first / "media",
    )
    filer, halfway = f"backup-{uuid.uuid4().hex[:8]}", f"backup-{uuid.uuid4().hex[:8]}"
    with running_bot(
        first,
        before.database_url,
        before.tracker_store_url,
        {"BALAGH_MEDIA_DIR": str(before.media_dir)},
    ) as bot:
        filed = file_complaint(bot, filer, reference="BACKUP-2026-1")
        start(bot, halfway)
        personal_data(bot, halfway)  # the form now asks why the complaint is escalated
    shared_store(before.database_url).dispose()

    folder = backup(before, tmp_path / "backups")
    after = dataclasses.replace(
        before,
        database_url=f"sqlite:///{second / 'reports.db'}",
        tracker_store_url=f"sqlite:///{second / 'conversations.db'}",
        media_dir=second / "media",
    )
    restore(after, folder)

    with running_bot(
        second,
        after.database_url,
        after.tracker_store_url,
        {"BALAGH_MEDIA_DIR": str(after.media_dir)},
    ) as bot:
        # The escalation reason offered before the stop is taken as the form's answer:
        # the next question of the form, not a new conversation.
        reply = bot.say(halfway, '/inform{"choice": "no_sla"}')
        assert "الجهة الحكومية" in reply, reply
        assert "ما اسمك الكامل" not in reply
        [report] = reports_of(bot, filer)
        assert (report.number, report.status, report.national_id) == (
            filed.number,
            "received",
            "1000000008",
        )
        status, shown = bot.staff("GET", f"/api/reports/{filed.number}")
        assert status == 200 and shown["status"] == "received"
        assert "المنصة" in bot.say(halfway, "وزارة الصحة")  # and it goes on
    shared_store(after.database_url).dispose()
