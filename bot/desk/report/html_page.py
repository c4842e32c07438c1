"""The report as one self-contained HTML page: Arabic, right to left, charts embedded
(PNG data URIs, so the file can be mailed or archived alone), laid out for A4 so that
the browser's "print to PDF" gives the published document."""

from __future__ import annotations

import base64
import datetime as dt
from html import escape

from bot.desk.report.figures import SLA_WORKING_DAYS, ReportFigures
from bot.desk.report.labels import (
    ACTION_STATUS_LABELS,
    ACTION_TYPE_LABELS,
    CHANNEL_LABELS,
    HANDOFF_REASONS,
    MONTH_NAMES,
    NOTICE_ROUTE_LABELS,
    NOTICE_STATE_LABELS,
    REOPEN_LABELS,
    STATUS_NAMES,
    SURVEY_QUESTIONS,
    SURVEY_REACH_LABELS,
    TRIGGER_LABELS,
    TYPE_LABELS,
    month_label,
    number,
    percent,
)

STYLE = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: 'Noto Sans Arabic', 'DejaVu Sans', Tahoma, sans-serif; color: #1d2b26;
  margin: 0 auto; max-width: 1000px; padding: 16px; line-height: 1.7; background: #fff; }
header { border-bottom: 4px solid #0b6e4f; margin-bottom: 12px; }
h1 { color: #0b6e4f; font-size: 26px; margin: 0; }
h2 { color: #0b6e4f; font-size: 19px; border-bottom: 1px solid #d6ddd9; margin: 20px 0 8px; }
h3 { font-size: 15px; margin: 10px 0 4px; }
.muted { color: #5c6b66; font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
.card { border: 1px solid #d6ddd9; border-radius: 8px; padding: 8px 10px; background: #f6f8f7; }
.card b { display: block; font-size: 24px; color: #0b6e4f; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { border: 1px solid #d6ddd9; padding: 4px 6px; text-align: right; }
th { background: #eef3f1; }
td.n { font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f6f8f7; }
figure { margin: 6px 0; text-align: center; }
figure img { max-width: 100%; height: auto; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
section, table, figure, blockquote { break-inside: avoid; }
blockquote p { margin: 0; }
blockquote { margin: 6px 0; padding: 4px 10px; border-right: 4px solid #c9a227;
  background: #fbf8ee; }
blockquote footer { font-size: 12px; color: #5c6b66; }
footer.notes { margin-top: 18px; font-size: 12px; color: #5c6b66; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } }
"""


def arabic_date(day: dt.date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _image(images: dict[str, bytes], name: str, alt: str) -> str:
    if name not in images:
        return ""
    data = base64.b64encode(images[name]).decode()
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}" '
        f'data-chart="{name}"></figure>'
    )


def _table(headers: list[str], rows: list[list[str]], total: list[str] | None = None) -> str:
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(_cell(i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    if total:
        body += "<tr class='total'>" + "".join(_cell(i, v) for i, v in enumerate(total)) + "</tr>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(index: int, value: str) -> str:
    return f"<td>{escape(value)}</td>" if index == 0 else f"<td class='n'>{escape(value)}</td>"


def _cards(f: ReportFigures) -> str:
    cards = [
        ("إجمالي البلاغات", number(f.total)),
        ("نسبة الإنجاز", percent(f.completion_rate)),
        ("وسيط مدة المعالجة (أيام عمل)", number(f.handling_median_days)),
        (f"المعالجة خلال {SLA_WORKING_DAYS} أيام عمل", percent(f.within_sla_share)),
        ("أجابوا «نعم، مفيدة»", percent(f.useful_share)),
        ("نسبة التحويل إلى موظف", percent(f.handoffs.rate)),
        ("نسبة بلاغات الأعطال التقنية", percent(f.technical_failure_share)),
        ("نسبة الاستجابة للاستبيان", percent(f.survey_reach.response_rate)),
        ("الإجراءات التصحيحية المنفذة", number(f.corrective.by_status()["done"])),
    ]
    return (
        "<div class='cards'>"
        + "".join(
            f"<div class='card'><b>{escape(value)}</b>{escape(label)}</div>"
            for label, value in cards
        )
        + "</div>"
    )


def _types_and_statuses(f: ReportFigures, images: dict[str, bytes]) -> str:
    types = _table(
        ["نوع البلاغ", "العدد", "النسبة"],
        [
            [TYPE_LABELS[t], number(c), percent(c / f.total if f.total else None)]
            for t, c in f.by_type.items()
        ],
        ["الإجمالي", number(f.total), percent(1.0 if f.total else None)],
    )
    statuses = _table(
        ["حالة البلاغ", "العدد"],
        [[STATUS_NAMES.get(s, s), number(c)] for s, c in f.by_status.items()],
    )
    chart = _image(images, "types", "البلاغات حسب النوع")
    return (
        "<section id='totals'><h2>البلاغات حسب النوع والحالة</h2>"
        f"<div class='two'><div>{types}{chart}</div><div>{statuses}</div></div></section>"
    )


def _triggers(f: ReportFigures) -> str:
    rows = [
        [TRIGGER_LABELS.get(t, t), number(c), percent(c / f.complaints if f.complaints else None)]
        for t, c in f.by_trigger.items()
    ]
    table = _table(
        ["سبب التصعيد", "عدد الشكاوى", "النسبة"],
        rows,
        ["إجمالي الشكاوى", number(f.complaints), percent(1.0 if f.complaints else None)],
    )
    technical = f.by_trigger.get("technical_failure", 0)
    known = f.complaints - f.by_trigger.get("unknown", 0)
    note = (
        f"<p class='muted'>نسبة بلاغات الأعطال التقنية: {percent(f.technical_failure_share)}"
        f" ({number(technical)} من {number(known)} شكوى معروف سبب تصعيدها).</p>"
    )
    return "<section id='triggers'><h2>أسباب تصعيد الشكاوى</h2>" f"{note}{table}</section>"


def _entities(f: ReportFigures, images: dict[str, bytes]) -> str:
    def block(title: str, pairs: list[tuple[str, int]], chart: str) -> str:
        if not pairs:
            return f"<div><h3>{escape(title)}</h3><p class='muted'>لا توجد بلاغات.</p></div>"
        rows = [[str(i), name, number(c)] for i, (name, c) in enumerate(pairs, 1)]
        table = _table(["الترتيب", "الجهة", "عدد البلاغات"], rows)
        return f"<div><h3>{escape(title)}</h3>{table}{_image(images, chart, title)}</div>"

    return (
        "<section id='entities'><h2>أعلى 5 جهات حكومية</h2><div class='two'>"
        + block("بتصعيد الشكاوى", f.top_escalations, "top_escalations")
        + block("بالبلاغات المتأخرة عن موعد الرد", f.top_delays, "top_delays")
        + "</div></section>"
    )


def _completion(f: ReportFigures, images: dict[str, bytes]) -> str:
    table = _table(
        ["المؤشر", "القيمة"],
        [
            ["البلاغات المنجزة (مقبولة أو مرفوضة أو مغلقة)", number(f.completed)],
            ["نسبة الإنجاز (من غير الملغاة)", percent(f.completion_rate)],
            ["وسيط مدة المعالجة (أيام عمل)", number(f.handling_median_days)],
            ["المئين 90 لمدة المعالجة (أيام عمل)", number(f.handling_p90_days)],
            [f"المنجزة خلال {SLA_WORKING_DAYS} أيام عمل", number(f.within_sla)],
            [f"نسبة المعالجة خلال {SLA_WORKING_DAYS} أيام عمل", percent(f.within_sla_share)],
            ["البلاغات المتأخرة عن موعد الرد", number(f.delayed)],
        ],
    )
    chart = _image(images, "handling", "توزيع مدة المعالجة بأيام العمل")
    return (
        "<section id='completion'><h2>الإنجاز وسرعة المعالجة</h2>"
        f"<div class='two'><div>{table}</div><div>{chart}</div></div></section>"
    )


def _satisfaction(f: ReportFigures, images: dict[str, bytes]) -> str:
    rows = [
        [label, number(f.satisfaction.get(q), 2), number(f.satisfaction_answers.get(q, 0))]
        for q, label in SURVEY_QUESTIONS.items()
        if q in f.satisfaction
    ]
    rows.append(
        [
            "هل كانت الخدمة مفيدة؟ (نسبة «نعم»)",
            percent(f.useful_share),
            number(f.useful_answers),
        ]
    )
    table = _table(["السؤال", "المتوسط (من 5)", "عدد الإجابات"], rows)
    chart = _image(images, "satisfaction", "متوسط الرضا لكل سؤال")
    note = (
        f"<p class='muted'>عدد الاستبيانات: {number(f.surveys)} (تُحتسب الإجابات الجزئية لكل "
        f"سؤال). أجاب بـ«نعم» {number(f.useful_yes)} من أصل {number(f.useful_answers)}.</p>"
    )
    return (
        "<section id='satisfaction'><h2>رضا المستفيدين</h2>"
        f"{note}<div class='two'><div>{table}</div><div>{chart}</div></div></section>"
    )


def _survey_reach(f: ReportFigures) -> str:
    r = f.survey_reach
    table = _table(
        ["المؤشر", "العدد", "النسبة من المرسلة"],
        [
            [SURVEY_REACH_LABELS["sent"], number(r.sent), percent(1.0 if r.sent else None)],
            [SURVEY_REACH_LABELS["answered"], number(r.answered), percent(r.response_rate)],
            [SURVEY_REACH_LABELS["partly"], number(r.partly), percent(r.partial_rate)],
            [
                SURVEY_REACH_LABELS["not_answered"],
                number(r.not_answered),
                percent(r.not_answered / r.sent if r.sent else None),
            ],
        ],
    )
    return (
        "<section id='survey_response'><h2>الاستجابة لاستبيان الرضا</h2>"
        "<p class='muted'>المرسلة: بلاغات الفترة التي عُرض إشعار إغلاقها أو تذكير الاستبيان في "
        "محادثتها، أو لها إجابات. نسبة الاستجابة = المُجابة كاملة ÷ المرسلة: "
        f"{percent(r.response_rate)}.</p>{table}</section>"
    )


def _notices(f: ReportFigures) -> str:
    states = list(NOTICE_STATE_LABELS)
    rows = [
        [
            NOTICE_ROUTE_LABELS.get(route, route),
            *(number(n.states.get(s, 0)) for s in states),
            number(n.total),
            percent(n.reach_rate),
        ]
        for route, n in f.notices.items()
    ]
    table = _table(
        ["القناة", *NOTICE_STATE_LABELS.values(), "الإجمالي", "نسبة الوصول"],
        rows,
    )
    return (
        "<section id='notices'><h2>إشعارات المستفيدين حسب القناة</h2>"
        "<p class='muted'>الإشعارات المُعدّة خلال الفترة. «لم تصل»: أُرسلت ولم تبلغ أحداً "
        "(محادثة ويب مغلقة، أو رفضها مزود الرسائل)؛ «لم تُرسل»: تُركت القناة (المستفيد متصل، "
        "أو أوقف الرسائل، أو لا جوال). نسبة الوصول = الواصلة ÷ (الإجمالي − قيد الإرسال).</p>"
        f"{table}</section>"
    )


def _reopen(f: ReportFigures) -> str:
    r = f.reopen
    table = _table(
        ["المؤشر", "العدد"],
        [[REOPEN_LABELS[key], number(getattr(r, key))] for key in REOPEN_LABELS],
    )
    return (
        "<section id='reopen'><h2>طلبات إعادة فتح البلاغات</h2>"
        "<p class='muted'>الطلبات المقدّمة خلال الفترة، وما قُرّر فيها حتى يوم إعداد التقرير."
        f"</p>{table}</section>"
    )


def _corrective(f: ReportFigures) -> str:
    c = f.corrective
    statuses = list(ACTION_STATUS_LABELS)
    by_type = c.by_type()
    by_status = c.by_status()
    counts = _table(
        ["نوع الإجراء", *ACTION_STATUS_LABELS.values(), "الإجمالي"],
        [
            [
                ACTION_TYPE_LABELS.get(kind, kind),
                *(number(per_status.get(s, 0)) for s in statuses),
                number(by_type[kind]),
            ]
            for kind, per_status in c.counts.items()
        ],
        ["الإجمالي", *(number(by_status[s]) for s in statuses), number(c.total)],
    )
    if c.actions:
        listing = _table(
            ["الجهة أو المحور", "النوع", "الحالة", "تاريخ التسجيل", "تاريخ التنفيذ", "الإجراء"],
            [
                [
                    " · ".join(part for part in (a.entity, a.theme) if part),
                    ACTION_TYPE_LABELS.get(a.type, a.type),
                    ACTION_STATUS_LABELS.get(a.status, a.status),
                    arabic_date(a.recorded_on),
                    arabic_date(a.done_on) if a.done_on else "—",
                    a.description,
                ]
                for a in c.actions
            ],
        )
    else:
        listing = "<p class='muted'>لا توجد إجراءات تصحيحية مسجلة في هذه الفترة.</p>"
    return (
        "<section id='corrective'><h2>الإجراءات التصحيحية</h2>"
        "<p class='muted'>سجل الإجراءات كما هو في يوم إعداد التقرير: ما سُجّل قبل نهاية الفترة "
        "ولم يُنفَّذ قبل بدايتها.</p>"
        f"{counts}<h3>قائمة الإجراءات</h3>{listing}</section>"
    )


def _handoffs(f: ReportFigures) -> str:
    h = f.handoffs
    summary = _table(
        ["المؤشر", "القيمة"],
        [
            ["المحادثات المحوّلة إلى موظف", number(h.handed_conversations)],
            ["نسبة التحويل إلى موظف", percent(h.rate)],
            ["وسيط الانتظار حتى الاستلام (دقيقة)", number(h.wait_median_minutes)],
            ["وسيط مدة معالجة الموظف (دقيقة)", number(h.handling_median_minutes)],
            ["المئين 90 لمدة معالجة الموظف (دقيقة)", number(h.handling_p90_minutes)],
            ["متوسط تقييم المستفيدين لمساعدة الموظف (من 5)", number(h.rating_mean, 2)],
            ["عدد التقييمات", number(h.rated)],
        ],
    )
    reasons = _table(
        ["سبب التحويل", "العدد"],
        [[HANDOFF_REASONS.get(r, r), number(c)] for r, c in h.by_reason.items()],
    )
    agents = _table(
        ["الموظف", "المحادثات المعالجة", "وسيط مدة المعالجة (دقيقة)", "متوسط التقييم (من 5)"],
        [
            [agent, number(count), number(minutes), number(h.rating_by_agent.get(agent), 2)]
            for agent, count, minutes in h.by_agent
        ],
    )
    return (
        "<section id='handoffs'><h2>التحويل إلى موظف</h2>"
        "<p class='muted'>النسبة من المحادثات التي قدّمت بلاغاً أو حُوّلت إلى موظف خلال "
        f"الفترة (عددها {number(h.conversations)}).</p>"
        f"<div class='two'><div>{summary}{reasons}</div>"
        f"<div><h3>مدة معالجة الموظفين</h3>{agents}</div></div></section>"
    )


def _monthly(f: ReportFigures, images: dict[str, bytes]) -> str:
    headers = ["الأشهر", *(month_label(m) for m in f.months), "الإجمالي"]

    def row(label: str, values: list[int]) -> list[str]:
        return [label, *(number(v) for v in values), number(sum(values))]

    rows = [
        row(CHANNEL_LABELS[c], [f.monthly_channels[c][m] for m in f.months]) for c in f.channels
    ]
    rows += [
        row("البلاغات المفتوحة", [f.monthly_flow[m]["open"] for m in f.months]),
        row("البلاغات المغلقة", [f.monthly_flow[m]["closed"] for m in f.months]),
    ]
    total = row("إجمالي البلاغات الواردة", [f.monthly_flow[m]["received"] for m in f.months])
    chart = _image(images, "monthly_channels", "البلاغات الشهرية حسب القناة")
    return (
        "<section id='monthly'><h2>حجم البلاغات الشهري حسب القناة</h2>"
        f"{_table(headers, rows, total)}{chart}</section>"
    )


def _comments(f: ReportFigures) -> str:
    if not f.comments:
        return (
            "<section id='comments'><h2>من آراء المستفيدين</h2>"
            "<p class='muted'>لا توجد ملاحظات في هذه الفترة.</p></section>"
        )
    quotes = "".join(
        f"<blockquote><p>{escape(c.text)}</p><footer>{escape(TYPE_LABELS.get(c.type, c.type))}"
        f" · {escape(arabic_date(c.date))}</footer></blockquote>"
        for c in f.comments
    )
    return (
        "<section id='comments'><h2>من آراء المستفيدين</h2>"
        "<p class='muted'>أحدث الملاحظات في استبيان الرضا، بعد حذف البيانات الشخصية.</p>"
        f"{quotes}</section>"
    )


NOTES = (
    "البلاغ المنجز: مقبول أو مرفوض أو مغلق. نسبة الإنجاز = المنجزة ÷ (الواردة − الملغاة). "
    "مدة المعالجة: أيام العمل (من الأحد إلى الخميس عدا الإجازات الرسمية) بعد يوم تقديم البلاغ "
    "حتى يوم إنجازه. المتأخر: تجاوز موعد الرد (5 أيام عمل) دون إنجاز. "
    "نسبة بلاغات الأعطال التقنية = الشكاوى بسبب تعطل النظام ÷ الشكاوى المعروف سبب تصعيدها. "
    "نسبة الاستجابة للاستبيان = الاستبيانات المُجابة كاملة ÷ المرسلة. "
    "الحالات كما هي في يوم إعداد التقرير."
)


def render_html(figures: ReportFigures, images: dict[str, bytes]) -> str:
    """The whole page."""
    period = f"من {arabic_date(figures.period.start)} إلى {arabic_date(figures.period.end)}"
    return f"""<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>تقرير صوت المستفيد – بلاغ رقمي – {escape(period)}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>تقرير صوت المستفيد</h1>
<p>خدمة بلاغ رقمي · {escape(period)}
<span class="muted">· أُعدّ في {escape(arabic_date(figures.as_of))}</span></p>
</header>
<main>
{_cards(figures)}
{_types_and_statuses(figures, images)}
{_triggers(figures)}
{_entities(figures, images)}
{_completion(figures, images)}
{_survey_reach(figures)}
{_satisfaction(figures, images)}
{_handoffs(figures)}
{_notices(figures)}
{_reopen(figures)}
{_monthly(figures, images)}
{_comments(figures)}
{_corrective(figures)}
</main>
<footer class="notes"><p>{escape(NOTES)}</p></footer>
</body>
</html>
"""
