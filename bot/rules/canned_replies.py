"""Canned replies: the placeholders a supervisor may write in one, and filling them in a chat.

A canned reply is Arabic text with placeholders in braces («مرحباً {first_name}، بلاغك رقم
{report_number} قيد المراجعة.»). Only the names of `PLACEHOLDERS` are allowed: a reply that
names another, or has a brace that opens or closes nothing, is refused when it is saved
(`placeholder_problem`), so an agent never inserts a reply with a code the citizen would
read. When an agent inserts one in a chat, the desk fills it with that chat's values
(`fill`); a value the chat does not have (no report yet) is written as its Arabic name in
brackets («[رقم البلاغ]») and listed, for the agent to complete before sending. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# The placeholders, with the Arabic names the console shows (and writes for a missing value).
PLACEHOLDERS = {
    "report_number": "رقم البلاغ",
    "first_name": "الاسم الأول",
    "agent_name": "اسم الموظف",
}
_FIELD = re.compile(r"\{([^{}]*)\}")


def placeholders(body: str) -> list[str]:
    """The names in braces in `body`, in order, each once."""
    found: list[str] = []
    for name in _FIELD.findall(body):
        if name not in found:
            found.append(name)
    return found


def placeholder_problem(body: str) -> str | None:
    """Why `body` may not be saved as a canned reply (an unknown placeholder, a lone brace),
    or None. The message names the culprit and the names allowed."""
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    unknown = [name for name in placeholders(body) if name not in PLACEHOLDERS]
    if unknown:
        return f"unknown placeholder {{{unknown[0]}}}; the placeholders are {known}"
    if "{" in _FIELD.sub("", body) or "}" in _FIELD.sub("", body):
        return f"a brace must enclose a placeholder ({known})"
    return None


def unknown_placeholders(body: str) -> list[str]:
    """The placeholders of `body` that are not in `PLACEHOLDERS`."""
    return [name for name in placeholders(body) if name not in PLACEHOLDERS]


def fill(body: str, values: Mapping[str, str | None]) -> tuple[str, list[str]]:
    """`body` with each placeholder replaced by its value; a missing (or empty) value is
    written «[its Arabic name]». Returns the text and the names left missing."""
    missing: list[str] = []

    def value_of(found: re.Match[str]) -> str:
        name = found.group(1)
        value = (values.get(name) or "").strip()
        if value:
            return value
        if name not in missing:
            missing.append(name)
        return f"[{PLACEHOLDERS.get(name, name)}]"

    return _FIELD.sub(value_of, body), missing


def first_name(full_name: str | None) -> str | None:
    """The first word of a name as the citizen gave it (None: no name, or one removed)."""
    words = (full_name or "").split()
    if not words or words[0] in ("—", "-", "***"):
        return None
    return words[0]
