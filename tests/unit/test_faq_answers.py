"""The FAQ answers say what the guide says (section «الأسئلة الشائعة»)."""

from pathlib import Path

import pytest
import yaml

from bot.rules.arabic import comparison_key

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT.parent / "shared" / "reference" / "digital-report-guide.ar.txt"
ANSWERS = yaml.safe_load((ROOT / "tests" / "faq_guide_answers.yml").read_text(encoding="utf-8"))
RESPONSES = yaml.safe_load((ROOT / "domain" / "faq.yml").read_text(encoding="utf-8"))["responses"]
NLU = [
    block
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml"))
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []
    if str(block.get("intent", "")).startswith("faq/")
]
TOPICS = sorted(ANSWERS)
FROM_THE_GUIDE = sorted(topic for topic in TOPICS if "guide_answer" in ANSWERS[topic])
FAQ_QUESTIONS = sorted(topic for topic in TOPICS if "question" in ANSWERS[topic])
HOLIDAYS = yaml.safe_load((ROOT / "resources" / "holidays.yml").read_text(encoding="utf-8"))


def words(text: str) -> set[str]:
    return set(comparison_key(text.replace("[انقر هنا](#)", "")).replace('"', " ").split())


def test_every_topic_has_training_examples_an_answer_and_a_guide_reference():
    trained = {block["intent"].split("/", 1)[1] for block in NLU if "intent" in block}
    answered = {name.split("/", 1)[1] for name in RESPONSES if name.startswith("utter_faq/")}
    assert trained == answered == set(TOPICS)


@pytest.mark.skipif(not GUIDE.exists(), reason="the shared guide is not beside the project")
@pytest.mark.parametrize("topic", FROM_THE_GUIDE)
def test_reference_question_and_answer_are_the_guides_own_words(topic):
    guide = GUIDE.read_text(encoding="utf-8")
    assert ANSWERS[topic].get("question", "") in guide
    assert ANSWERS[topic]["guide_answer"] in guide


@pytest.mark.parametrize("topic", FROM_THE_GUIDE)
def test_answer_keeps_the_guides_wording(topic):
    expected = words(ANSWERS[topic]["guide_answer"])
    answer = words(RESPONSES[f"utter_faq/{topic}"][0]["text"])
    missing = expected - answer
    assert len(missing) <= max(1, len(expected) // 6), f"{topic}: missing {sorted(missing)}"


@pytest.mark.parametrize("topic", FAQ_QUESTIONS)
def test_the_guides_question_is_a_training_example(topic):
    block = next(b for b in NLU if b.get("intent") == f"faq/{topic}")
    examples = {comparison_key(line.lstrip("- ")) for line in block["examples"].splitlines()}
    assert comparison_key(ANSWERS[topic]["question"]) in examples


def test_the_working_days_answer_is_the_services_rule_and_names_the_recurring_holidays():
    answer = RESPONSES["utter_faq/working_days"][0]["text"]
    for day in ("الأحد", "الخميس", "الجمعة", "السبت", "عيد الفطر", "عيد الأضحى"):
        assert day in answer
    for holiday in HOLIDAYS["recurring"]:
        assert holiday["name"] in answer
