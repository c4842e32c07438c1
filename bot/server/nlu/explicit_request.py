"""A stated request to file wins over the topic of the story around it.

A citizen who tells what happened and ends with «ابي اصعد عليهم الحين» has asked to escalate;
the words of the story (the entity did not answer, the service is on paper) are those of a
FAQ question, and the classifier may answer the question instead of starting the form. When
a clause says «I want» followed closely by filing a complaint, a suggestion or a digitisation
request (or «I have» a complaint or a suggestion), and the message asks nothing (no question
mark, no question word in that clause), the request is the intent. «I want» a report
*against* someone («ابغى ارفع بلاغ على صحتي») is a complaint. Only the readings that leave
the citizen without a form are overridden (a FAQ answer, out of scope, a form answer,
venting), and another report type when the clause of the request says nothing of paper or
of making a service electronic; a request for a person, a cancellation or a status question
stays as classified unless the classifier is unsure of it (below 0.5).
A stated request the classifier also chose is made sure of: the other readings are halved,
so a close second (a FAQ answer at 0.49 against 0.50) no longer makes it ambiguous for the
`FallbackClassifier` that follows. Placed after the intent classifier.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rules.arabic import normalise
from bot.rules.replies import is_question
from bot.server.nlu.dialect import canonical_tokens

# The concept a request names -> the intent that files it (dialect.py's concepts).
REQUESTED = {
    "complaint_": "file_complaint",
    "suggest_": "suggest_improvement",
    "improve_": "suggest_improvement",
    "online_": "request_digitization",
}
# Readings that would leave a stated request without its form.
OVERRIDABLE = frozenset({"faq", "out_of_scope", "inform", "vent", "nlu_fallback"})
# Another report type is overridden too («ابي اقترح تطوير على خدمة تصديق الشهادات» is a
# suggestion, not a digitisation request), unless the clause that states the request speaks
# of paper or of making something electronic: «ابي اقترح تحويلها لالكترونية» may well be a
# digitisation request, and the classifier, which reads the whole message, decides.
REPORTS = frozenset(REQUESTED.values())
# Below this confidence the classifier's reading is a guess, and a stated request wins over
# any of it («ابغى ارفع بلاغ على صحتي» read as an update at 0.34): except a request for a
# person, which is always honoured.
UNSURE = 0.5
KEPT = frozenset({"request_agent"})
PAPER_OR_ONLINE = frozenset({"paper_", "online_"})
# «عندي اقتراح»، «لدي شكوى»: a request stated by having it (the very next word).
HAVE = frozenset({"عندي", "لدي", "عندنا", "لدينا", "معي", "3indi", "3ndi", "andi"})
# «عندي فكرة» may be any idea (a business, a project): not a stated suggestion.
IDEAS = frozenset({"فكره", "فكرة", "idea", "fikra", "fekra"})
# «ما ابي اشتكي» is not a request.
NEGATIONS = frozenset({"ما", "not_", "no_", "dont_want_", "لم", "لن", "مب"})
CLAUSES = re.compile(r"[.,،!؟?\n;:]+")
# How far after «I want» the request may come («ابي ارفع لكم شكوى»).
REACH = 3
# «بلاغ على …»، «report against …»: a report filed against someone is a complaint.
AGAINST = frozenset({"علي", "ضد", "against", "3ala", "3la", "ala"})
# Between «I want» and the report, these make it another request about a report already
# filed: «ابي الغي الشكوى», «ابي اعرف وين الشكوى», «داير اضيف معلومة للشكوى», «ابي اعدل…».
STOPS = frozenset(
    {"not_", "cancel_", "dont_want_", "status_", "follow_", "how_", "attach_", "edit_"}
)


def stated_request(text: str) -> str | None:
    """The intent of a request stated in `text` («ابغى اصعد شكوى»), or None.

    A message with a question mark asks; otherwise it is read clause by clause: a story's
    «ما قالوا متى يردون» is not a question, but a clause with a question word («ابي اعرف
    كيف اصعد شكوى») states no request."""
    stated = _stated(text)
    return stated[0] if stated else None


def _stated(text: str) -> tuple[str, list[str]] | None:
    """The request and the canonical tokens of the clause that states it."""
    if "?" in text or "؟" in text:
        return None  # a message that asks is left to the classifier
    for clause in CLAUSES.split(normalise(text).lower()):
        if not clause.strip() or is_question(clause):
            continue
        words = clause.split()
        tokens = canonical_tokens(words)
        requested = _requested_in(tokens, words)
        if requested:
            return requested, tokens
    return None


def _requested_in(tokens: list[str], words: list[str]) -> str | None:
    for index, token in enumerate(tokens):
        if index and tokens[index - 1] in NEGATIONS:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token in HAVE and following in REQUESTED and words[index + 1] not in IDEAS:
            return REQUESTED[following]  # «عندي اقتراح لمنصة بلدي: …»
        if token != "want_":
            continue
        for following in tokens[index + 1 : index + 1 + REACH]:
            if following in STOPS:
                break
            if following in REQUESTED:
                return REQUESTED[following]
        for offset, following in enumerate(tokens[index + 1 : index + 1 + REACH], index + 1):
            if following in STOPS:
                break
            if following == "report_" and AGAINST.intersection(tokens[offset + 1 : offset + 3]):
                return "file_complaint"  # «ابغى ارفع بلاغ على صحتي»
    return None


def _overridable(current: str | None, requested: str, clause: list[str]) -> bool:
    if current in OVERRIDABLE or current == requested:
        return True
    return current in REPORTS and not PAPER_OR_ONLINE.intersection(clause)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ExplicitRequest(GraphComponent):
    """Sets the intent of a message that states a request to file."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExplicitRequest:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            current = (message.get(INTENT) or {}).get("name")
            confidence = float((message.get(INTENT) or {}).get("confidence") or 0.0)
            unsure = confidence < UNSURE and current not in KEPT
            if text.startswith("/") or not (unsure or current in OVERRIDABLE | REPORTS):
                continue  # nothing to override: the message is not read
            stated = _stated(text)
            if stated is None or not (unsure or _overridable(current, *stated)):
                continue
            requested = stated[0]
            intent = {"name": requested, "confidence": 1.0}
            ranking = [
                {**r, "confidence": r["confidence"] / 2}
                for r in message.get(INTENT_RANKING_KEY) or []
                if r["name"] != requested
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
