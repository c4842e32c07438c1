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
# Set by the public edge (nginx) on every request it forwards, overwriting the caller's:
# what may only be called from inside (the REST channel without its token) checks it.
EDGE_HEADER = "X-Balagh-Edge"


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
    """A secret from the environment, or generated once into var/ (mode 600, created
    exclusively so that processes started together agree on one value). Set it explicitly
    across machines; it is never defaulted to a constant."""
    import secrets

    configured = os.environ.get(variable)
    if configured:
        return configured
    file = ROOT / "var" / file_name
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first: read theirs
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
    for _ in range(100):  # the writer may not have flushed yet
        value = file.read_text().strip()
        if value:
            return value
        import time

        time.sleep(0.01)
    raise SystemExit(f"{file} is empty: delete it, or set {variable}")


def internal_token() -> str:
    """Shared by the desk and Rasa's hand-off bridge (`BALAGH_INTERNAL_TOKEN`)."""
    return shared_secret("BALAGH_INTERNAL_TOKEN", "internal.token")


def rasa_api_token() -> str:
    """Rasa's HTTP API token (`BALAGH_RASA_API_TOKEN`): the desk's notifications and
    hand-back events use it; nothing else may call that API."""
    return shared_secret("BALAGH_RASA_API_TOKEN", "rasa-api.token")


def actions_token() -> str:
    """The secret Rasa sends to the action server (`BALAGH_ACTIONS_TOKEN`)."""
    return shared_secret("BALAGH_ACTIONS_TOKEN", "actions.token")


def rest_token() -> str:
    """`BALAGH_REST_TOKEN`: when set, the REST channel requires it as a bearer token and
    the public edge passes the REST channel; unset, REST is for loopback callers only."""
    return os.environ.get("BALAGH_REST_TOKEN", "")


def webchat_origins() -> list[str]:
    """The origins allowed to open the widget and to call Rasa from a browser
    (`BALAGH_WEBCHAT_ORIGINS`, comma-separated). Default: the desk's own demo page."""
    configured = os.environ.get("BALAGH_WEBCHAT_ORIGINS", "")
    if configured.strip():
        return [origin.strip() for origin in configured.split(",") if origin.strip()]
    desk_port = os.environ.get("BALAGH_DESK_PORT", "8080")
    return [f"http://127.0.0.1:{desk_port}", f"http://localhost:{desk_port}"]


def refuse_any_origin(command: str) -> None:
    """Production topologies name the widget's origins: `*` would let any site's scripts
    talk to Rasa with the visitor's credentials."""
    if "*" in webchat_origins():
        raise SystemExit(
            f"{command}: BALAGH_WEBCHAT_ORIGINS must list the widget's origins, not `*`"
        )


def generate_secrets() -> None:
    """Create every generated secret before child processes start (so that none of them
    races another to write the file)."""
    internal_token()
    rasa_api_token()
    actions_token()
    shared_secret("BALAGH_WEBCHAT_SECRET", "webchat.secret")
