"""An attacker's tools: a report filed as a victim, raw bytes sent as written."""

from __future__ import annotations

import urllib.parse

from bot.store.models import Report
from tests.helpers.conversations import reports_of, until_summary


def filed_report(bot, sender: str) -> Report:
    # A reference holds digits: the sender's hex tail alone is sometimes all letters.
    until_summary(bot, sender, reference=f"SEC-{int(sender[-6:], 16)}")
    assert "تم تقديم بلاغك" in bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    return report


def raw_request(base_url: str, head: bytes, timeout: float = 10) -> bytes:
    """Send bytes exactly as written (http.client refuses a negative length)."""
    import socket

    parts = urllib.parse.urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as connection:
        connection.sendall(head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer
