"""Reports for store tests: a fixed instant, its due date, a complaint to file."""

from __future__ import annotations

import datetime as dt

from bot.store.reports import (
    NewReport,
)

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


DUE = dt.date(2026, 11, 30)


def complaint(
    prior_number: str | None = "INC-1", entity: str = "وزارة الصحة", **extra
) -> NewReport:
    return NewReport(
        type="complaint",
        channel="rest",
        conversation_id="c1",
        beneficiary_name="نورة سعد",
        national_id="1000000008",
        mobile="+966551234567",
        entity=entity,
        trigger="no_sla",
        prior_number=prior_number,
        prior_date=dt.date(2026, 11, 1),
        title="تأخر",
        description="وصف",
        documents=[("supporting", "https://example.invalid/a.pdf", "application/pdf")],
        **extra,
    )


# A complaint's answers after the mobile's code, as a citizen gives them (the system-down
# route: no reference number needed), up to the summary's «تخطي».
SYSTEM_DOWN_ANSWERS = (
    "1",
    "وزارة الداخلية",
    "أبشر",
    "تجديد الإقامة",
    "التطبيق",
    "https://x.example/s.png",
    "تعطل التطبيق",
    "يظهر خطأ عند فتح صفحة الشكاوى.",
)
