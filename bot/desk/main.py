"""Run the desk: `python -m bot.desk.main` (or `balagh desk`; `balagh run` starts it too).

Background work, both driven from the database so a restart loses nothing:
- the dispatcher delivers queued notifications every BALAGH_DISPATCH_INTERVAL seconds;
- the scheduler runs the timed rules (48-hour cancellation, delay notices) every
  BALAGH_SCHEDULER_INTERVAL seconds;
- with BALAGH_EVENT_BROKER_URL set, the event relay publishes every stored conversation
  event to RabbitMQ (`bot/desk/event_relay.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot import clock
from bot.desk import event_relay, handoff_api, supervisors, widget
from bot.desk.dispatcher import Dispatcher
from bot.desk.staff_api import DATABASE_KEY, TOKEN_KEY, add_routes, json_errors, require_token
from bot.rules.input_bounds import MAX_BODY_BYTES
from bot.settings import internal_token, load_settings, rasa_api_token
from bot.store.database import upgrade
from bot.store.follow_up import run_timed_work

logger = logging.getLogger("bot.desk")


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _every(seconds: float, work, name: str) -> None:  # type: ignore[no-untyped-def]
    while True:
        try:
            await work()
        except Exception:  # keep the loop alive (e.g. PostgreSQL restarting)
            logger.exception("%s failed; trying again in %.0fs", name, seconds)
        await asyncio.sleep(seconds)


def build_app() -> web.Application:
    settings = load_settings()
    token = os.environ.get("BALAGH_STAFF_TOKEN")
    if not token:
        token = secrets.token_urlsafe(24)
        logger.warning("BALAGH_STAFF_TOKEN is not set; this run's staff token is %s", token)
    app = web.Application(
        middlewares=[
            json_errors,
            require_token,
            handoff_api.require_agent,
            supervisors.require_supervisor,
        ],
        client_max_size=MAX_BODY_BYTES,
    )
    app[DATABASE_KEY] = settings.database_url
    app[TOKEN_KEY] = token
    app.router.add_get("/health", health)
    add_routes(app)
    widget.add_routes(app)
    handoff_api.add_routes(app)
    supervisors.add_routes(app)

    rasa_url = os.environ.get("BALAGH_RASA_URL", f"http://127.0.0.1:{settings.rasa_port}")
    app[handoff_api.RASA_KEY] = rasa_url
    app[handoff_api.INTERNAL_KEY] = internal_token()
    app[handoff_api.RASA_TOKEN_KEY] = rasa_api_token()
    dispatch = os.environ.get("BALAGH_DESK_DISPATCHER", "on").lower() not in {"off", "0", "false"}
    dispatch_every = float(os.environ.get("BALAGH_DISPATCH_INTERVAL", "1"))
    schedule_every = float(os.environ.get("BALAGH_SCHEDULER_INTERVAL", "60"))

    async def background(app: web.Application) -> AsyncIterator[None]:
        upgrade(settings.database_url)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            dispatcher = Dispatcher(settings.database_url, rasa_url, rasa_api_token())

            async def timed_work() -> None:
                now = clock.now()
                await asyncio.to_thread(
                    run_timed_work, settings.database_url, now, clock.local_date(now)
                )

            tasks = [asyncio.create_task(_every(schedule_every, timed_work, "scheduler"))]
            telegram_token = os.environ.get("BALAGH_TELEGRAM_TOKEN")
            if telegram_token and os.environ.get("BALAGH_TELEGRAM_CHAT_ID"):
                from bot.desk.telegram_agents import TelegramDesk

                desk = TelegramDesk(
                    app,
                    telegram_token,
                    os.environ["BALAGH_TELEGRAM_CHAT_ID"],
                    os.environ.get("BALAGH_TELEGRAM_API", "https://api.telegram.org"),
                )
                every = float(os.environ.get("BALAGH_TELEGRAM_INTERVAL", "1"))
                tasks.append(asyncio.create_task(desk.run(every)))
            if settings.event_broker_url:
                relay = event_relay.from_environment(
                    settings.tracker_store_url, event_relay.amqp_url(settings.event_broker_url)
                )
                tasks.append(asyncio.create_task(relay.run()))
            if dispatch:
                tasks.append(
                    asyncio.create_task(
                        _every(dispatch_every, lambda: dispatcher.run_once(session), "dispatcher")
                    )
                )
            yield
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.cleanup_ctx.append(background)
    return app


def main() -> None:
    logging.basicConfig(
        level=os.environ.get("BALAGH_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    port = int(os.environ.get("BALAGH_DESK_PORT", "8080"))
    host = os.environ.get("BALAGH_DESK_HOST", "127.0.0.1")
    web.run_app(build_app(), host=host, port=port, print=None)


if __name__ == "__main__":
    main()
