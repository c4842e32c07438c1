"""The citizen simulator: whole conversations written as data (`tests/dialogues/*.yml`),
played over the REST channel against the real bot, their outcomes checked in the store.

A conversation has an opening message, the answers the citizen would give to each field
the bot may ask (`answers`), messages sent once the form or flow has ended (`after`) and
an expected outcome (`expect`). The simulator sends the opening, then reads the tracker
after each turn: while a form asks for a slot it sends the next planned answer for that
slot, otherwise the next `after` message; it stops when nothing is left to say. Then the
outcome is checked where it lives (the reports store, the hand-off queue, the survey, the
tracker's events), with the transcript in every failure.

`python -m tests.helpers.dialogues --summary results/dialogues.json` prints the results
file the end-to-end test writes (pass/fail, citizen messages, medians to file a report).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import time
import urllib.error
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from bot import clock
from bot.rules import eligibility
from bot.rules.arabic import comparison_key, normalise, to_ascii_digits
from bot.rules.catalogue import load_catalogue
from bot.rules.dates import parse_user_date
from bot.rules.eligibility import ClosedTopic, Refusal, Trigger
from bot.rules.identity import parse_national_id, parse_saudi_mobile
from bot.rules.lifecycle import NOTIFICATION_FOR_STATUS, REPORT_TYPES, STATUS_LABELS, STATUSES
from bot.rules.replies import rating_of
from bot.rules.working_days import load_calendar
from bot.settings import load_settings
from bot.store.follow_up import change_status
from bot.store.models import Handoff, Report
from bot.store.reports import NewReport, file_report
from bot.store.surveys import answers_of

ROOT = Path(__file__).resolve().parents[2]
DIALOGUES = ROOT / "tests" / "dialogues"
RESULTS = ROOT / "results" / "dialogues.json"
# The most messages a citizen sends in one conversation before the simulator gives up.
MAX_MESSAGES = 40
NOTICE_TIMEOUT = 30.0

OUTCOMES = (
    "filed",
    "refused",
    "cancelled",
    "handed_over",
    "documents_attached",
    "answered",
    "offered_reports",
    "status_told",
    "rated",
)
REFUSALS = tuple(r.value for r in Refusal)
NOTICE_KINDS = ("missing_data", "status", "survey")
# The status a notice moves its report into (the report's `status` in the setup).
NOTICE_STATUSES = {
    "missing_data": {"missing_data"},
    "survey": {"closed"},
    "status": set(NOTIFICATION_FOR_STATUS) - {"missing_data", "closed"},
}
# Answers the citizen gives when the conversation does not plan one.
DEFAULT_ANSWERS = {"confirm_submission": "تأكيد وإرسال", "use_saved_profile": "نعم"}
# Questions added after the plans were written, answered as the citizen answered a question
# like it: the survey's satisfaction with the time taken (0.14) as the last rating they gave
# (a planned answer, or the opening message that rated the solution).
ANSWERED_LIKE = {"survey_time": "survey_solution"}
# Questions that follow up another one, answered with the citizen's next planned answer to
# it: the ways on offered when there is no complaint number (no_reference_route) get the
# number found after all («لحظة لقيته في الرسايل…»), as a citizen would type it there.
ANSWERED_FROM = {"no_reference_route": "prior_complaint_number"}
REPORT_FORMS = {
    "complaint_form": "complaint",
    "digitization_form": "digitization",
    "improvement_form": "improvement",
}
# The buttons that offer the three report types.
OFFER_PAYLOADS = {"/file_complaint", "/request_digitization", "/suggest_improvement"}
# Replies that answer a question or explain a rule (besides the FAQ's `utter_faq/…`):
# the bot saying what it is and who can take over, the rule of the complaint number,
# the reasons of a refusal. `answered` is one of these, with nothing filed.
EXPLANATIONS = ("utter_iamabot", "utter_ask_no_reference_route", "utter_explain_")

TOP_KEYS = {"id", "persona", "setup", "opening", "answers", "after", "expect"}
# Descriptive keys the conversations' writer adds (not played; kept in the results):
# `dialect` (najdi, hijazi, msa...), `classes` (the kinds of difficulty, as numbers) and
# `style` (how the citizen writes: no_punctuation, english_mix...).
DESCRIPTIVE_KEYS = {"dialect", "classes", "style"}
# An answer that is not a form's field: the citizen's yes when the bot, asked "what do I
# do?", offers to start a report. Sent when no form is active and no report form has
# started yet (never after one: a bot that starts the form at once does not need it).
ACCEPT_OFFER = "accept_offer"
# Questions that are such an offer inside a form (no prior complaint number: switch to the
# technical-failure route?): answered by `accept_offer` unless the conversation plans them.
OFFER_FIELDS = {"no_reference_route"}
REQUIRED_KEYS = {"id", "opening", "expect"}
EXPECT_KEYS = {
    "outcome",
    "type",
    "refusal",
    "stored",
    "asked_not",
    "replies_contain",
    "max_citizen_messages",
}
SETUP_KEYS = {"reports", "notice"}
# A setup report: its label, type, status and owner's ID; any other stored value may be
# given under its form field's name (entity, service, prior_complaint_number, suggestion...)
# or its column's (defaults below otherwise).
SETUP_REPORT_KEYS = {
    "ref",
    "type",
    "status",
    "national_id",
    "beneficiary_name",
    "mobile",
    "entity",
    "platform",
    "service",
    "request_channel",
    "complaint_trigger",
    "trigger",
    "sla_days",
    "prior_complaint_number",
    "prior_number",
    "prior_complaint_date",
    "closed_topic",
    "title",
    "description",
    "current_process",
    "digitization_reason",
    "suggestion",
}
NOTICE_KEYS = {"report", "kind", "note"}
LABEL = re.compile(r"[A-Z][A-Za-z0-9_]*")
PLACEHOLDER = re.compile(r"\{(?:(?P<label>[A-Z][A-Za-z0-9_]*)|days_ago:(?P<days>\d{1,4}))\}")

# Form fields (slot names) -> where the stored report keeps them.
STORED_AS = {
    "complaint_trigger": "trigger",
    "sla_days": "sla_working_days",
    "prior_complaint_number": "prior_number",
    "prior_complaint_date": "prior_date",
    "current_process": "description",
    "suggestion": "description",
}
DOCUMENT_FIELDS = {"screenshot": "screenshot", "supporting_documents": "supporting"}
DETAIL_FIELDS = {"digitization_reason": "reason", "review_flags": "review_flags"}
REPORT_COLUMNS = {c.name for c in Report.__table__.columns}
SURVEY_STORED_AS = {
    "survey_solution": "solution_score",
    "survey_time": "time_score",
    "survey_handling": "handling_score",
    "survey_effort": "effort_score",
    "survey_useful": "useful",
    "survey_comment": "comment",
}
SURVEY_COLUMNS = {
    "solution_score",
    "time_score",
    "handling_score",
    "effort_score",
    "useful",
    "comment",
}
# Readable values a conversation may expect instead of the stored code.
VALUE_LABELS = {
    "website": ["الموقع الإلكتروني", "الموقع"],
    "app": ["التطبيق"],
    "call_center": ["مركز الاتصال"],
    "paper": ["معاملة ورقية", "ورقي"],
    "technical_failure": ["تعذر تقديم الشكوى لتعطل النظام"],
    "sla_passed": ["تجاوزت الجهة مدة الرد المحددة"],
    "no_sla": ["لم تُحدد مدة للرد"],
    "closed_unsatisfied": ["أُغلقت دون حل مُرضٍ"],
    "technical": ["مشكلة تقنية"],
    "procedures": ["إجراءات الجهة"],
}

# What a setup report holds when the conversation does not say.
SETUP_DEFAULTS: dict[str, dict[str, Any]] = {
    "complaint": {
        "entity": "وزارة الصحة",
        "platform": "صحتي",
        "service": "حجز موعد",
        "request_channel": "app",
        "trigger": "no_sla",
        "title": "تأخر الرد على شكوى حجز موعد",
        "description": "حجزت موعداً وأُلغي دون سبب، وقدمت شكوى ولم يرد أحد.",
    },
    "digitization": {
        "entity": "وزارة البلديات والإسكان",
        "service": "تسليم المخططات الورقية المختومة لدى البلدية",
        "title": "طلب تحول: تسليم المخططات الورقية المختومة لدى البلدية",
        "description": "أراجع البلدية بالمخططات المطبوعة والمختومة وأنتظر أسبوعاً",
    },
    "improvement": {
        "entity": "وزارة الداخلية",
        "platform": "أبشر",
        "service": "تجديد جواز السفر",
        "request_channel": "app",
        "title": "اقتراح تطوير: تجديد جواز السفر",
        "description": "إضافة تنبيه قبل انتهاء الجواز بشهر",
    },
}
SETUP_PERSON = {
    "beneficiary_name": "مستفيد تجريبي",
    "national_id": "1000000008",
    "mobile": "+966551234567",
}


# --- the data --------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialogue:
    """One conversation of a `tests/dialogues/*.yml` file."""

    path: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data.get("id"))

    @property
    def expect(self) -> dict[str, Any]:
        return self.data.get("expect") or {}


def dialogue_files(folder: Path = DIALOGUES) -> list[Path]:
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []


def read_file(path: Path) -> list[Dialogue]:
    """The conversations of one file (raises on YAML errors or a wrong top level)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"conversations"}:
        raise ValueError(f"{path.name}: the file must hold one key, `conversations`")
    conversations = data["conversations"]
    if not isinstance(conversations, list):
        raise ValueError(f"{path.name}: `conversations` must be a list")
    return [Dialogue(path, c if isinstance(c, dict) else {"_bad": c}) for c in conversations]


