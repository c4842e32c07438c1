"""The endpoints and credentials files the Rasa server reads, rendered from settings.

One code path for every topology: with no `BALAGH_*_URL` set it is the embedded default
(SQLite, in-process lock, no broker); with them set, PostgreSQL, the Redis lock store,
the RabbitMQ event broker and the socket.io Redis manager.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.private import private_dir, private_file, write_private
from bot.settings import ROOT, Settings

# Rasa's SQL tracker store, remembering what it served (see bot/server/tracker_store.py).
STORE_TYPE = "bot.server.tracker_store.CachedSQLTrackerStore"


def tracker_store_config(url: str) -> dict[str, Any]:
    """SQL tracker store settings from a SQLAlchemy URL (sqlite or postgresql)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or str(ROOT / "var" / "conversations.db")
        if Path(database).parent.resolve() == (ROOT / "var").resolve():
            private_dir(ROOT / "var", tighten=True)
        private_file(Path(database))  # 0600 before Rasa's SQLite opens it (conversations)
        return {"type": STORE_TYPE, "dialect": "sqlite", "db": database}
    config: dict[str, Any] = {
        "type": STORE_TYPE,
        "dialect": parsed.drivername,
        "url": parsed.host or "127.0.0.1",  # Rasa passes `url` as the host
        "port": parsed.port or 5432,
        "db": parsed.database,
    }
    if parsed.username:
        config["username"] = parsed.username
    if parsed.password:
        config["password"] = parsed.password
    return config


def lock_store_config(url: str) -> dict[str, Any]:
    """`redis://[:password@]host:port/db` -> our atomic Redis lock store; empty -> in memory
    (one Rasa process only)."""
    if not url:
        return {"type": "in_memory"}
    parts = urlsplit(url)
    if parts.scheme != "redis":
        raise SystemExit(f"BALAGH_LOCK_STORE_URL must be redis://host:port/db, not {url!r}")
    config: dict[str, Any] = {
        "type": "bot.server.locking.AtomicRedisLockStore",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 1),
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def render_endpoints(settings: Settings, path: Path) -> Path:
    """Write the endpoints file the Rasa server reads, from the settings."""
    endpoints: dict[str, Any] = {
        "action_endpoint": {
            "url": settings.action_endpoint_url,
            # The action server refuses calls without it (bot/actions/server.py).
            "headers": {"Authorization": f"Bearer {settings.actions_token.value()}"},
        },
        "tracker_store": tracker_store_config(settings.tracker_store_url),
        "lock_store": lock_store_config(settings.lock_store_url),
    }
    # No `event_broker`: the desk publishes the stored events (bot/desk/event_relay.py).
    # 0600 from the start: it may hold database and broker passwords.
    write_private(path, yaml.safe_dump(endpoints, allow_unicode=True))
    return path


def render_credentials(settings: Settings, path: Path) -> Path:
    """The channels Rasa serves: REST (its own `rest:` namespace, bearer token when
    `BALAGH_REST_TOKEN` is set), the widget, the desk's hand-off bridge, the health probes
    and metrics (`channels/health.py`); WhatsApp and SMS when Twilio is configured."""
    credentials: dict[str, Any] = {
        "channels.rest.CheckedRestInput": {"token": settings.rest_token},
        "channels.webchat.WebChatInput": {
            "secret": settings.webchat_secret.value(),
            "cors_origins": ",".join(settings.webchat_origins),
            "redis_url": settings.socketio_redis_url,
        },
        "channels.handoff_bridge.HandoffBridge": {"token": settings.internal_token.value()},
        # Not a conversation channel: the replica's health probes and `/metrics`.
        "channels.health.HealthChannel": {},
    }
    account, token = settings.twilio_account_sid, settings.twilio_auth_token
    public = settings.public_url.rstrip("/")
    channels = {
        "whatsapp": ("channels.twilio_channel.WhatsAppInput", settings.twilio_whatsapp_number),
        "sms": ("channels.twilio_channel.SmsInput", settings.twilio_sms_number),
    }
    for channel, (connector, number) in channels.items():
        if account and token and number and public:
            credentials[connector] = {
                "account_sid": account,
                "auth_token": token,
                "from_number": number,
                "public_url": f"{public}/webhooks/{channel}/webhook",
                "api_base": settings.twilio_api_base,
                "templates": dict(settings.twilio_whatsapp_templates),
                "retry_delay": settings.twilio_retry_delay,
                "retry_window": settings.twilio_retry_window,
                "media_timeout": settings.twilio_media_timeout,
            }
    write_private(path, yaml.safe_dump(credentials, allow_unicode=True))  # the Twilio token
    return path
