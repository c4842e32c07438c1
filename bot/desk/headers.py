"""The desk's response headers: a strict Content-Security-Policy on its pages and APIs.

Every desk response carries `X-Content-Type-Options: nosniff` and `Referrer-Policy:
no-referrer`. The console and the supervisors' page (`/console…`, their scripts and styles
under `/console/assets/`) and every `/api/` answer also carry `X-Frame-Options: DENY` and a
policy with no inline script: scripts and styles only from the desk's own files, requests
only to the desk, never framed (`frame-ancestors 'none'`). The one inline style allowed is
the voice-of-the-beneficiary report's own, by its hash: the supervisors' page shows the
report in a `srcdoc` frame, which inherits the page's policy, and its charts are `data:`
images. The widget's files and demo page are meant for other sites and keep only the first
two headers.
"""

from __future__ import annotations

import base64
import hashlib

from aiohttp import web

from bot.desk.report.html_page import STYLE

_REPORT_STYLE = (
    "'sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode() + "'"
)

PAGES_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' {_REPORT_STYLE}",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)
# `/api/…`: JSON, CSV, and the report's HTML when opened by itself.
API_CSP = (
    f"default-src 'none'; style-src {_REPORT_STYLE}; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
EVERYWHERE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def policy_for(path: str) -> str | None:
    """The Content-Security-Policy of a desk path (None: the widget's, Telegram's, probes)."""
    if path == "/console" or path.startswith("/console/"):
        return PAGES_CSP
    if path.startswith("/api/"):
        return API_CSP
    return None


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare`: errors, files and streamed answers get them too."""
    for name, value in EVERYWHERE.items():
        response.headers[name] = value
    policy = policy_for(request.path)
    if policy is not None:
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Frame-Options"] = "DENY"


def setup(app: web.Application) -> None:
    app.on_response_prepare.append(add_security_headers)
