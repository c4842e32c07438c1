"""A reusable base for Balagh's form validators.

Every form answers a bad value the same way: a clear Arabic explanation, the slot
re-asked, and after `HELP_AFTER_FAILURES` failures in a row an offer of help (a person
or stopping) instead of an endless loop. Choices can be answered by button, by the
number of the option (any digits) or in words, read with their negations and contrasts
(`bot.rules.choices`); an unclear answer is asked again, never guessed.
"""

from __future__ import annotations

import functools
import re
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from bot.rules.choices import Reading, read_choice
from bot.rules.replies import is_question, only_asks_to_stop
from bot.settings import load_settings
from bot.store import media

HELP_AFTER_FAILURES = 3
FAILED_ATTEMPTS_SLOT = "failed_attempts"
ALLOWED_ATTACHMENT_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
MAX_ATTACHMENT_BYTES = media.MAX_MEDIA_BYTES
MAX_ATTACHMENTS = 10
MAX_LINK_LENGTH = 2000
_URL = re.compile(r"https://[^\s<>\"']+", re.IGNORECASE)
# Typed references that are neither an https link nor plain words: another scheme
# (http://, file://, ftp://...), script and data URIs, a path (`/etc/…`, `C:\…`, `..`), or
# the name of a stored file (those come only from a channel's upload). A button payload
# (`/inform{…}`) is not a path.
_FOREIGN_REFERENCE = re.compile(
    r"(?<![a-z0-9+.\-])(?!https://)[a-z][a-z0-9+.\-]*://"
    r"|(?<![a-z0-9])(?:javascript|vbscript|livescript):|(?<![a-z0-9])file:/"
    r"|(?<![a-z0-9])data:[a-z]+/"
    r"|(?:^|[\s/\\])\.\.(?:[/\\]|$)"
    r"|(?:^|\s)~?/[^\s/{]+/|(?<![a-z0-9])[a-z]:\\"
    r"|(?<![a-z0-9])media/",
    re.IGNORECASE,
)
NOT_ACCEPTED = "utter_attachment_not_accepted"
_EXTENSION_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}


class Rejection(Exception):
    """A value was refused; `response` explains why (with optional variables)."""

    def __init__(self, response: str, hint: str = "", **variables: Any) -> None:
        super().__init__(response)
        self.response = response
        self.hint = hint
        self.variables = variables


def cleared(tracker: Tracker, slots: Sequence[str]) -> list[EventType]:
    """`SlotSet(slot, None)` for those of `slots` that hold a value: an event that changes
    nothing still costs every later step (stored, replayed by each policy, sent to the
    action server with the tracker, published for analytics)."""
    return [SlotSet(slot, None) for slot in slots if tracker.get_slot(slot) is not None]