def load_dialogues(folder: Path = DIALOGUES) -> list[Dialogue]:
    return [d for path in dialogue_files(folder) for d in read_file(path)]


def form_fields(root: Path = ROOT) -> set[str]:
    """Every field a form may ask: the required slots of every form in the domain
    (the three report forms, the follow-up form and the survey)."""
    fields: set[str] = set()
    for path in sorted((root / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for form in (data.get("forms") or {}).values():
            fields.update((form or {}).get("required_slots") or [])
    return fields


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _texts(data: dict[str, Any]) -> Iterable[str]:
    """Every text of a conversation where placeholders may appear."""
    yield str(data.get("opening") or "")
    for value in (data.get("answers") or {}).values():
        yield from (str(v) for v in (value if isinstance(value, list) else [value]))
    yield from (str(m) for m in data.get("after") or [])
    expect = data.get("expect") or {}
    yield from (str(m) for m in expect.get("replies_contain") or [])
    yield from (str(v) for v in (expect.get("stored") or {}).values())


def problems(dialogue: Dialogue, fields: set[str]) -> list[str]:
    """What is wrong with a conversation's data (empty: it follows the format)."""
    data = dialogue.data
    where = f"{dialogue.path.name}: {data.get('id', '?')}"
    found: list[str] = []

    def bad(message: str) -> None:
        found.append(f"{where}: {message}")

    if "_bad" in data:
        return [f"{dialogue.path.name}: a conversation must be a mapping, got {data['_bad']!r}"]
    if unknown := set(data) - TOP_KEYS - DESCRIPTIVE_KEYS:
        bad(f"unknown keys {sorted(unknown)}")
    if "dialect" in data and not isinstance(data["dialect"], str):
        bad("`dialect` must be a word")
    for key in ("classes", "style"):
        listed = data.get(key, [])
        if not isinstance(listed, list) or not all(_is_scalar(c) for c in listed):
            bad(f"`{key}` must be a list")
    if missing := REQUIRED_KEYS - set(data):
        bad(f"missing keys {sorted(missing)}")
    if not isinstance(data.get("id"), str) or not re.fullmatch(r"[\w.-]+", data.get("id") or ""):
        bad("`id` must be a word (letters, digits, - _ .)")
    if "persona" in data and not isinstance(data["persona"], str):
        bad("`persona` must be text")
    if not isinstance(data.get("opening"), str) or not data.get("opening", "").strip():
        bad("`opening` must be a non-empty message")

    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        bad("`answers` must map field names to answers")
        answers = {}
    for name, value in answers.items():
        if name not in fields | {ACCEPT_OFFER}:
            bad(f"answer for unknown field {name!r}")
        values = value if isinstance(value, list) else [value]
        if not values or not all(_is_scalar(v) and str(v).strip() for v in values):
            bad(f"answers for {name!r} must be a message or a list of messages")
    after = data.get("after") or []
    if not isinstance(after, list) or not all(isinstance(m, str) and m.strip() for m in after):
        bad("`after` must be a list of messages")

    labels = _setup_problems(data.get("setup"), bad)
    for text in _texts(data):
        for match in PLACEHOLDER.finditer(text):
            if match.group("label") and match.group("label") not in labels:
                bad(f"placeholder {match.group(0)} names no setup report")
        rest = PLACEHOLDER.sub("", text)
        if re.search(r"\{(?:[A-Z][A-Za-z0-9_]*|days_ago[^}]*)\}", rest):
            bad(f"malformed placeholder in {text!r}")

    _expect_problems(data.get("expect"), fields, labels, bad)
    return found


def _setup_problems(setup: Any, bad: Any) -> set[str]:
    """Check `setup`; return the report labels it defines."""
    if setup is None:
        return set()
    if not isinstance(setup, dict):
        bad("`setup` must be a mapping")
        return set()
    if unknown := set(setup) - SETUP_KEYS:
        bad(f"unknown setup keys {sorted(unknown)}")
    labels: dict[str, dict[str, Any]] = {}
    reports = setup.get("reports") or []
    if not isinstance(reports, list):
        bad("`setup.reports` must be a list")
        reports = []
    for report in reports:
        if not isinstance(report, dict):
            bad(f"setup report {report!r} must be a mapping")
            continue
        if unknown := set(report) - SETUP_REPORT_KEYS:
            bad(f"unknown setup report keys {sorted(unknown)}")
        ref = report.get("ref")
        if not isinstance(ref, str) or not LABEL.fullmatch(ref):
            bad(f"setup report `ref` must be a capitalised label like A, got {ref!r}")
        elif ref in labels:
            bad(f"setup report {ref} defined twice")
        else:
            labels[ref] = report
        if report.get("type") not in REPORT_TYPES:
            bad(f"setup report type {report.get('type')!r} is not one of {REPORT_TYPES}")
        if report.get("status", "received") not in STATUSES:
            bad(f"setup report status {report.get('status')!r} is not one of {STATUSES}")
        if "national_id" in report and parse_national_id(str(report["national_id"]))[0] is None:
            bad(f"setup report national_id {report['national_id']!r} is not a valid ID")
        for key in ("trigger", "complaint_trigger"):
            if key in report and report[key] not in {t.value for t in Trigger}:
                bad(f"setup report {key} {report[key]!r} is unknown")
        if not all(_is_scalar(v) for k, v in report.items() if k != "ref"):
            bad(f"setup report {ref} values must be single values")
    notice = setup.get("notice")
    if notice is not None:
        if not isinstance(notice, dict):
            bad("`setup.notice` must be a mapping")
        else:
            if unknown := set(notice) - NOTICE_KEYS:
                bad(f"unknown notice keys {sorted(unknown)}")
            kind = notice.get("kind")
            if kind not in NOTICE_KINDS:
                bad(f"notice kind {kind!r} is not one of {NOTICE_KINDS}")
            target = labels.get(notice.get("report"))
            if target is None:
                bad(f"notice report {notice.get('report')!r} is not a setup report")
            elif kind in NOTICE_STATUSES:
                status = target.get("status", "received")
                if status not in NOTICE_STATUSES[kind]:
                    allowed = sorted(NOTICE_STATUSES[kind])
                    bad(f"a {kind} notice needs its report's status in {allowed}, not {status}")
    return set(labels)


def _expect_problems(expect: Any, fields: set[str], labels: set[str], bad: Any) -> None:
    if not isinstance(expect, dict):
        bad("`expect` must be a mapping")
        return
    if unknown := set(expect) - EXPECT_KEYS:
        bad(f"unknown expect keys {sorted(unknown)}")
    outcome = expect.get("outcome")
    if outcome not in OUTCOMES:
        bad(f"outcome {outcome!r} is not one of {OUTCOMES}")
    if "type" in expect and expect["type"] not in REPORT_TYPES:
        bad(f"type {expect['type']!r} is not one of {REPORT_TYPES}")
    if outcome == "filed" and "type" not in expect:
        bad("a `filed` outcome needs the report `type`")
    if "refusal" in expect and expect["refusal"] not in REFUSALS:
        bad(f"refusal {expect['refusal']!r} is not one of {REFUSALS}")
    if outcome == "refused" and "refusal" not in expect:
        bad("a `refused` outcome needs the `refusal` code")
    if outcome in ("cancelled", "documents_attached", "rated") and not labels:
        bad(f"a `{outcome}` outcome needs a setup report")
    stored = expect.get("stored") or {}
    if not isinstance(stored, dict):
        bad("`stored` must map fields to values")
        stored = {}
    known = fields | REPORT_COLUMNS | SURVEY_COLUMNS
    for name, value in stored.items():
        if name not in known:
            bad(f"stored field {name!r} is neither a form field nor a stored column")
        if not (_is_scalar(value) or isinstance(value, bool) or value is None):
            bad(f"stored value of {name!r} must be a single value")
    asked_not = expect.get("asked_not") or []
    if not isinstance(asked_not, list) or not all(f in fields for f in asked_not):
        bad(f"`asked_not` must list form fields, got {asked_not!r}")
    replies = expect.get("replies_contain") or []
    if not isinstance(replies, list) or not all(isinstance(r, str) and r for r in replies):
        bad("`replies_contain` must be a list of fragments")
    limit = expect.get("max_citizen_messages")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        bad("`max_citizen_messages` must be a positive number")


def fill(text: Any, numbers: dict[str, str], today: dt.date) -> str:
    """Replace {A} by report A's number and {days_ago:N} by the date N days before today."""

    def replace(match: re.Match[str]) -> str:
        if match.group("label"):
            return numbers[match.group("label")]
        return (today - dt.timedelta(days=int(match.group("days")))).strftime("%Y/%m/%d")

    return PLACEHOLDER.sub(replace, str(text))


# --- playing a conversation ---------------------------------------------------------------


@dataclass
class Run:
    """One conversation played: what was sent, what the bot did, what went wrong."""

    dialogue: Dialogue
    sender: str
    numbers: dict[str, str] = field(default_factory=dict)  # setup label -> report number
    setup_status: dict[str, str] = field(default_factory=dict)  # number -> status at setup
    setup_documents: dict[str, int] = field(default_factory=dict)  # number -> documents
    citizen_messages: int = 0
    messages_to_file: int | None = None
    opening_event: int = 0  # index of the opening in the tracker's events
    events: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    observed: list[str] = field(default_factory=list)
    unused_answers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def conversation_id(self) -> str:
        return f"rest:{self.sender}"

    def transcript(self) -> str:
        return transcript(self.events)

    def report(self) -> str:
        lines = [
            f"{self.dialogue.id} ({self.dialogue.path.name}): "
            f"expected {self.dialogue.expect.get('outcome')}",
            *[f"  ✗ {f}" for f in self.failures],
            f"  citizen messages: {self.citizen_messages}; observed: "
            f"{', '.join(self.observed) or 'nothing'}",
        ]
        if self.unused_answers:
            lines.append(f"  answers never asked for: {self.unused_answers}")
        lines += ["  transcript:", self.transcript()]
        return "\n".join(lines)

    def result(self) -> dict[str, Any]:
        expect = self.dialogue.expect
        return {
            "id": self.dialogue.id,
            "file": self.dialogue.path.name,
            "dialect": self.dialogue.data.get("dialect"),
            "classes": self.dialogue.data.get("classes"),
            "style": self.dialogue.data.get("style"),
            "outcome": expect.get("outcome"),
            "type": expect.get("type"),
            "refusal": expect.get("refusal"),
            "passed": not self.failures,
            "reason": self.failures[0] if self.failures else None,
            "failures": self.failures,
            "observed": self.observed,
            "citizen_messages": self.citizen_messages,
            "messages_to_file": self.messages_to_file,
            "transcript": turns(self.events),
        }


def turns(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation as data: who spoke, the text, the bot's buttons, the intent."""
    found: list[dict[str, Any]] = []
    for event in events:
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if (intent or "").startswith("EXTERNAL_"):
                found.append({"who": "service", "text": intent})
            else:
                found.append({"who": "citizen", "text": event.get("text"), "intent": intent})
        elif event.get("event") == "bot":
            buttons = ((event.get("data") or {}).get("buttons")) or []
            found.append(
                {
                    "who": "bot",
                    "text": event.get("text"),
                    "buttons": [b.get("title") for b in buttons],
                    "response": (event.get("metadata") or {}).get("utter_action"),
                }
            )
    return found


def transcript(events: list[dict[str, Any]]) -> str:
    """Citizen and bot lines, with the bot's buttons and the citizen's understood intent."""
    lines = []
    for event in events:
        if event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            name = intent.get("name") or ""
            if name.startswith("EXTERNAL_"):
                lines.append(f"    (pushed by the service: {name})")
                continue
            understood = f"  ⟨{name} {intent.get('confidence') or 0:.2f}⟩" if name else ""
            lines.append(f"    citizen: {event.get('text')}{understood}")
        elif event.get("event") == "bot":
            text = (event.get("text") or "").replace("\n", "\n             ")
            buttons = ((event.get("data") or {}).get("buttons")) or []
            shown = f"\n             [{' | '.join(b.get('title', '') for b in buttons)}]"
            lines.append(f"    bot:     {text}{shown if buttons else ''}")
        elif event.get("event") == "pause":
            lines.append("    (the conversation is paused: a person takes over)")
    return "\n".join(lines) or "    (no messages)"


def reports_of(store: Any, conversation_id: str) -> list[Report]:
    with store.session() as session:
        query = select(Report).where(Report.conversation_id == conversation_id)
        return list(session.execute(query.order_by(Report.id)).scalars())


def _report(store: Any, number: str) -> Report:
    with store.session() as session:
        return session.execute(select(Report).where(Report.number == number)).scalar_one()


def set_up(bot: Any, run: Run) -> None:
    """File the setup reports of this sender, move them to their status, push the notice
    the way the service does (a staff status change, delivered by the desk)."""
    setup = run.dialogue.data.get("setup") or {}
    notice = setup.get("notice") or {}
    now = clock.now()
    today = clock.local_date(now)
    for spec in setup.get("reports") or []:
        values = {**SETUP_PERSON, **SETUP_DEFAULTS[spec["type"]], **setup_values(spec, today)}
        if spec["type"] == "complaint":
            values.setdefault("prior_number", f"SET-{uuid.uuid4().hex[:10].upper()}")
            values.setdefault("prior_date", today - dt.timedelta(days=30))
        filed = file_report(
            bot.store,
            NewReport(
                type=spec["type"], channel="rest", conversation_id=run.conversation_id, **values
            ),
            now,
            eligibility.answer_due_date(today, load_calendar(load_settings().holidays_file)),
        )
        run.numbers[spec["ref"]] = filed.number
        status = spec.get("status", "received")
        if status != "received" and notice.get("report") != spec["ref"]:
            note, payload = STAFF_DETAILS.get(status, (None, {}))
            change_status(
                bot.store, filed.number, status, note, "staff", now, payload, notify=False
            )
        run.setup_status[filed.number] = status
        run.setup_documents[filed.number] = len(_report(bot.store, filed.number).documents)
    if notice:
        push_notice(bot, run, notice)


# What staff give with a decision when a conversation's setup does not say (the life of a
# report requires them: a rejection's reasons, an acceptance's implementation time).
STAFF_DETAILS = {
    "rejected": ("لا تنطبق شروط الخدمة", {}),
    "accepted": (None, {"implementation_time": "خلال 3 أشهر"}),
}


def setup_values(spec: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """A setup report's given values as `NewReport` fields, names as the bot stores them
    (the catalogue's spelling, so a duplicate or similar request is found as it would be)."""
    catalogue = load_catalogue(load_settings().catalogue_file)
    values: dict[str, Any] = {}
    details: dict[str, Any] = {}
    for key, given in spec.items():
        if key in ("ref", "type", "status"):
            continue
        text = str(given)
        column = STORED_AS.get(key, key)
        if key == "digitization_reason":
            details["reason"] = text
        elif column == "prior_date":
            values[column] = parse_user_date(text, today).date
        elif column == "sla_working_days":
            values[column] = int(re.sub(r"\D", "", to_ascii_digits(text)))
        elif column in ("entity", "platform", "service"):
            known = getattr(catalogue, column)(text)
            values[column] = known.name if known else text
        else:
            values[column] = text
    values["national_id"] = parse_national_id(
        values.get("national_id", SETUP_PERSON["national_id"])
    )[0]
    values["mobile"] = parse_saudi_mobile(values.get("mobile", "")) or SETUP_PERSON["mobile"]
    return {**values, "details": details} if details else values


def push_notice(bot: Any, run: Run, notice: dict[str, Any]) -> None:
    number = run.numbers[notice["report"]]
    status = run.setup_status[number]
    note, payload = STAFF_DETAILS.get(status, (None, {}))
    body = {"status": status, **payload, **({"note": note} if note else {})}
    if notice.get("note"):
        body["note"] = str(notice["note"])
    code, answer = bot.staff("POST", f"/api/reports/{number}/status", body)
    if code != 200:
        raise AssertionError(f"setup: the staff API refused {body} for {number}: {answer}")
    deadline = time.monotonic() + NOTICE_TIMEOUT
    while time.monotonic() < deadline:
        replies = bot_replies(tracker_events(bot, run.sender))
        if any(number in (e.get("text") or "") for e in replies):
            return
        time.sleep(0.2)
    raise AssertionError(f"setup: the {notice['kind']} notice of {number} never reached the chat")


def tracker_events(bot: Any, sender: str) -> list[dict[str, Any]]:
    try:
        return bot.tracker(sender)["events"]
    except urllib.error.HTTPError:
        return []


class Answers:
    """The planned answers, handed out one at a time per field."""

    def __init__(self, planned: dict[str, Any], fill_text: Any) -> None:
        self.queues = {
            name: [fill_text(v) for v in (value if isinstance(value, list) else [value])]
            for name, value in planned.items()
        }
        self.given: dict[str, list[str]] = {}
        self.said: list[str] = []  # every message the citizen sent, the opening first

    def key(self, slot: str) -> str:
        """Where the answers to `slot` are planned."""
        return ACCEPT_OFFER if slot in OFFER_FIELDS and slot not in self.queues else slot

    def next(self, slot: str) -> str | None:
        asked, slot = slot, self.key(slot)
        queue = self.queues.get(slot) or self.queues.get(ANSWERED_FROM.get(asked, ""))
        like = self.given.get(ANSWERED_LIKE.get(slot, "")) or (
            [m for m in self.said if rating_of(m) is not None] if slot in ANSWERED_LIKE else []
        )
        if queue is None and slot in DEFAULT_ANSWERS and slot not in self.given:
            answer = DEFAULT_ANSWERS[slot]
        elif queue is None and like and slot not in self.given:
            answer = like[-1]
        elif queue:
            answer = queue.pop(0)
        else:
            return None
        self.given.setdefault(slot, []).append(answer)
        return answer

    def unused(self) -> dict[str, list[str]]:
        return {name: queue for name, queue in self.queues.items() if queue}


def play(bot: Any, dialogue: Dialogue) -> Run:
    """Play one conversation and check its outcome; the run lists what went wrong."""
    run = Run(dialogue, sender=f"dlg-{uuid.uuid4().hex[:12]}")
    data = dialogue.data
    expect = dialogue.expect
    try:
        set_up(bot, run)
    except Exception as error:  # noqa: BLE001 - reported with the transcript
        run.failures.append(f"setup failed: {error}")
        run.events = tracker_events(bot, run.sender)
        return run
    today = clock.today()

    def text_of(value: Any) -> str:
        return fill(value, run.numbers, today)

    answers = Answers(data.get("answers") or {}, text_of)
    after = [text_of(m) for m in data.get("after") or []]
    asked_not = set(expect.get("asked_not") or [])
    run.opening_event = len(tracker_events(bot, run.sender))

    def say(message: str) -> bool:
        run.citizen_messages += 1
        try:
            bot.send(run.sender, message)
        except urllib.error.HTTPError as failure:
            run.failures.append(f"the REST channel answered HTTP {failure.code} to {message!r}")
            return False
        if run.messages_to_file is None and len(reports_of(bot.store, run.conversation_id)) > len(
            run.numbers
        ):
            run.messages_to_file = run.citizen_messages
        return True

    answers.said.append(text_of(data["opening"]))
    going = say(answers.said[0])
    while going:
        tracker = bot.tracker(run.sender)
        if tracker.get("paused"):
            break  # a person has the conversation now
        loop = (tracker.get("active_loop") or {}).get("name")
        slot = tracker["slots"].get("requested_slot") if loop else None
        if slot:
            if slot in asked_not:
                run.failures.append(f"asked {slot} that the opening told ({loop})")
                break
            # The code the bot sent to the mobile given, as the citizen reads it on the phone.
            message = (
                bot.code_for(tracker["slots"]["mobile"])
                if slot == "mobile_code"
                else answers.next(slot)
            )
            if message is None:
                given = answers.given.get(answers.key(slot))
                if given:
                    run.failures.append(
                        f"bot asked {slot} again after {len(given)} answer(s), "
                        f"last {given[-1]!r} ({loop})"
                    )
                else:
                    run.failures.append(f"bot asked {slot}, not planned ({loop})")
                break
        elif answers.queues.get(ACCEPT_OFFER) and not any(
            form in REPORT_FORMS for form in started_forms(tracker["events"][run.opening_event :])
        ):
            message = answers.next(ACCEPT_OFFER)
        elif after:
            message = after.pop(0)
        else:
            break
        if run.citizen_messages >= MAX_MESSAGES:
            run.failures.append(
                f"not finished after {MAX_MESSAGES} citizen messages "
                f"({loop or 'no form'} asks {slot or 'nothing'})"
            )
            break
        going = say(message)
    run.unused_answers = answers.unused()
    run.events = tracker_events(bot, run.sender)
    check(bot, run)
    return run


# --- checking the outcome -----------------------------------------------------------------


def since_opening(run: Run) -> list[dict[str, Any]]:
    return run.events[run.opening_event :]


def bot_replies(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("event") == "bot"]


def seen_refusals(events: list[dict[str, Any]]) -> list[str]:
    """Refusal codes, in order: the `refusal` slot set by a form's validation, and the
    refusal responses (the duplicate escalation caught at filing sets no slot)."""
    codes = []
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "refusal" and event.get("value"):
            codes.append(str(event["value"]))
        elif event.get("event") == "bot":
            action = (event.get("metadata") or {}).get("utter_action") or ""
            code = action.removeprefix("utter_refuse_")
            if action.startswith("utter_refuse_") and code in REFUSALS and code not in codes[-1:]:
                codes.append(code)
    return codes


def started_forms(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "active_loop" and e.get("name")]


def faq_answers(events: list[dict[str, Any]]) -> list[str]:
    actions = [(e.get("metadata") or {}).get("utter_action") or "" for e in bot_replies(events)]
    return [a for a in actions if a.startswith("utter_faq/")]


def explanations(events: list[dict[str, Any]]) -> list[str]:
    actions = [(e.get("metadata") or {}).get("utter_action") or "" for e in bot_replies(events)]
    return [a for a in actions if a.startswith(EXPLANATIONS)]


def offers_reports(events: list[dict[str, Any]]) -> bool:
    for event in bot_replies(events):
        buttons = (event.get("data") or {}).get("buttons") or []
        if OFFER_PAYLOADS <= {b.get("payload") for b in buttons}:
            return True
    return False


def contains(reply: str, fragment: str) -> bool:
    return comparison_key(fragment) in comparison_key(reply) or normalise(fragment) in normalise(
        reply
    )


def stored_value(report: Report, name: str) -> Any:
    if name in DOCUMENT_FIELDS:
        return [d.reference for d in report.documents if d.kind == DOCUMENT_FIELDS[name]]
    if name in DETAIL_FIELDS:
        return (report.details or {}).get(DETAIL_FIELDS[name])
    return getattr(report, STORED_AS.get(name, name))


def same_value(name: str, expected: Any, actual: Any, today: dt.date) -> bool:
    """Does the stored `actual` say what the conversation expects (`expected`, as written:
    a code or its Arabic label, a date as typed, a mobile in any form)?"""
    if isinstance(actual, list):
        if isinstance(expected, bool):
            return bool(actual) == expected
        if str(expected).isdigit():
            return len(actual) == int(expected)
        return any(str(expected).strip() in str(a) for a in actual)
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(actual, bool):
        words = {"yes": True, "no": False, "نعم": True, "لا": False, "true": True, "false": False}
        return (expected if isinstance(expected, bool) else words.get(str(expected))) == actual
    if isinstance(actual, dt.date):
        return parse_user_date(str(expected), today).date == actual
    if isinstance(actual, int):
        digits = re.sub(r"\D", "", to_ascii_digits(str(expected)))
        return digits != "" and int(digits) == actual
    if name == "mobile":
        return parse_saudi_mobile(str(expected)) == actual
    if name == "national_id":
        return parse_national_id(str(expected))[0] == actual
    wanted = comparison_key(str(expected))
    return wanted in {comparison_key(str(actual))} | {
        comparison_key(label) for label in VALUE_LABELS.get(str(actual), [])
    }


def ineligibility(report: Report) -> list[str]:
    """Why this stored report should not have been filed (the guide's rules again, on the
    stored facts): a complaint needs one of the four triggers and that trigger's facts."""
    settings = load_settings()
    catalogue = load_catalogue(settings.catalogue_file)
    calendar = load_calendar(settings.holidays_file)
    # Judged only on a service the catalogue lists under that name (an unknown name is
    # kept for staff to review, and a fuzzy match could be another service).
    service = catalogue.service(report.service) if report.service else None
    if service is not None and comparison_key(service.name) != comparison_key(report.service):
        service = None
    why = []
    if report.type == "complaint":
        if report.trigger not in {t.value for t in Trigger}:
            return [f"stored trigger {report.trigger!r} is not one of the 4 triggers"]
        trigger = Trigger(report.trigger)
        if report.request_channel == "paper" or (service is not None and not service.digital):
            why.append(f"complaint about a paper service ({report.service})")
        if trigger is Trigger.TECHNICAL_FAILURE:
            if not any(d.kind == "screenshot" for d in report.documents):
                why.append("technical failure without a screenshot")
        elif not (report.prior_number and report.prior_date):
            why.append(f"{trigger.value} without the prior complaint's number and date")
        if trigger is Trigger.SLA_PASSED and report.sla_working_days is None:
            why.append("sla_passed without the entity's SLA")
        if trigger in (Trigger.NO_SLA, Trigger.SLA_PASSED) and report.prior_date:
            filed_on = clock.local_date(report.created_at)
            decision = eligibility.check_waiting_time(
                trigger, report.prior_date, filed_on, calendar, report.sla_working_days
            )
            if not decision.eligible:
                why.append(f"filed too early ({decision.refusal.value}, prior {report.prior_date})")
        if trigger is Trigger.CLOSED_UNSATISFIED and report.closed_topic != ClosedTopic.TECHNICAL:
            why.append(f"closed complaint about {report.closed_topic!r} (only technical)")
    elif report.type == "digitization":
        decision = eligibility.check_digitization_service(service)
        if not decision.eligible:
            why.append(f"digitisation of a service with a digital way ({decision.detail})")
    elif report.type == "improvement":
        decision = eligibility.check_suggestion_service(
            service, paper_channel=report.request_channel == "paper"
        )
        if not decision.eligible:
            why.append(f"suggestion for a paper service ({report.service})")
    return [f"ineligible {report.type} {report.number} stored: {w}" for w in why]


def observe(bot: Any, run: Run) -> dict[str, Any]:
    """What happened, wherever it is recorded."""
    events = since_opening(run)
    mine = reports_of(bot.store, run.conversation_id)
    setup = [r for r in mine if r.number in run.setup_status]
    with bot.store.session() as session:
        handoffs = list(
            session.execute(
                select(Handoff.id).where(Handoff.conversation_id == run.conversation_id)
            ).scalars()
        )
    surveys = {r.number: answers_of(bot.store, r.number) for r in setup}
    return {
        "events": events,
        "new": [r for r in mine if r.number not in run.setup_status],
        "setup": setup,
        "refusals": seen_refusals(events),
        "forms": started_forms(events),
        "faq": faq_answers(events),
        "explained": explanations(events),
        "offered": offers_reports(events),
        "handoffs": handoffs,
        "cancelled": [
            r
            for r in setup
            if r.status == "cancelled" and run.setup_status[r.number] != "cancelled"
        ],
        "attached": [r for r in setup if len(r.documents) > run.setup_documents[r.number]],
        "surveys": {n: s for n, s in surveys.items() if s},
        "replies": [e.get("text") or "" for e in bot_replies(events)],
        "all_replies": [e.get("text") or "" for e in bot_replies(run.events)],
        "told": [
            r.number
            for r in mine
            if any(
                r.number in t and STATUS_LABELS[r.status] in t
                for t in (e.get("text") or "" for e in bot_replies(events))
            )
        ],
    }


def check(bot: Any, run: Run) -> None:
    """Append to `run.failures` whatever does not match the expected outcome."""
    expect = run.dialogue.expect
    outcome = expect.get("outcome")
    today = clock.today()
    seen = observe(bot, run)
    new, refusals = seen["new"], seen["refusals"]
    run.observed = [
        *[f"filed {r.type} {r.number}" for r in new],
        *[f"refused {code}" for code in refusals],
        *[f"cancelled {r.number}" for r in seen["cancelled"]],
        *["handed over"] * bool(seen["handoffs"]),
        *[f"documents attached to {r.number}" for r in seen["attached"]],
        *[f"answered {a.removeprefix('utter_faq/')}" for a in seen["faq"]],
        *["offered the report types"] * seen["offered"],
        *[f"told the status of {n}" for n in seen["told"]],
        *[f"rated {n}" for n in seen["surveys"]],
        *[f"form {f}" for f in dict.fromkeys(seen["forms"])],
    ]
    fail = run.failures.append

    for report in new:
        for reason in ineligibility(report):
            fail(reason)

    wanted_type = expect.get("type")
    if outcome == "filed":
        if [r.type for r in new] != [wanted_type]:
            filed = ", ".join(f"{r.type} {r.number}" for r in new) or "nothing"
            refused = f" (refused: {', '.join(refusals)})" if refusals else ""
            fail(f"expected one {wanted_type} filed, got {filed}{refused}")
        else:
            report = _report(bot.store, new[0].number)
            for name, value in (expect.get("stored") or {}).items():
                expected = fill(value, run.numbers, today) if isinstance(value, str) else value
                actual = stored_value(report, name)
                if not same_value(name, expected, actual, today):
                    fail(f"stored {name} is {actual!r}, expected {expected!r}")
    elif new:
        fail(f"expected {outcome}, but filed {', '.join(f'{r.type} {r.number}' for r in new)}")

    if outcome == "refused":
        wanted = expect.get("refusal")
        if not refusals:
            fail(f"expected refusal {wanted}, but the bot refused nothing")
        elif refusals[-1] != wanted:
            fail(f"expected refusal {wanted}, got {' then '.join(refusals)}")
        form = {v: k for k, v in REPORT_FORMS.items()}.get(wanted_type)
        if form and form not in seen["forms"]:
            fail(f"the refusal should come from the {wanted_type} form, which never started")
    elif outcome == "cancelled" and not seen["cancelled"]:
        statuses = ", ".join(f"{r.number} {r.status}" for r in seen["setup"])
        fail(f"no setup report was cancelled ({statuses})")
    elif outcome == "handed_over" and not seen["handoffs"]:
        fail("no hand-off was opened for this chat")
    elif outcome == "documents_attached" and not seen["attached"]:
        statuses = ", ".join(f"{r.number} {r.status}" for r in seen["setup"])
        fail(f"no document was added to a setup report ({statuses})")
    elif outcome == "status_told" and not seen["told"]:
        fail("no reply gives a report's number with its status label")
    elif outcome == "rated":
        if not any(s.get("solution_score") is not None for s in seen["surveys"].values()):
            fail(f"no survey answer stored (surveys: {seen['surveys'] or 'none'})")
        else:
            survey = next(iter(seen["surveys"].values()))
            for name, value in (expect.get("stored") or {}).items():
                column = SURVEY_STORED_AS.get(name, name)
                if column in SURVEY_COLUMNS and not same_value(
                    column, value, survey.get(column), today
                ):
                    fail(f"survey {column} is {survey.get(column)!r}, expected {value!r}")
    elif outcome == "answered":
        if not (seen["faq"] or seen["explained"]):
            fail("no answer (a FAQ answer, the bot's self-description or a rule explained)")
    elif outcome == "offered_reports" and not seen["offered"]:
        fail("the three report types were never offered as buttons")
    # A conversation with form answers expects the form (the citizen meant to file and
    # leaves once the rule is explained); without any, a form is a misreading.
    expects_form = bool(set(run.dialogue.data.get("answers") or {}) - {ACCEPT_OFFER})
    if outcome in ("answered", "offered_reports") and seen["forms"] and not expects_form:
        fail(f"a form started: {', '.join(dict.fromkeys(seen['forms']))}")

    limit = expect.get("max_citizen_messages")
    if limit is not None and run.citizen_messages > limit:
        fail(f"{run.citizen_messages} citizen messages, at most {limit} expected")
    for fragment in expect.get("replies_contain") or []:
        wanted = fill(fragment, run.numbers, today)
        if not any(contains(reply, wanted) for reply in seen["all_replies"]):
            fail(f"no bot reply contains {wanted!r}")


# --- results ----------------------------------------------------------------------------


def medians(results: list[dict[str, Any]], prefix: str = "") -> dict[str, Any]:
    """Median citizen messages until the report was filed, per type, over the conversations
    expecting `filed` whose report was filed (with the first message that filed it)."""
    figures = {}
    for kind in REPORT_TYPES:
        counts = [
            r["messages_to_file"]
            for r in results
            if r["id"].startswith(prefix)
            and r["outcome"] == "filed"
            and r["type"] == kind
            and r["messages_to_file"] is not None
            and any(o.startswith(f"filed {kind} ") for o in r["observed"])
        ]
        figures[kind] = {
            "median": statistics.median(counts) if counts else None,
            "conversations": len(counts),
        }
    return figures


def write_results(results: list[dict[str, Any]], path: Path = RESULTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "written_at": clock.now().isoformat(timespec="seconds"),
        "conversations": len(results),
        "passed": sum(r["passed"] for r in results),
        "failed": sum(not r["passed"] for r in results),
        "median_messages_to_file": {"all": medians(results), "story": medians(results, "story-")},
        "results": results,
    }
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def print_summary(path: Path, out: Any = sys.stdout) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    print(
        f"{data['conversations']} conversations: {data['passed']} passed, "
        f"{data['failed']} failed",
        file=out,
    )
    print("median citizen messages to file a report (conversations counted):", file=out)
    for scope, figures in data["median_messages_to_file"].items():
        cells = [
            f"{kind} {f['median'] if f['median'] is not None else '-'} ({f['conversations']})"
            for kind, f in figures.items()
        ]
        print(f"  {scope:<6} " + "  ".join(cells), file=out)
    failing = [r for r in data["results"] if not r["passed"]]
    if failing:
        print("failing:", file=out)
        for r in failing:
            print(f"  {r['id']} [{r['outcome']}]: {r['reason']}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", type=Path, default=RESULTS, help="results file to print")
    parser.add_argument(
        "--known-failures",
        type=Path,
        help="write the failing conversations of the results, with their first failure, here",
    )
    args = parser.parse_args(argv)
    if not args.summary.exists():
        print(f"{args.summary} does not exist: run tests/e2e/test_dialogues.py first")
        return 1
    if args.known_failures:
        results = json.loads(args.summary.read_text(encoding="utf-8"))["results"]
        failing = {r["id"]: (r["failures"] or ["failed"])[0] for r in results if not r["passed"]}
        header = "# Conversations the bot does not get right yet (id: first failure); see\n"
        header += "# tests/e2e/test_dialogues.py. The list only shrinks.\n"
        body = yaml.safe_dump(dict(sorted(failing.items())), allow_unicode=True, width=200)
        args.known_failures.write_text(header + body, encoding="utf-8")
        print(f"{len(failing)} known failures written to {args.known_failures}")
        return 0
    print_summary(args.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
