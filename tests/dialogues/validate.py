"""Check the blind dialogue set for consistency and print its counts.

    python3 tests/dialogues/validate.py

It checks the data only (it never talks to the bot): every file parses, ids are unique
kebab-case, outcomes / refusals / choice codes are known, IDs have valid check digits,
stored values agree with the answers, names are the catalogue's, and each form's fields
are covered by `answers` or `asked_not`. Nothing here reads the bot's training data.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bot.rules.identity import national_id_checksum_ok  # noqa: E402

OUTCOMES = {
    "filed",
    "refused",
    "cancelled",
    "handed_over",
    "documents_attached",
    "answered",
    "offered_reports",
    "status_told",
    "rated",
}
TYPES = {"complaint", "digitization", "improvement"}
REFUSALS = {
    "complaint": {
        "paper_service",
        "too_early",
        "sla_not_passed",
        "procedures",
        "already_escalated",
    },
    "digitization": {"digital_alternative", "similar_request"},
    "improvement": {"paper_suggestion", "same_suggestion"},
}
STATUSES = {
    "received",
    "under_review",
    "missing_data",
    "referred",
    "in_progress",
    "accepted",
    "rejected",
    "closed",
    "cancelled",
}
NOTICES = {"missing_data", "status", "survey"}
TRIGGERS = {"technical_failure", "sla_passed", "no_sla", "closed_unsatisfied"}
CHANNELS = {"website", "app", "call_center", "paper"}
TOPICS = {"technical", "procedures"}
FIELDS = {
    "use_saved_profile",
    "beneficiary_name",
    "national_id",
    "mobile",
    "complaint_trigger",
    "sla_days",
    "entity",
    "platform",
    "service",
    "request_channel",
    "prior_complaint_number",
    "prior_complaint_date",
    "screenshot",
    "closed_topic",
    "title",
    "description",
    "supporting_documents",
    "confirm_submission",
    "current_process",
    "digitization_reason",
    "suggestion",
    "target_report",
    "ownership_proof",
    "update_content",
    "confirm_cancel",
    "survey_solution",
    "survey_handling",
    "survey_effort",
    "survey_useful",
    "survey_comment",
    "accept_offer",
}
PERSONAL = ["beneficiary_name", "national_id", "mobile"]
FORM = {
    "complaint": PERSONAL
    + [
        "complaint_trigger",
        "entity",
        "platform",
        "service",
        "request_channel",
        "title",
        "description",
        "supporting_documents",
        "confirm_submission",
    ],
    "digitization": PERSONAL
    + ["service", "entity", "current_process", "digitization_reason", "confirm_submission"],
    "improvement": PERSONAL
    + ["service", "platform", "request_channel", "suggestion", "confirm_submission"],
}
BY_TRIGGER = {
    "technical_failure": ["screenshot"],
    "sla_passed": ["sla_days", "prior_complaint_number", "prior_complaint_date"],
    "no_sla": ["prior_complaint_number", "prior_complaint_date"],
    "closed_unsatisfied": ["closed_topic", "prior_complaint_number", "prior_complaint_date"],
}
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
ID_RE = re.compile(r"[12](?:[ \-]?\d){9}")

# The files of this blind set (other files in this folder, if any, belong to others).
SET_FILES = [
    "stories.yml",
    "what_to_do.yml",
    "negations.yml",
    "values.yml",
    "no_number.yml",
    "context.yml",
    "phrasings.yml",
    "digitization.yml",
    "improvement.yml",
    "follow_up.yml",
    "refusals.yml",
]

errors: list[str] = []
warnings: list[str] = []


def err(cid: str, msg: str) -> None:
    errors.append(f"{cid}: {msg}")


def last(value):
    return value[-1] if isinstance(value, list) else value


def ids_in(text: str) -> list[str]:
    ascii_text = str(text).translate(DIGITS)
    return [re.sub(r"[ \-]", "", m) for m in ID_RE.findall(ascii_text)]


def mobile_of(text: str) -> str | None:
    digits = re.sub(r"\D", "", str(text).translate(DIGITS))
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("966"):
        digits = digits[3:]
    digits = digits.lstrip("0")
    return "+966" + digits if re.fullmatch(r"5\d{8}", digits) else None


def load_catalogue():
    data = yaml.safe_load((ROOT / "resources" / "catalogue.yml").read_text(encoding="utf-8"))
    entities, platforms, services = {}, {}, {}
    for ent in data["entities"]:
        entities[ent["name"]] = ent
        for plat in ent.get("platforms") or []:
            platforms[plat["name"]] = (ent["name"], plat["key"])
        for svc in ent.get("services") or []:
            services[svc["name"]] = (ent["name"], svc.get("platform"), svc.get("digital"))
    keys = {v[1]: k for k, v in platforms.items()}
    return entities, platforms, services, keys


def main() -> int:
    entities, platforms, services, platform_by_key = load_catalogue()
    files = [HERE / name for name in SET_FILES]
    seen: dict[str, str] = {}
    convs = []
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for conv in data["conversations"]:
            cid = conv.get("id", "?")
            if cid in seen:
                err(cid, f"duplicate id (also in {seen[cid]})")
            seen[cid] = file.name
            if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", cid):
                err(cid, "id is not kebab-case")
            convs.append((file.name, conv))

    id_owner: dict[str, str] = {}
    number_owner: dict[str, str] = {}
    for _fname, conv in convs:
        cid = conv["id"]
        for key in ("persona", "opening", "answers", "expect"):
            if key not in conv:
                err(cid, f"missing {key}")
        if "\n" in conv.get("persona", ""):
            err(cid, "persona is not one line")
        answers = conv.get("answers") or {}
        expect = conv.get("expect") or {}
        for field in answers:
            if field not in FIELDS:
                err(cid, f"unknown answer field {field}")
        asked_not = expect.get("asked_not") or []
        for field in asked_not:
            if field not in FIELDS:
                err(cid, f"unknown asked_not field {field}")
            if field in answers:
                err(cid, f"{field} is both answered and in asked_not")
        outcome = expect.get("outcome")
        if outcome not in OUTCOMES:
            err(cid, f"bad outcome {outcome}")
        rtype = expect.get("type")
        if outcome in ("filed", "refused") and rtype not in TYPES:
            err(cid, "filed/refused needs a type")
        if outcome == "refused":
            if expect.get("refusal") not in REFUSALS.get(rtype, set()):
                err(cid, f"bad refusal {expect.get('refusal')} for {rtype}")
            if expect.get("stored"):
                err(cid, "a refused report stores nothing")
        elif "refusal" in expect:
            err(cid, "refusal without outcome refused")

        # setup
        setup = conv.get("setup") or {}
        refs = {}
        for rep in setup.get("reports") or []:
            refs[rep["ref"]] = rep
            if rep.get("type") not in TYPES:
                err(cid, f"setup report type {rep.get('type')}")
            if rep.get("status") not in STATUSES:
                err(cid, f"setup report status {rep.get('status')}")
            if not national_id_checksum_ok(str(rep.get("national_id", ""))):
                err(cid, f"setup report {rep['ref']} national_id invalid")
        notice = setup.get("notice")
        if notice:
            if notice.get("report") not in refs or notice.get("kind") not in NOTICES:
                err(cid, f"bad notice {notice}")
        text_all = " ".join(
            [str(conv.get("opening", ""))]
            + [str(x) for v in answers.values() for x in (v if isinstance(v, list) else [v])]
            + [str(x) for x in conv.get("after") or []]
        )
        for ref in re.findall(r"\{([A-Z])\}", text_all):
            if ref not in refs:
                err(cid, f"placeholder {{{ref}}} without a setup report")

        # national ID
        stored = expect.get("stored") or {}
        nid_answer = answers.get("national_id")
        final_ids: list[str] = []
        if nid_answer is not None:
            items = nid_answer if isinstance(nid_answer, list) else [nid_answer]
            for i, item in enumerate(items):
                found = ids_in(item)
                ok = bool(found) and national_id_checksum_ok(found[0])
                if i == len(items) - 1 and not ok:
                    err(cid, f"final national_id answer invalid: {item}")
                if i < len(items) - 1 and ok:
                    warnings.append(f"{cid}: an earlier national_id answer is valid: {item}")
                if i == len(items) - 1 and found:
                    final_ids = found
        else:
            for text in (conv.get("opening", ""), str(answers.get("beneficiary_name", ""))):
                for cand in ids_in(text):
                    if national_id_checksum_ok(cand):
                        final_ids = [cand]
        if "national_id" in stored:
            if not final_ids or stored["national_id"] != final_ids[0]:
                err(cid, f"stored national_id {stored['national_id']} != answer {final_ids}")
        used = set(final_ids[:1]) | {str(r["national_id"]) for r in refs.values()}
        for nid in used:
            owner = id_owner.get(nid)
            if owner and owner != cid:
                err(cid, f"national_id {nid} also used in {owner} (state could leak between runs)")
            id_owner.setdefault(nid, cid)
        numbers = set()
        if "prior_complaint_number" in answers:
            numbers.add(
                re.sub(r"\D", "", str(last(answers["prior_complaint_number"])).translate(DIGITS))
            )
        if "prior_complaint_number" in stored:
            numbers.add(re.sub(r"\D", "", str(stored["prior_complaint_number"])))
        for rep in refs.values():
            if rep.get("prior_complaint_number"):
                numbers.add(re.sub(r"\D", "", str(rep["prior_complaint_number"])))
        for number in numbers - {""}:
            owner = number_owner.get(number)
            if owner and owner != cid:
                err(cid, f"complaint number {number} also used in {owner}")
            number_owner.setdefault(number, cid)

        # mobile
        if "mobile" in stored:
            source = answers.get("mobile")
            got = mobile_of(last(source)) if source is not None else None
            if got is None:
                opening = str(conv.get("opening", "")).translate(DIGITS)
                m = re.search(r"0\s?5(?:[ \-]?\d){8}", opening)
                got = mobile_of(m.group(0)) if m else None
            if got != stored["mobile"]:
                err(cid, f"stored mobile {stored['mobile']} != answer {got}")
        elif answers.get("mobile") is not None and mobile_of(last(answers["mobile"])) is None:
            err(cid, f"mobile answer not a Saudi mobile: {answers['mobile']}")

        # ownership proof
        if "ownership_proof" in answers:
            target = None
            m = re.search(r"\{([A-Z])\}", str(conv.get("opening", "")))
            if "target_report" in answers:
                m2 = re.search(r"\{([A-Z])\}", str(last(answers["target_report"])))
                target = m2.group(1) if m2 else None
            elif m:
                target = m.group(1)
            elif notice:
                target = notice["report"]
            elif len(refs) == 1:
                target = next(iter(refs))
            proof = re.sub(r"\D", "", str(last(answers["ownership_proof"])).translate(DIGITS))
            if target not in refs or refs[target]["national_id"][-4:] != proof:
                err(cid, f"ownership_proof {proof} does not match report {target}")

        # stored values
        for key, allowed in (
            ("complaint_trigger", TRIGGERS),
            ("request_channel", CHANNELS),
            ("closed_topic", TOPICS),
        ):
            if key in stored and stored[key] not in allowed:
                err(cid, f"stored {key} {stored[key]} unknown")
        if "entity" in stored and stored["entity"] not in entities:
            err(cid, f"entity {stored['entity']} not in catalogue")
        if "platform" in stored:
            if stored["platform"] not in platforms:
                err(cid, f"platform {stored['platform']} not in catalogue")
            elif "entity" in stored and platforms[stored["platform"]][0] != stored["entity"]:
                err(cid, "platform does not belong to entity")
        if "service" in stored:
            if stored["service"] not in services:
                err(cid, f"service {stored['service']} not in catalogue")
            else:
                s_ent, s_plat, s_digital = services[stored["service"]]
                if "entity" in stored and s_ent != stored["entity"]:
                    err(cid, "service does not belong to entity")
                if (
                    "platform" in stored
                    and s_plat
                    and platform_by_key[s_plat] != stored["platform"]
                ):
                    err(cid, "service not on that platform")
                if rtype == "digitization" and s_digital:
                    err(cid, "digitization of a digital service filed")
                if rtype in ("complaint", "improvement") and not s_digital:
                    err(cid, "complaint/suggestion on a paper service filed")
        if "sla_days" in stored and not re.fullmatch(r"\d+", str(stored["sla_days"])):
            err(cid, "stored sla_days not digits")
        if stored.get("complaint_trigger") == "sla_passed" and "sla_days" not in stored:
            warnings.append(f"{cid}: sla_passed without stored sla_days")

        # coverage of the form's fields
        if outcome in ("filed", "refused") and rtype in FORM:
            needed = list(FORM[rtype])
            trig = stored.get("complaint_trigger")
            if rtype == "complaint" and trig:
                needed += BY_TRIGGER[trig]
            covered = set(answers) | set(asked_not)
            missing = [f for f in needed if f not in covered]
            if missing and outcome == "filed":
                err(cid, f"fields neither answered nor in asked_not: {missing}")
            elif missing:
                warnings.append(f"{cid}: refused flow, fields not covered: {missing}")
            if rtype == "complaint" and trig == "technical_failure":
                for f in ("prior_complaint_number", "prior_complaint_date"):
                    if f in answers:
                        warnings.append(f"{cid}: technical_failure with an answer for {f}")

    counts = summarise(convs)
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print(counts)
    return 1 if errors else 0


def summarise(convs) -> str:
    by_file = collections.Counter(f for f, _ in convs)
    by_class = collections.Counter(c for _, conv in convs for c in conv.get("classes") or [])
    by_dialect = collections.Counter(conv.get("dialect", "?") for _, conv in convs)
    by_outcome = collections.Counter(conv["expect"]["outcome"] for _, conv in convs)
    by_type = collections.Counter(
        (conv["expect"].get("type"), conv["expect"]["outcome"])
        for _, conv in convs
        if conv["expect"].get("type")
    )
    refusals = collections.Counter(
        conv["expect"]["refusal"] for _, conv in convs if conv["expect"].get("refusal")
    )
    styles = collections.Counter(s for _, conv in convs for s in conv.get("style") or [])
    lines = [f"conversations: {len(convs)}"]
    lines.append("by file: " + ", ".join(f"{k} {v}" for k, v in sorted(by_file.items())))
    lines.append("by class: " + ", ".join(f"{k}: {by_class[k]}" for k in sorted(by_class)))
    lines.append("by dialect: " + ", ".join(f"{k} {v}" for k, v in by_dialect.most_common()))
    lines.append("by style: " + ", ".join(f"{k} {v}" for k, v in styles.most_common()))
    lines.append("by outcome: " + ", ".join(f"{k} {v}" for k, v in by_outcome.most_common()))
    lines.append(
        "by type/outcome: " + ", ".join(f"{k[0]}/{k[1]} {v}" for k, v in sorted(by_type.items()))
    )
    lines.append("refusals: " + ", ".join(f"{k} {v}" for k, v in refusals.most_common()))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