class FormValidation(FormValidationAction):
    """Rasa SDK's form validation, returning only the slots whose value changes.

    The SDK returns every slot it extracted or validated this turn, though most
    validators give back the value Rasa already holds (extracted by Rasa this turn); the
    echo is dropped. A value extracted here, emptied or rewritten by a validator is still
    returned, and so is `requested_slot` (the SDK's choice of the next question)."""

    @abstractmethod
    def name(self) -> str:
        """The form's validation action, `validate_<form>` (abstract: Rasa SDK registers
        every concrete Action subclass)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        held = dict(tracker.slots)  # as Rasa holds them: the SDK writes into tracker.slots
        events = await super().run(dispatcher, tracker, domain)
        return [event for event in events if not _unchanged(held, event)]


def _unchanged(held: Mapping[str, Any], event: EventType) -> bool:
    name = event.get("name")
    return (
        event.get("event") == "slot"
        and name != REQUESTED_SLOT
        and name in held
        and held[name] == event.get("value")
    )


def latest_user_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata of the last user message (channels put attachments there); {} when it is
    not an object (the REST channel passes whatever JSON the caller sent)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, dict) else {}
    return {}


def attachments_of(tracker: Tracker, text: str) -> list[dict[str, Any]]:
    """Attachments sent with the last message, and https links typed in it.

    An attachment is a file a channel stored, `media/<32 hex>.<ext>` and present in the
    media folder (its type is the one detected when it was stored); a typed link is an
    https URL with a host, kept as a link and never fetched. Anything else in the metadata
    or typed (`file:`, `javascript:`, `http://`, `..`, another media name) raises
    `Rejection` with `utter_attachment_not_accepted`; a file of the wrong type or size,
    `utter_invalid_attachment`.
    """
    found: list[dict[str, Any]] = []
    items = latest_user_metadata(tracker).get("attachments") or []
    if not isinstance(items, list) or len(items) > MAX_ATTACHMENTS:
        raise Rejection(NOT_ACCEPTED)
    media_dir = load_settings().media_dir
    for item in items:
        reference = item.get("url") if isinstance(item, Mapping) else None
        stored = media.stored_file(reference, media_dir)
        if stored is None:
            raise Rejection(NOT_ACCEPTED)
        content_type, size = stored
        if size > MAX_ATTACHMENT_BYTES:
            raise Rejection("utter_invalid_attachment")
        found.append({"reference": reference, "content_type": content_type})
    text = text or ""
    if _FOREIGN_REFERENCE.search(text):
        raise Rejection(NOT_ACCEPTED)
    for url in _URL.findall(text):
        if not _is_link(url):
            raise Rejection(NOT_ACCEPTED)
        suffix = re.search(r"\.[a-z0-9]{2,5}$", url.lower().split("?")[0])
        content_type = _EXTENSION_TYPES.get(suffix.group(0)) if suffix else None
        if suffix and content_type is None:
            raise Rejection("utter_invalid_attachment")
        found.append({"reference": url, "content_type": content_type})
    return found


def _is_link(url: str) -> bool:
    """An https URL with a host (and nothing a browser would read differently)."""
    if len(url) > MAX_LINK_LENGTH or "\\" in url or any(ord(ch) < 32 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname) and "@" not in parts.netloc


def pressed(tracker: Tracker, options: Mapping[str, Sequence[str]]) -> str | None:
    """The option of a pressed button (`/inform{"choice": …}`), if it is one of `options`."""
    for value in tracker.get_latest_entity_values("choice"):
        if value in options:
            return str(value)
    return None


def reading_of(text: str, options: Mapping[str, Sequence[str]]) -> Reading:
    """The words of an answer read against `options` (a button's payload says nothing)."""
    text = text or ""
    return read_choice("" if text.lstrip().startswith("/") else text, options)


def choice_of(tracker: Tracker, text: str, options: Mapping[str, Sequence[str]]) -> str | None:
    """Resolve an answer to one option key: button payload, option number, or words.

    `options` maps each key to keywords; order gives the option numbers. The words are
    read by `bot.rules.choices` (negations and contrasts understood: «مب تطبيق، الموقع»
    is the website); None when the answer is unclear (no option, or several), and the
    validator then asks again with the buttons: no guess ever reaches a decision.
    """
    if (text or "").strip() in options:
        return text.strip()  # a value set by the bot itself (a story's trigger), or its key
    return pressed(tracker, options) or reading_of(text, options).choice


def answer_of(
    tracker: Tracker, text: str, options: Mapping[str, Sequence[str]], intents: Mapping[str, str]
) -> str | None:
    """A yes/no (or confirm) answer: the button, then the words, and the NLU intent
    (`intents` maps intent → option) only when the words say nothing about the options.

    «لا مو صحيح» classified as `affirm` is no: the words win. A negation about nothing
    offered («ما احتاج») agrees with `deny` only. Words that contradict each other
    («اي لا»), an «ما ادري», or an option only denied leave the answer unclear (None).
    """
    button = pressed(tracker, options)
    if button is not None:
        return button
    reading = reading_of(text, options)
    if reading.choice is not None:
        return reading.choice
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    answer = intents.get(intent)
    if reading.silent:
        return answer
    if answer == "no" and reading.negative and not (reading.chosen or reading.unsure):
        return answer
    return None


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def validator(check: Callable[..., Awaitable[dict[str, Any]]]) -> Callable[..., Any]:
    """Wrap a `validate_<slot>` method: a `Rejection` becomes an Arabic explanation,
    the slot is emptied (so it is asked again), and repeated failures offer help."""
    slot = check.__name__.removeprefix("validate_")

    @functools.wraps(check)
    async def wrapper(
        self: FormValidationAction,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        blank = isinstance(value, str) and not value.strip()
        external = (
            (tracker.latest_message.get("intent") or {}).get("name", "").startswith("EXTERNAL_")
        )
        if external or (blank and not latest_user_metadata(tracker).get("attachments")):
            # Not an answer: a notification pushed by the desk (a form opened by it sees
            # that event as the last message), or an empty text. Ask as if unset.
            return {slot: None}
        try:
            result = await check(self, value, dispatcher, tracker, domain)
        except Rejection as rejection:
            failures = int(tracker.get_slot(FAILED_ATTEMPTS_SLOT) or 0) + 1
            dispatcher.utter_message(response=rejection.response, **rejection.variables)
            if failures >= HELP_AFTER_FAILURES:
                dispatcher.utter_message(response="utter_form_help", hint=rejection.hint)
                failures = 0
            return {slot: None, FAILED_ATTEMPTS_SLOT: float(failures)}
        result.setdefault(FAILED_ATTEMPTS_SLOT, 0.0)  # dropped by FormValidation if it was 0
        return result

    return wrapper


LONG_ANSWER_WORDS = 8


def names_an_option(tracker: Tracker, text: str, options: Mapping[str, Sequence[str]]) -> bool:
    """Does the message answer a choice question: a button, or words that choose or deny
    one of the options («مو تطبيق ولا موقع» is an answer, unclear, to ask again)?"""
    if pressed(tracker, options) is not None:
        return True
    reading = reading_of(text, options)
    return bool(reading.choice or reading.chosen or reading.denied)


def answer_for(
    tracker: Tracker,
    slot: str,
    options: Mapping[str, Sequence[str]] | None = None,
    long_only: bool = False,
) -> dict[str, Any]:
    """Take the message as the answer to `slot` whatever the intent classifier thought.

    Rasa skips a `from_text` mapping when the message looks like another intent (a FAQ
    question, a cancellation...), so that the form can be interrupted. An answer that
    names one of the offered options ("لدي رقم شكوى ولم تحدد مدة" reads like a FAQ
    question) is still an answer, and so is a narrative of several sentences asked for a
    free-text field (`long_only`), even if it mentions cancelling, and so is a short one
    that the classifier misread (`misread_answer`). Used from
    `extract_<slot>` methods.
    """
    if tracker.get_slot("requested_slot") != slot:
        return {}
    text = str(tracker.latest_message.get("text") or "")
    if options is not None and not names_an_option(tracker, text, options):
        return {}
    if long_only and len(text.split()) < LONG_ANSWER_WORDS and not misread_answer(tracker):
        return {}
    return {slot: text}


def misread_answer(tracker: Tracker) -> bool:
    """A short answer to a free-text question that the classifier took for something else:
    a statement read as a FAQ question («ملف حماية الأجور ما ينرفع» as a title), or a
    cancellation of something other than this report («إلغاء موعد المستشفى بدون سبب»).
    A real question, or a plain request to stop, still interrupts the form."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return False
    if intent == "faq":
        return not is_question(text)
    return intent == "cancel_report" and not only_asks_to_stop(text)
