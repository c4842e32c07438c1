"""Pages the desk serves: the web chat widget's files, its demo page, the agents' console."""

from __future__ import annotations

import html

from aiohttp import web

from bot.desk.staff_api import SETTINGS_KEY
from bot.settings import ROOT

STATIC = ROOT / "bot" / "desk" / "static"
DEMO = """<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>بلاغ رقمي – تجربة المحادثة</title>
<style>body{{font-family:'Noto Sans Arabic',Tahoma,sans-serif;margin:2rem;line-height:1.8}}</style>
</head>
<body>
<main>
<h1>بلاغ رقمي</h1>
<p>صفحة تجريبية لأداة المحادثة: تقديم شكوى، طلب تحول، اقتراح تطوير، ومتابعة البلاغات.</p>
</main>
<script src="/widget/balagh-widget.js" data-server="{server}" defer></script>
</body>
</html>
"""


async def widget_file(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    if name not in {"balagh-widget.js", "socket.io.min.js"}:
        raise web.HTTPNotFound()
    return web.FileResponse(
        STATIC / name, headers={"Content-Type": "application/javascript; charset=utf-8"}
    )


async def demo(request: web.Request) -> web.Response:
    server = request.app[SETTINGS_KEY].widget_server
    return web.Response(
        text=DEMO.format(server=html.escape(server, quote=True)), content_type="text/html"
    )


async def console(_: web.Request) -> web.FileResponse:
    """The agents' console (it signs in against the agents' API)."""
    return web.FileResponse(
        STATIC / "console.html", headers={"Content-Type": "text/html; charset=utf-8"}
    )


# The console's and the supervisors' page's scripts and styles (no inline script: the pages'
# Content-Security-Policy allows only the desk's own files, `bot/desk/headers.py`).
ASSETS = {
    "console.js": "application/javascript",
    "console.css": "text/css",
    "supervisors.js": "application/javascript",
    "supervisors.css": "text/css",
}


async def console_asset(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    if name not in ASSETS:
        raise web.HTTPNotFound()
    return web.FileResponse(
        STATIC / name,
        headers={"Content-Type": f"{ASSETS[name]}; charset=utf-8", "Cache-Control": "no-cache"},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/console", console)
    app.router.add_get("/console/assets/{name}", console_asset)
    app.router.add_get("/widget/demo", demo)
    app.router.add_get("/widget/{name}", widget_file)
