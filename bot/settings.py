"""Configuration from environment variables (a `.env` file is read when present).

Every variable and its default is listed in the README; keep the two in step.
"""

from __future__ import annotations

import functools
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


# The variables `Settings` is read from: the settings are remembered per set of their values
# (the actions ask for them several times a message; building them is the Path arithmetic).
VARIABLES = (
    "BALAGH_DATABASE_URL",
    "BALAGH_TRACKER_STORE_URL",
    "BALAGH_HOLIDAYS_FILE",
    "BALAGH_CATALOGUE_FILE",
    "BALAGH_RASA_PORT",
    "BALAGH_ACTIONS_PORT",
    "BALAGH_TIMEZONE",
    "BALAGH_LOG_LEVEL",
    "BALAGH_MODEL_DIR",
    "BALAGH_LOCK_STORE_URL",
    "BALAGH_EVENT_BROKER_URL",
    "BALAGH_SOCKETIO_REDIS_URL",
    "BALAGH_ACTION_ENDPOINT_URL",
    "BALAGH_MEDIA_DIR",
)
_dotenv_read = False


def load_settings() -> Settings:
    """The settings of the environment as it is now (tests change it between runs). The
    `.env` file is read once per process: it only fills variables not already set."""
    global _dotenv_read
    if not _dotenv_read:
        load_dotenv(ROOT / ".env", override=False)
        _dotenv_read = True
    return _settings_from(tuple(os.environ.get(name) for name in VARIABLES))


@functools.lru_cache(maxsize=16)
def _settings_from(values: tuple[str | None, ...]) -> Settings:
    env = {name: value for name, value in zip(VARIABLES, values, strict=True) if value is not None}
    var = ROOT / "var"
    return Settings(
        database_url=env.get("BALAGH_DATABASE_URL", f"sqlite:///{var / 'balagh.db'}"),
        tracker_store_url=env.get(
            "BALAGH_TRACKER_STORE_URL", f"sqlite:///{var / 'conversations.db'}"
        ),
        holidays_file=Path(
            env.get("BALAGH_HOLIDAYS_FILE", str(ROOT / "resources" / "holidays.yml"))
        ),
        catalogue_file=Path(
            env.get("BALAGH_CATALOGUE_FILE", str(ROOT / "resources" / "catalogue.yml"))
        ),
        rasa_port=int(env.get("BALAGH_RASA_PORT", "5005")),
        actions_port=int(env.get("BALAGH_ACTIONS_PORT", "5055")),
        timezone=env.get("BALAGH_TIMEZONE", "Asia/Riyadh"),
        log_level=env.get("BALAGH_LOG_LEVEL", "INFO"),
        model_dir=Path(env.get("BALAGH_MODEL_DIR", str(ROOT / "models"))),
        lock_store_url=env.get("BALAGH_LOCK_STORE_URL", ""),
        event_broker_url=env.get("BALAGH_EVENT_BROKER_URL", ""),
        socketio_redis_url=env.get("BALAGH_SOCKETIO_REDIS_URL", ""),
        action_endpoint_url=env.get("BALAGH_ACTION_ENDPOINT_URL", ""),
        media_dir=Path(env.get("BALAGH_MEDIA_DIR", str(var / "media"))),
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
