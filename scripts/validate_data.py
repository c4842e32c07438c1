"""`rasa data validate --fail-on-warnings`, minus two known false positives of Rasa 3.6.

1. The validator reports every response that no story or rule names as "not used",
   including the `utter_ask_<slot>` questions forms ask and the responses custom
   actions send. Those are excused only for responses a form slot or the actions'
   code really uses, so a truly unused response still fails the check.
2. A retrieval intent (`faq`) must be listed in the domain (stories refer to it), and
   Rasa's importer then merges it in a second time from the NLU data and warns about a
   "duplicated intent". Excused only for retrieval intents of the NLU data.

3. An intent only triggered from outside (`EXTERNAL_…`, by the desk's notification
   dispatcher) has no NLU examples on purpose: the classifier must never predict it.

Any other warning fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DUPLICATE_INTENTS = re.compile(
    r"duplicated intents have been found across multiple domain files: (.*)$"
)
EXTERNAL_NOT_IN_NLU = re.compile(
    r"The intent '(EXTERNAL_\w+)' is listed in the domain file, but is not found in the NLU"
)
UNUSED = re.compile(r"The utterance '([\w/]+)' is not used in any story or rule\.")
WARNING = re.compile(r"(UserWarning|WARNING|Warning)")


def used_by_forms_and_actions() -> set[str]:
    used: set[str] = set()
    for file in (ROOT / "domain").glob("*.yml"):
        domain = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for name, form in (domain.get("forms") or {}).items():
            for slot in form.get("required_slots") or []:
                used |= {f"utter_ask_{slot}", f"utter_ask_{name}_{slot}"}
    for file in (ROOT / "bot").rglob("*.py"):
        used |= set(re.findall(r"[\"'](utter_[\w/]+)[\"']", file.read_text(encoding="utf-8")))
    return used


def retrieval_intents() -> set[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    return set(load_data(str(ROOT / "data" / "nlu")).retrieval_intents)


def main() -> int:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain", "--data", "data"]
        + ["--config", "config.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    used = used_by_forms_and_actions()
    retrieval = retrieval_intents()
    problems = []
    for line in output.splitlines():
        unused = UNUSED.search(line)
        if unused and unused.group(1) in used:
            continue
        if EXTERNAL_NOT_IN_NLU.search(line):
            continue
        duplicated = DUPLICATE_INTENTS.search(line)
        if duplicated and {i.strip() for i in duplicated.group(1).split(",")} <= retrieval:
            continue
        data_warning = WARNING.search(line) and "rasa/shared/utils/io.py" in line
        if unused or duplicated or data_warning or re.search(r" (WARNING|ERROR) +rasa", line):
            problems.append(line)
    if result.returncode != 0 or problems:
        print(output if result.returncode != 0 else "\n".join(problems))
        print(f"data validation failed ({len(problems)} warnings)")
        return 1
    print("rasa data validate: no warnings (responses used by forms and actions excepted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
