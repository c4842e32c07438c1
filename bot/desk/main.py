"""Run the desk: `python -m bot.desk.main` (or `balagh desk`; `balagh run` starts it too).

Background work, both driven from the database so a restart loses nothing:
- the dispatcher delivers queued notifications every BALAGH_DISPATCH_INTERVAL seconds;
- the scheduler runs the timed rules (48-hour cancellation, delay notices) every
  BALAGH_SCHEDULER_INTERVAL seconds;
- with BALAGH_EVENT_BROKER_URL set, the event relay publishes every stored conversation
  event to RabbitMQ (`bot/desk/event_relay.py`).
Health, readiness, `/metrics` and `/api/openapi.json`: `bot/desk/operability.py`.

SIGTERM or Ctrl-C stops it within seconds in every state: the background work is cancelled
as the shutdown begins (`on_shutdown`), before aiohttp waits for the tasks started after
startup, which would otherwise include the relay's RabbitMQ connection (it waited out its
60-second `shutdown_timeout`); requests still in flight get `SHUTDOWN_TIMEOUT` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot import clock
from bot.desk import (
    corrective_actions_api,
    event_relay,
    handoff_api,
    headers,
    live,
    operability,
    public_pages,
    supervisors,
    widget,
)
from bot.desk.dispatcher import Dispatcher
from bot.desk.sign_in import GUARD_KEY, SignInGuard
from bot.desk.staff_api import (
    SETTINGS_KEY,
    STORE_KEY,
    TOKEN_KEY,
    add_routes,
    json_errors,
    require_token,
)
from bot.observability import logs
from bot.observability.holidays import warn_if_short
from bot.rules.input_bounds import MAX_BODY_BYTES
from bot.settings import Settings, load_settings, settings_or_exit
from bot.store.database import Store
from bot.store.follow_up import run_timed_work

logger = logging.getLogger("bot.desk")

# Seconds a shutdown waits for requests in flight (aiohttp's default is 60), and for the
# background work to end once cancelled.
SHUTDOWN_TIMEOUT = 2.0


# While a store is away, background work is retried less and less often, up to this many
# seconds apart: a failing dependency gives one traceback and a line per retry, not a
# traceback every dispatch interval.
RETRY_CAP = 30.0


async def _every(seconds: float, work, name: str) -> None:  # type: ignore[no-untyped-def]
    failures = 0
    while True:
        wait = seconds
        try:
            await work()
        except Exception as failure:  # keep the loop alive (e.g. PostgreSQL restarting)
            failures += 1
            wait = min(max(seconds, 0.5) * 2 ** (failures - 1), max(seconds, RETRY_CAP))
            if failures == 1:
                logger.exception("%s failed; trying again in %.1f s", name, wait)
            else:
                logger.error(
                    "%s failed again (%s times: %s); trying again in %.1f s",
                    name,
                    failures,
                    type(failure).__name__,
                    wait,
                )
        else:
            if failures:
                logger.info("%s works again after %s failures", name, failures)
            failures = 0
        await asyncio.sleep(wait)


def build_app(settings: Settings | None = None) -> web.Application:
    """The desk for `settings` (default: the environment's), with its own store."""
    settings = settings or load_settings()
    store = Store(settings.database_url)
    token = settings.staff_token
    if not token:
        token = secrets.token_urlsafe(24)
        logger.warning("BALAGH_STAFF_TOKEN is not set; this run's staff token is %s", token)
    app = web.Application(
        middlewares=[
            operability.count_requests,
            json_errors,
            require_token,
            handoff_api.require_agent,
            supervisors.require_supervisor,
        ],
        client_max_size=MAX_BODY_BYTES,
    )
    app[SETTINGS_KEY] = settings
    app[STORE_KEY] = store
    app[TOKEN_KEY] = token
    app[GUARD_KEY] = SignInGuard()
    headers.setup(app)
    relayed = bool(settings.event_broker_url)
    operability.setup(
        app,
        store,
        settings.tracker_store_url if relayed else None,
        event_relay.amqp_url(settings.event_broker_url) if relayed else None,
    )
    add_routes(app)
    widget.add_routes(app)
    public_pages.add_routes(app)
    handoff_api.add_routes(app)
    supervisors.add_routes(app)
    corrective_actions_api.add_routes(app)  # the staff token guards it (its own middleware)
    telegram = None
    if settings.telegram_token and settings.telegram_chat_id:
        from bot.desk.telegram_agents import TelegramDesk

        telegram = TelegramDesk.from_settings(app, settings)
        telegram.add_routes(app)  # the webhook's route, in webhook mode

    app[handoff_api.RASA_KEY] = settings.rasa_url
    app[handoff_api.INTERNAL_KEY] = settings.internal_token.value()
    app[handoff_api.RASA_TOKEN_KEY] = settings.rasa_api_token.value()

    tasks: list[asyncio.Task] = []

    async def stop_background(_: web.Application) -> None:
        """Cancel the background work and wait (bounded) until it has let go of its
        connections: on shutdown, before aiohttp waits for the tasks they started."""
        for task in tasks:
            task.cancel()
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=SHUTDOWN_TIMEOUT)
            for task in stuck:
                logger.warning("background task %s did not stop when cancelled", task)

    async def background(app: web.Application) -> AsyncIterator[None]:
        await store.run(Store.upgrade)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            dispatcher = Dispatcher(
                store, settings.rasa_url, settings.rasa_api_token.value(), settings=settings
            )

            async def timed_work() -> None:
                now = clock.now()
                await store.run(run_timed_work, now, clock.local_date(now), settings.retention_days)

            every = settings.scheduler_interval
            tasks.append(asyncio.create_task(_every(every, timed_work, "scheduler")))
            if telegram is not None:
                tasks.append(asyncio.create_task(telegram.run(settings.telegram_interval)))
            if settings.event_broker_url:
                relay = event_relay.from_settings(settings)
                tasks.append(asyncio.create_task(relay.run()))
            if settings.desk_dispatcher:
                tasks.append(
                    asyncio.create_task(
                        _every(
                            settings.dispatch_interval,
                            lambda: dispatcher.run_once(session),
                            "dispatcher",
                        )
                    )
                )
            yield
            await stop_background(app)  # a no-op after `on_shutdown`
        store.dispose()

    app.on_shutdown.append(stop_background)
    app.cleanup_ctx.append(background)
    live.setup(app)  # the console's stream and its watcher (after the store's migration)
    return app


def main(settings: Settings | None = None) -> None:
    """The desk's process: `settings` checked at start (a wrong value is one line)."""
    settings = settings or settings_or_exit("balagh desk")
    logs.configure("desk")
    warn_if_short()
    web.run_app(
        build_app(settings),
        host=settings.desk_host,
        port=settings.desk_port,
        print=None,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
    )


if __name__ == "__main__":
    main()
