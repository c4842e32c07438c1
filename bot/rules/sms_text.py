"""Text for channels without buttons or rich formatting (SMS, WhatsApp).

Arabic SMS are UCS-2: 70 characters in one segment, 67 per segment once split. Replies
lose their diacritics on SMS (fewer characters, same meaning), and buttons become
numbered choices that a reply of a number (any digits) selects.
"""

from __future__ import annotations

import re

from bot.rules.arabic import strip_diacritics, to_ascii_digits

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def sms_segments(text: str) -> int:
    """How many SMS segments `text` takes (GSM-7: 160/153, UCS-2: 70/67 code units)."""
    if all(ch in GSM7 for ch in text):
        single, multi, length = 160, 153, len(text)
    else:
        single, multi = 70, 67
        length = len(text.encode("utf-16-le")) // 2
    if length <= single:
        return 1
    return -(-length // multi)


def for_sms(text: str) -> str:
    """SMS wording: no diacritics or tatweel, no decorative emoji, single spaces."""
    text = strip_diacritics(text).replace("✅", "")
    return re.sub(r"[ \t]+", " ", text).strip()


def numbered(text: str, titles: list[str]) -> str:
    """Append the choices as «1) …» lines."""
    lines = [text] + [f"{index}) {title}" for index, title in enumerate(titles, start=1)]
    return "\n".join(lines)


def chosen_index(reply: str, count: int) -> int | None:
    """The 0-based choice a reply selects («2», «٢», «2)»), or None."""
    match = re.fullmatch(r"\s*\(?(\d{1,2})[).\-]?\s*", to_ascii_digits(reply or ""))
    if not match:
        return None
    index = int(match.group(1)) - 1
    return index if 0 <= index < count else None
