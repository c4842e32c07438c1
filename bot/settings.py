"""Configuration from environment variables (a `.env` file is read when present).

Every variable and its default is listed in the README; keep the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """What the processes need to know about their environment."""

    database_url: str
    tracker_store_url: str
    holidays_file: Path
    catalogue_file: Path
    rasa_port: int
    actions_port: int
    timezone: str
    log_level: str
    model_dir: Path
    # Production topology (empty: the embedded default of one process on one machine).
    lock_store_url: str
    event_broker_url: str
    socketio_redis_url: str
    action_endpoint_url: str
    media_dir: Path


_dotenv_read = False


def load_settings() -> Settings:
    """Read settings now (tests change the environment between runs). The `.env` file is
    read once per process: it only fills variables not already set, and the actions ask
    for the settings several times per message."""
    global _dotenv_read
    if not _dotenv_read:
        load_dotenv(ROOT / ".env", override=False)
        _dotenv_read = True
    var = ROOT / "var"
    return Settings(
        database_url=os.environ.get("BALAGH_DATABASE_URL", f"sqlite:///{var / 'balagh.db'}"),
        tracker_store_url=os.environ.get(
            "BALAGH_TRACKER_STORE_URL", f"sqlite:///{var / 'conversations.db'}"
        ),
        holidays_file=Path(
            os.environ.get("BALAGH_HOLIDAYS_FILE", str(ROOT / "resources" / "holidays.yml"))
        ),
        catalogue_file=Path(
            os.environ.get("BALAGH_CATALOGUE_FILE", str(ROOT / "resources" / "catalogue.yml"))
        ),
        rasa_port=int(os.environ.get("BALAGH_RASA_PORT", "5005")),
        actions_port=int(os.environ.get("BALAGH_ACTIONS_PORT", "5055")),
        timezone=os.environ.get("BALAGH_TIMEZONE", "Asia/Riyadh"),
        log_level=os.environ.get("BALAGH_LOG_LEVEL", "INFO"),
        model_dir=Path(os.environ.get("BALAGH_MODEL_DIR", str(ROOT / "models"))),
        lock_store_url=os.environ.get("BALAGH_LOCK_STORE_URL", ""),
        event_broker_url=os.environ.get("BALAGH_EVENT_BROKER_URL", ""),
        socketio_redis_url=os.environ.get("BALAGH_SOCKETIO_REDIS_URL", ""),
        action_endpoint_url=os.environ.get("BALAGH_ACTION_ENDPOINT_URL", ""),
        media_dir=Path(os.environ.get("BALAGH_MEDIA_DIR", str(var / "media"))),
    )


def shared_secret(variable: str, file_name: str) -> str:
    """A secret from the environment, or generated once into var/ (mode 600) so that the
    processes started together on one machine agree (set it explicitly across machines)."""
    import secrets

    configured = os.environ.get(variable)
    if configured:
        return configured
    file = ROOT / "var" / file_name
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(secrets.token_hex(32))
        file.chmod(0o600)
    return file.read_text().strip()


def internal_token() -> str:
    """Shared by the desk and Rasa's hand-off bridge (`BALAGH_INTERNAL_TOKEN`)."""
    return shared_secret("BALAGH_INTERNAL_TOKEN", "internal.token")
