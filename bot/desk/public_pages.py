"""The pages the links in messages open (`bot/rules/links.py`): anyone holding the link.

- `GET /s/<link>`: a report's status page — number, type and status in Arabic, filing and
  answer dates, the latest note and, once accepted, when it will be implemented. Nothing
  personal: no name, identifier, mobile or conversation id (`bot/store/public.py`), and the
  staff's free texts pass through the report's scrubber.
- `GET /c/<link>`: back to the web chat conversation a report was filed in: the widget, given
  that conversation's session token (`data-session`), opens it with its history. Reports
  filed on another channel have no such page.

A forged, altered, expired, wrong-purpose or unknown-report link gets one and the same page
(«الرابط غير صالح أو انتهت صلاحيته», 404): nothing tells them apart. Every page is
`no-store`, `noindex`, never framed, with the desk's strict Content-Security-Policy (the
conversation page also lets the widget reach the Rasa server); the style is a file, never
inline.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from aiohttp import web

from bot import clock
from bot.desk.headers import PAGES_CSP
from bot.desk.report.privacy import scrub
from bot.desk.staff_api import SETTINGS_KEY, STORE_KEY
from bot.desk.widget import STATIC
from bot.rules.dates import format_date_ar
from bot.rules.labels import REPORT_TYPE_LABELS, label
from bot.rules.lifecycle import STATUS_LABELS
from bot.rules.links import LinkGrant, read_token
from bot.rules.web_sessions import session_token
from bot.store.public import PublicStatus, conversation_of, public_status

STYLE_PATH = "/s/public.css"
INVALID_TEXT = "الرابط غير صالح أو انتهت صلاحيته"

_HEAD = """<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="stylesheet" href="{style}">
</head>
"""
_STATUS_BODY = """<body>
<main class="card">
<p class="brand">بلاغ رقمي – مركز آمر</p>
<h1>حالة البلاغ</h1>
<dl class="facts">
{rows}
</dl>
<p class="foot">تعرض هذه الصفحة حالة البلاغ فقط، دون أي بيانات شخصية.</p>
</main>
</body>
</html>
"""
_ROW = '<div class="fact" data-field="{field}"><dt>{name}</dt><dd>{value}</dd></div>'
_CONVERSATION_BODY = """<body>
<main class="card">
<p class="brand">بلاغ رقمي – مركز آمر</p>
<h1>أكمل محادثتك مع المساعد</h1>
<p>هذه الصفحة تكمل محادثتك السابقة: تظهر رسائلها في نافذة المحادثة، وتتابع من حيث توقفت.</p>
</main>
<script src="/widget/balagh-widget.js" data-server="{server}"
 data-session="{session}" defer></script>
</body>
</html>
"""
_INVALID_BODY = """<body>
<main class="card">
<p class="brand">بلاغ رقمي – مركز آمر</p>
<h1>{text}</h1>
<p>يمكنك متابعة بلاغك برقمه في المحادثة مع المساعد، وسيصلك رابط جديد مع الإشعار القادم.</p>
</main>
</body>
</html>
"""
# Every page: never stored, indexed, framed or sent on as a referrer.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def _page(title: str, body: str) -> str:
    return _HEAD.format(title=html.escape(title), style=STYLE_PATH) + body


def _respond(text: str, status: int = 200, policy: str = PAGES_CSP) -> web.Response:
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        headers={**PAGE_HEADERS, "Content-Security-Policy": policy},
    )


def invalid_link() -> web.Response:
    """The one answer to every link that opens nothing."""
    body = _INVALID_BODY.format(text=INVALID_TEXT)
    return _respond(_page(f"{INVALID_TEXT} – بلاغ رقمي", body), status=404)


def _grant(request: web.Request, purpose: str) -> LinkGrant | None:
    secret = request.app[SETTINGS_KEY].link_secret.value()
    grant = read_token(secret, request.match_info.get("token", ""), clock.now())
    return grant if grant is not None and grant.purpose == purpose else None


def status_html(view: PublicStatus) -> str:
    """The status page of a report (every value escaped)."""
    facts = [
        ("number", "رقم البلاغ", view.number),
        ("type", "نوع البلاغ", label(REPORT_TYPE_LABELS, view.type)),
        ("status", "الحالة", label(STATUS_LABELS, view.status)),
        ("filed", "تاريخ التقديم", format_date_ar(view.filed_on)),
        ("due", "موعد الرد", format_date_ar(view.due_on)),
    ]
    if view.latest_note:
        facts.append(("note", "آخر ملاحظة", view.latest_note))
    if view.implementation_time:
        facts.append(("implementation", "موعد التنفيذ المتوقع", view.implementation_time))
    rows = "\n".join(
        _ROW.format(field=field, name=name, value=html.escape(value))
        for field, name, value in facts
    )
    return _page(f"حالة البلاغ {view.number} – بلاغ رقمي", _STATUS_BODY.format(rows=rows))


async def status_page(request: web.Request) -> web.Response:
    grant = _grant(request, "status")
    if grant is None:
        return invalid_link()
    view = await request.app[STORE_KEY].run(public_status, grant.report_id, scrub)
    if view is None:
        return invalid_link()
    return _respond(status_html(view))


def conversation_policy(server: str) -> str:
    """The desk's policy, with the widget's requests to the Rasa server (HTTP and its
    socket) allowed."""
    parts = urlsplit(server)
    socket = {"https": "wss", "http": "ws"}.get(parts.scheme.lower(), parts.scheme)
    allowed = f"'self' {parts.scheme}://{parts.netloc} {socket}://{parts.netloc}"
    return PAGES_CSP.replace("connect-src 'self'", f"connect-src {allowed}")


async def conversation_page(request: web.Request) -> web.Response:
    grant = _grant(request, "conversation")
    if grant is None:
        return invalid_link()
    conversation = await request.app[STORE_KEY].run(conversation_of, grant.report_id)
    settings = request.app[SETTINGS_KEY]
    session = session_token(settings.webchat_secret.value(), conversation)
    if session is None:  # no such report, or not filed in the web chat
        return invalid_link()
    body = _CONVERSATION_BODY.format(
        server=html.escape(settings.widget_server, quote=True),
        session=html.escape(session, quote=True),
    )
    page = _page("أكمل محادثتك – بلاغ رقمي", body)
    return _respond(page, policy=conversation_policy(settings.widget_server))


async def style(_: web.Request) -> web.FileResponse:
    return web.FileResponse(
        STATIC / "public.css",
        headers={"Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache"},
    )


def add_routes(app: web.Application) -> None:
    # The style first: `/s/{token}` takes anything after `/s/` (a malformed link gets the
    # invalid-link page too, not the API's JSON 404).
    app.router.add_get(STYLE_PATH, style)
    app.router.add_get("/s/{token:.*}", status_page)
    app.router.add_get("/c/{token:.*}", conversation_page)
