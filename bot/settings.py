"""Configuration: every `BALAGH_*` and `TWILIO_*` variable, typed, checked and documented here.

`Settings` declares each variable once: its type, default and meaning. `load_settings()`
reads them from the environment (a `.env` file in the project folder fills those not set;
an empty value is the same as an unset one), checks every value and raises `SettingsError`
naming the variable of the first wrong one. A process's entry point calls
`settings_or_exit()`, which stops the process with that one line and no traceback, then
passes the settings (and the store built from them) to whoever needs them.

Secrets (`Secret`) are their variable's value, or generated once into `var/` (mode 600)
when it is unset. `docs/configuration.md` is generated from the declarations
(`python -m bot.settings > docs/configuration.md`; `tests/unit/test_settings.py` checks it).
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

from bot.private import private_dir

ROOT = Path(__file__).resolve().parent.parent
# Set by the public edge (nginx) on every request it forwards, overwriting the caller's:
# what may only be called from inside (the REST channel without its token) checks it.
EDGE_HEADER = "X-Balagh-Edge"


class SettingsError(ValueError):
    """A variable's value is wrong; the message names the variable and says what it takes."""


@dataclass(frozen=True)
class Secret:
    """A secret shared by processes: the variable's value, or one generated once into
    `var/<file_name>` (mode 600, created exclusively so that processes started together
    agree on one value). Set it explicitly across machines; it never defaults to a
    constant. Its value is not part of the settings' repr."""

    variable: str
    file_name: str
    configured: str = field(default="", repr=False)

    def value(self) -> str:
        return self.configured or _generated_secret(self.variable, self.file_name)


def _generated_secret(variable: str, file_name: str) -> str:
    file = ROOT / "var" / file_name
    if not file.exists():
        private_dir(file.parent, tighten=True)
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first: read theirs
        else:
            with os.fdopen(descriptor, "w") as handle:
                os.fchmod(handle.fileno(), 0o600)  # whatever the umask
                handle.write(secrets.token_hex(32))
    for _ in range(100):  # the writer may not have flushed yet
        value = file.read_text().strip()
        if value:
            return value
        time.sleep(0.01)
    raise SystemExit(f"{file} is empty: delete it, or set {variable}")


# How a variable's text becomes a value.
@dataclass(frozen=True)
class Kind:
    label: str  # the docs' "type" column
    expect: str  # the error's "must be ..."
    parse: Callable[[str], Any]  # raises ValueError for a wrong value
    shows_value: bool = True  # False: the error does not repeat the value (a secret)


def _text(value: str) -> str:
    return value


def _host(value: str) -> str:
    if any(ch.isspace() for ch in value) or "/" in value:
        raise ValueError(value)
    return value


def _port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise ValueError(value)
    return port


def _ports(value: str) -> tuple[int, ...]:
    return tuple(_port(part.strip()) for part in value.split(",") if part.strip())


def _positive(value: str) -> float:
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(value)
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _not_negative(value: str) -> float:
    number = float(value)
    if not (math.isfinite(number) and number >= 0):
        raise ValueError(value)
    return number


def _url(*schemes: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme.lower() not in schemes or not parts.hostname:
            raise ValueError(value)
        _ = parts.port  # raises ValueError for a port that is not a number in range
        return value

    return parse


_DATABASE_URL = re.compile(r"(sqlite|postgresql)(\+\w+)?://", re.IGNORECASE)


def _database_url(value: str) -> str:
    if not _DATABASE_URL.match(value):
        raise ValueError(value)
    return value


def _choice(*values: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        chosen = value.strip().lower()
        if chosen not in values:
            raise ValueError(value)
        return chosen

    return parse


def _log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError(value)
    return level


def _switch(value: str) -> bool:
    word = value.strip().lower()
    if word in ("on", "1", "true", "yes"):
        return True
    if word in ("off", "0", "false", "no"):
        return False
    raise ValueError(value)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(value) from None
    return value.strip()


_HOURS = re.compile(r"\s*(\d\d:\d\d)\s*-\s*(\d\d:\d\d)\s*")


def _agent_hours(value: str) -> str:
    """`HH:MM-HH:MM` (the start not after the end; equal: never) or `always`; the rule that
    reads it is `bot.rules.working_hours`."""
    if value.strip().lower() == "always":
        return value
    match = _HOURS.fullmatch(value)
    if match is None:
        raise ValueError(value)
    start, end = (_time_of_day(part) for part in match.groups())
    if end < start:
        raise ValueError(value)
    return value


def _time_of_day(value: str) -> tuple[int, int]:
    hours, minutes = (int(part) for part in value.split(":"))
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ValueError(value)
    return hours, minutes


def _origins(value: str) -> tuple[str, ...]:
    origins = tuple(origin.strip() for origin in value.split(",") if origin.strip())
    for origin in origins:
        if origin == "*":
            continue
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            raise ValueError(origin)
        _ = parts.port
    return origins


def _data_keys(value: str) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in value.split(",") if key.strip())
    if any(len(key) < 32 for key in keys):
        raise ValueError(value)
    return keys


def _json_object(value: str) -> dict[str, str]:
    parsed = json.loads(value)
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise ValueError(value)
    return parsed


TEXT = Kind("text", "text", _text)
TOKEN = Kind("secret", "a secret", _text, shows_value=False)
HOST = Kind("host", "a host name or address (no spaces, no path)", _host)
PORT = Kind("port", "a port number (1-65535)", _port)
PORTS = Kind("ports, comma-separated", "port numbers (1-65535), comma-separated", _ports)
SECONDS = Kind("seconds > 0", "a number of seconds greater than 0", _positive)
SECONDS_OR_0 = Kind("seconds ≥ 0", "a number of seconds, 0 or more", _not_negative)
COUNT = Kind("whole number ≥ 1", "a whole number, 1 or more", _count)
HOURS = Kind("hours > 0", "a number of hours greater than 0", _positive)
PATH = Kind("path", "a path", Path)
HTTP_URL = Kind("URL `http(s)://`", "an http:// or https:// URL", _url("http", "https"))
DATABASE_URL = Kind(
    "URL `sqlite:///` or `postgresql://`",
    "an SQLAlchemy URL, sqlite:///<file> or postgresql://user:password@host:port/db",
    _database_url,
)
REDIS_URL = Kind("URL `redis://`", "a redis://host:port/db URL", _url("redis"))
SOCKETIO_REDIS_URL = Kind(
    "URL `redis(s)://`", "a redis:// or rediss:// URL", _url("redis", "rediss")
)
AMQP_URL = Kind("URL `amqp(s)://`", "an amqp://user:password@host:port/ URL", _url("amqp", "amqps"))
LOG_LEVEL = Kind(
    "`DEBUG` `INFO` `WARNING` `ERROR` `CRITICAL`",
    "one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    _log_level,
)
LOG_FORMAT = Kind("`text` / `json`", "text or json", _choice("text", "json"))
RELAY_START = Kind("`first` / `latest`", "first or latest", _choice("first", "latest"))
SWITCH = Kind("`on` / `off`", "on or off", _switch)
TIMEZONE = Kind("IANA time zone", "an IANA time zone such as Asia/Riyadh", _timezone)
AGENT_HOURS = Kind(
    "`HH:MM-HH:MM` / `always`",
    "HH:MM-HH:MM (the start not after the end) or always",
    _agent_hours,
)
ORIGINS = Kind(
    "origins, comma-separated",
    "origins such as https://www.example.gov.sa (scheme, host, port; no path), comma-separated",
    _origins,
)
DATA_KEYS = Kind(
    "secrets, comma-separated",
    "secrets of at least 32 characters, comma-separated",
    _data_keys,
    False,
)
TEMPLATES = Kind(
    "JSON object", 'a JSON object of texts, e.g. {"closed": "HX..."}', _json_object, False
)


@dataclass(frozen=True)
class Spec:
    """One variable: its name, kind, default (a value, or a function of the settings
    read before it), meaning, and the default as the docs show it."""

    variable: str
    kind: Kind
    default: Any
    meaning: str
    shown: str | None
    group: str


def _var(
    variable: str,
    kind: Kind,
    default: Any,
    meaning: str,
    *,
    group: str,
    shown: str | None = None,
) -> Any:
    spec = Spec(variable, kind, default, meaning, shown, group)
    return field(metadata={"spec": spec}, repr=kind.shows_value)


def _secret(variable: str, file_name: str, meaning: str, *, group: str, minimum: int = 0) -> Any:
    def parse(value: str) -> Secret:
        if len(value) < minimum:
            raise ValueError(value)
        return Secret(variable, file_name, value)

    expect = f"a secret of at least {minimum} characters" if minimum else "a secret"
    kind = Kind("secret", expect, parse, False)
    shown = f"generated once into `var/{file_name}`"
    return _var(variable, kind, Secret(variable, file_name), meaning, group=group, shown=shown)


VAR = ROOT / "var"
STORES = "Stores"
FILES = "Files, time zone"
LOGS = "Logs and metrics"
RASA = "Rasa server"
WIDGET = "Web chat widget"
ACTIONS = "Action server"
DESK = "Desk"
TELEGRAM = "Agents on Telegram (with `BALAGH_TELEGRAM_TOKEN` and `BALAGH_TELEGRAM_CHAT_ID`)"
RELAY = "Event relay (with `BALAGH_EVENT_BROKER_URL`)"
TWILIO = "WhatsApp and SMS through Twilio (on with the account, a number and the public URL)"
CLUSTER = "`balagh cluster` (the production topology as local processes)"
GROUPS = (STORES, FILES, LOGS, RASA, WIDGET, ACTIONS, DESK, TELEGRAM, RELAY, TWILIO, CLUSTER)


@dataclass(frozen=True)
class Settings:
    """What the processes need to know about their environment (`load_settings()`)."""

    # In the order they are read: a default computed from other settings (a port) comes
    # after them. The docs list them by `GROUPS`.
    database_url: str = _var(
        "BALAGH_DATABASE_URL",
        DATABASE_URL,
        f"sqlite:///{VAR / 'balagh.db'}",
        "the reports store (reports, surveys, hand-offs, outbox); migrated on start",
        group=STORES,
        shown="`sqlite:///var/balagh.db`",
    )
    tracker_store_url: str = _var(
        "BALAGH_TRACKER_STORE_URL",
        DATABASE_URL,
        f"sqlite:///{VAR / 'conversations.db'}",
        "the conversations (Rasa's SQL tracker store)",
        group=STORES,
        shown="`sqlite:///var/conversations.db`",
    )
    lock_store_url: str = _var(
        "BALAGH_LOCK_STORE_URL",
        REDIS_URL,
        "",
        "the conversation lock in Redis (`bot/server/locking.py`), needed as soon as there are"
        " two Rasa processes; unset: a lock inside the one Rasa process",
        group=STORES,
    )
    event_broker_url: str = _var(
        "BALAGH_EVENT_BROKER_URL",
        AMQP_URL,
        "",
        "RabbitMQ: the desk's event relay publishes every stored conversation event there;"
        " unset: no events published",
        group=STORES,
    )
    socketio_redis_url: str = _var(
        "BALAGH_SOCKETIO_REDIS_URL",
        SOCKETIO_REDIS_URL,
        "",
        "socket.io's Redis manager: a push from any Rasa replica reaches a browser connected"
        " to another; unset: one replica",
        group=STORES,
    )
    data_key: Secret = _secret(
        "BALAGH_DATA_KEY",
        "data.key",
        "encrypts the names, national IDs and mobiles of the reports store (AES-GCM) and keys"
        " the hashes they are found by (at least 32 characters: `openssl rand -hex 32`);"
        " compose refuses to start without it",
        group=STORES,
        minimum=32,
    )
    data_key_previous: tuple[str, ...] = _var(
        "BALAGH_DATA_KEY_PREVIOUS",
        DATA_KEYS,
        (),
        "during a key rotation, the previous data key(s), comma-separated: still read and"
        " looked up under until `balagh rotate-data-key` has written every row again",
        group=STORES,
    )
    media_dir: Path = _var(
        "BALAGH_MEDIA_DIR",
        PATH,
        VAR / "media",
        "uploaded files and WhatsApp media (a volume shared by the replicas)",
        group=STORES,
        shown="`var/media`",
    )
    backup_dir: Path = _var(
        "BALAGH_BACKUP_DIR",
        PATH,
        VAR / "backups",
        "where `balagh backup` writes its backup sets when `--to` is not given (one folder per"
        " set, named by its UTC time; copy them off the machine)",
        group=STORES,
        shown="`var/backups`",
    )
    min_free_mb: int = _var(
        "BALAGH_MIN_FREE_MB",
        COUNT,
        200,
        "free space (MB) below which a process reports not ready (its data and media"
        " folders): the edge stops sending it traffic before a write fails on a full disk",
        group=FILES,
    )
    holidays_file: Path = _var(
        "BALAGH_HOLIDAYS_FILE",
        PATH,
        ROOT / "resources" / "holidays.yml",
        "official holidays (working-day calculations; re-read when it changes)",
        group=FILES,
        shown="`resources/holidays.yml`",
    )
    catalogue_file: Path = _var(
        "BALAGH_CATALOGUE_FILE",
        PATH,
        ROOT / "resources" / "catalogue.yml",
        "entities, platforms and services (re-read when it changes)",
        group=FILES,
        shown="`resources/catalogue.yml`",
    )
    model_dir: Path = _var(
        "BALAGH_MODEL_DIR",
        PATH,
        ROOT / "models",
        "where `balagh run` looks for the newest model when `--model` is not given",
        group=FILES,
        shown="`models`",
    )
    timezone: str = _var(
        "BALAGH_TIMEZONE",
        TIMEZONE,
        "Asia/Riyadh",
        "the centre's time zone: \"today\" for dates, deadlines and agents' hours",
        group=FILES,
    )
    log_level: str = _var(
        "BALAGH_LOG_LEVEL", LOG_LEVEL, "INFO", "log level of Balagh's own modules", group=LOGS
    )
    log_format: str = _var(
        "BALAGH_LOG_FORMAT",
        LOG_FORMAT,
        "text",
        "`json`: one JSON object per line (identifiers masked); `text`: for people",
        group=LOGS,
    )
    metrics_token: str = _var(
        "BALAGH_METRICS_TOKEN",
        TOKEN,
        "",
        "the bearer token a Prometheus scraper sends for `/metrics` (desk, Rasa replicas,"
        " action server); unset: callers on the same machine only",
        group=LOGS,
    )
    rasa_host: str = _var(
        "BALAGH_RASA_HOST",
        HOST,
        "127.0.0.1",
        "interface the Rasa server listens on (`0.0.0.0` behind a load balancer)",
        group=RASA,
    )
    rasa_port: int = _var("BALAGH_RASA_PORT", PORT, 5005, "Rasa server port", group=RASA)
    rasa_api_token: Secret = _secret(
        "BALAGH_RASA_API_TOKEN",
        "rasa-api.token",
        "Rasa's HTTP API (`/model/parse`, `/conversations/…`, `/status`) always requires it"
        " (`?token=`); the desk uses it",
        group=RASA,
    )
    rest_token: str = _var(
        "BALAGH_REST_TOKEN",
        TOKEN,
        "",
        "when set, the REST channel requires it as a bearer token and the public edge passes"
        " the REST channel; unset, REST is for loopback callers only",
        group=RASA,
    )
    internal_token: Secret = _secret(
        "BALAGH_INTERNAL_TOKEN",
        "internal.token",
        "authenticates the desk to Rasa's hand-off bridge (agents' replies, hand-backs)",
        group=RASA,
    )
    public_url: str = _var(
        "BALAGH_PUBLIC_URL",
        HTTP_URL,
        "",
        "the public base URL Twilio calls (its webhooks' signatures are checked against it);"
        " unset: WhatsApp and SMS off",
        group=TWILIO,
    )
    code_secret: Secret = _secret(
        "BALAGH_CODE_SECRET",
        "codes.secret",
        "keys the hashes under which one-time codes, and the mobiles and addresses they"
        " were sent to, are stored",
        group=ACTIONS,
    )
    link_secret: Secret = _secret(
        "BALAGH_LINK_SECRET",
        "link.secret",
        "signs the links the messages carry (a report's status page, the way back to a web"
        " chat conversation); the same for the action server and the desk",
        group=DESK,
    )
    webchat_secret: Secret = _secret(
        "BALAGH_WEBCHAT_SECRET",
        "webchat.secret",
        "signs web chat sessions (the same on every replica)",
        group=WIDGET,
    )
    actions_host: str = _var(
        "BALAGH_ACTIONS_HOST",
        HOST,
        "127.0.0.1",
        "interface the action server listens on (`0.0.0.0` only on compose's internal" " network)",
        group=ACTIONS,
    )
    actions_port: int = _var("BALAGH_ACTIONS_PORT", PORT, 5055, "action server port", group=ACTIONS)
    actions_token: Secret = _secret(
        "BALAGH_ACTIONS_TOKEN",
        "actions.token",
        "the secret Rasa sends the action server, which refuses any call without it",
        group=ACTIONS,
    )
    action_endpoint_url: str = _var(
        "BALAGH_ACTION_ENDPOINT_URL",
        HTTP_URL,
        lambda read: f"http://127.0.0.1:{read['actions_port']}/webhook",
        "where the Rasa server calls the action server",
        group=RASA,
        shown="`http://127.0.0.1:$BALAGH_ACTIONS_PORT/webhook`",
    )
    desk_host: str = _var(
        "BALAGH_DESK_HOST", HOST, "127.0.0.1", "interface the desk listens on", group=DESK
    )
    desk_port: int = _var(
        "BALAGH_DESK_PORT", PORT, 8080, "desk port (console, staff and agents' APIs)", group=DESK
    )
    links_base_url: str = _var(
        "BALAGH_LINKS_BASE_URL",
        HTTP_URL,
        lambda read: f"http://127.0.0.1:{read['desk_port']}",
        "the public address of the desk's pages that the links in messages open (the status"
        " page, the way back to the chat)",
        group=DESK,
        shown="`http://127.0.0.1:$BALAGH_DESK_PORT`",
    )
    webchat_origins: tuple[str, ...] = _var(
        "BALAGH_WEBCHAT_ORIGINS",
        ORIGINS,
        lambda read: (
            f"http://127.0.0.1:{read['desk_port']}",
            f"http://localhost:{read['desk_port']}",
        ),
        "origins allowed to open the widget's socket and call Rasa from a browser (CORS);"
        " `balagh cluster`, `balagh rasa-server` and compose refuse `*`",
        group=WIDGET,
        shown="the desk's demo page (`http://127.0.0.1:$BALAGH_DESK_PORT`,"
        " `http://localhost:$BALAGH_DESK_PORT`)",
    )
    widget_server: str = _var(
        "BALAGH_WIDGET_SERVER",
        HTTP_URL,
        lambda read: f"http://127.0.0.1:{read['rasa_port']}",
        "the Rasa URL the desk's demo page's widget talks to",
        group=WIDGET,
        shown="`http://127.0.0.1:$BALAGH_RASA_PORT`",
    )
    staff_token: str = _var(
        "BALAGH_STAFF_TOKEN",
        TOKEN,
        "",
        "bearer token of the staff API",
        group=DESK,
        shown="generated per run and logged",
    )
    rasa_url: str = _var(
        "BALAGH_RASA_URL",
        HTTP_URL,
        lambda read: f"http://127.0.0.1:{read['rasa_port']}",
        "where the desk reaches Rasa (notifications, the hand-off bridge)",
        group=DESK,
        shown="`http://127.0.0.1:$BALAGH_RASA_PORT`",
    )
    desk_dispatcher: bool = _var(
        "BALAGH_DESK_DISPATCHER",
        SWITCH,
        True,
        "`off` stops the desk from delivering notifications (they stay queued)",
        group=DESK,
        shown="`on`",
    )
    dispatch_interval: float = _var(
        "BALAGH_DISPATCH_INTERVAL",
        SECONDS,
        1.0,
        "seconds between passes over the outbox",
        group=DESK,
        shown="`1`",
    )
    scheduler_interval: float = _var(
        "BALAGH_SCHEDULER_INTERVAL",
        SECONDS,
        60.0,
        "seconds between runs of the timed rules (48-hour cancellation, delay notices)",
        group=DESK,
        shown="`60`",
    )
    retention_days: int = _var(
        "BALAGH_RETENTION_DAYS",
        COUNT,
        365,
        "days after a report is settled (closed, accepted, rejected, cancelled) before the"
        " scheduler removes its personal data (name, identifier, mobile, description, survey"
        " comment); the counts of the voice-of-the-beneficiary report stay",
        group=DESK,
    )
    agent_hours: str = _var(
        "BALAGH_AGENT_HOURS",
        AGENT_HOURS,
        "08:00-16:00",
        "agents' hours on working days (`BALAGH_TIMEZONE`), or `always`",
        group=DESK,
    )
    agent_session_hours: float = _var(
        "BALAGH_AGENT_SESSION_HOURS",
        HOURS,
        8.0,
        "lifetime of an agent's sign-in session",
        group=DESK,
        shown="`8`",
    )
    telegram_token: str = _var(
        "BALAGH_TELEGRAM_TOKEN",
        TOKEN,
        "",
        "the agents' Telegram bot token (with `BALAGH_TELEGRAM_CHAT_ID`: Telegram on)",
        group=TELEGRAM,
        shown="unset (Telegram off)",
    )
    telegram_chat_id: str = _var(
        "BALAGH_TELEGRAM_CHAT_ID",
        TEXT,
        "",
        "the agents' chat where escalations are announced",
        group=TELEGRAM,
    )
    telegram_api: str = _var(
        "BALAGH_TELEGRAM_API",
        HTTP_URL,
        "https://api.telegram.org",
        "Bot API base (tests point it at a local fake)",
        group=TELEGRAM,
    )
    telegram_interval: float = _var(
        "BALAGH_TELEGRAM_INTERVAL",
        SECONDS,
        1.0,
        "seconds between announcement and update passes",
        group=TELEGRAM,
        shown="`1`",
    )
    telegram_webhook_url: str = _var(
        "BALAGH_TELEGRAM_WEBHOOK_URL",
        HTTP_URL,
        "",
        "the public URL (ending in `/telegram/webhook`, passed by the edge to the desk) Telegram"
        " posts the updates to; unset: the desk polls Telegram (long polling)",
        group=TELEGRAM,
    )
    telegram_webhook_secret: str = _var(
        "BALAGH_TELEGRAM_WEBHOOK_SECRET",
        TOKEN,
        "",
        "required with the webhook: 32 to 256 of `A-Z a-z 0-9 _ -`, the secret Telegram sends"
        " with each update",
        group=TELEGRAM,
    )
    event_queue: str = _var(
        "BALAGH_EVENT_QUEUE", TEXT, "balagh.events", "the queue the events go to", group=RELAY
    )
    event_relay_interval: float = _var(
        "BALAGH_EVENT_RELAY_INTERVAL",
        SECONDS,
        0.2,
        "seconds between looks at the events table when caught up (the last batch was not" " full)",
        group=RELAY,
    )
    event_relay_gap_wait: float = _var(
        "BALAGH_EVENT_RELAY_GAP_WAIT",
        SECONDS_OR_0,
        5.0,
        "seconds a missing event id is waited for before the relay moves past it",
        group=RELAY,
        shown="`5`",
    )
    event_relay_start: str = _var(
        "BALAGH_EVENT_RELAY_START",
        RELAY_START,
        "first",
        "`first`: publish every stored event on the relay's first run; `latest`: start after"
        " the events stored before it (a deployment whose Rasa already published them)",
        group=RELAY,
    )
    twilio_account_sid: str = _var(
        "TWILIO_ACCOUNT_SID",
        TEXT,
        "",
        "the Twilio account",
        group=TWILIO,
        shown="unset (channels off)",
    )
    twilio_auth_token: str = _var(
        "TWILIO_AUTH_TOKEN",
        TOKEN,
        "",
        "the Twilio account's auth token",
        group=TWILIO,
        shown="unset (channels off)",
    )
    twilio_whatsapp_number: str = _var(
        "TWILIO_WHATSAPP_NUMBER",
        TEXT,
        "",
        "e.g. `whatsapp:+9665…` (enables WhatsApp)",
        group=TWILIO,
    )
    twilio_sms_number: str = _var(
        "TWILIO_SMS_NUMBER", TEXT, "", "e.g. `+9665…` (enables SMS)", group=TWILIO
    )
    twilio_verify_service_sid: str = _var(
        "TWILIO_VERIFY_SERVICE_SID",
        TEXT,
        "",
        "the Twilio Verify service (`VA…`) that sends one-time codes; unset: codes go to"
        " the development outbox (`balagh cluster` refuses to start without it)",
        group=TWILIO,
    )
    otp_outbox: Path = _var(
        "BALAGH_OTP_OUTBOX",
        PATH,
        VAR / "otp.log",
        "the development outbox of one-time codes when Twilio Verify is not configured: one"
        " line per code, `<ISO time> <E.164 mobile> <code>` (mode 600)",
        group=TWILIO,
        shown="`var/otp.log`",
    )
    otp_per_mobile: int = _var(
        "BALAGH_OTP_PER_MOBILE",
        COUNT,
        5,
        "one-time codes sent to one mobile per hour",
        group=TWILIO,
    )
    otp_per_client: int = _var(
        "BALAGH_OTP_PER_CLIENT",
        COUNT,
        20,
        "one-time codes asked for from one client address per hour",
        group=TWILIO,
    )
    twilio_api_base: str = _var(
        "TWILIO_API_BASE",
        HTTP_URL,
        "https://api.twilio.com",
        "Twilio API base (tests point it at a local fake)",
        group=TWILIO,
    )
    twilio_whatsapp_templates: dict = _var(
        "TWILIO_WHATSAPP_TEMPLATES",
        TEMPLATES,
        {},
        "notification kind → approved template `content_sid`, for notifications outside"
        " WhatsApp's 24-hour window",
        group=TWILIO,
        shown="`{}`",
    )
    twilio_retry_delay: float = _var(
        "TWILIO_RETRY_DELAY",
        SECONDS,
        0.5,
        "first retry delay of a failed send (doubles each attempt, up to a minute)",
        group=TWILIO,
    )
    twilio_retry_window: float = _var(
        "TWILIO_RETRY_WINDOW",
        SECONDS,
        1800.0,
        "how long a reply Twilio cannot take (5xx, 429, the network) keeps being retried,"
        " the recipient's later replies waiting behind it in order, before it is recorded as"
        " failed",
        group=TWILIO,
    )
    twilio_media_timeout: float = _var(
        "TWILIO_MEDIA_TIMEOUT",
        SECONDS,
        10.0,
        "seconds allowed to fetch a message's WhatsApp media (Twilio gives up on a webhook"
        " after 15 s)",
        group=TWILIO,
        shown="`10`",
    )
    cluster_port: int = _var(
        "BALAGH_CLUSTER_PORT",
        PORT,
        8000,
        "the port nginx listens on in front of the replicas",
        group=CLUSTER,
    )
    cluster_internal_port: int = _var(
        "BALAGH_CLUSTER_INTERNAL_PORT",
        PORT,
        8001,
        "nginx's internal listener (loopback) through which the desk reaches the replicas",
        group=CLUSTER,
    )
    cluster_replica_ports: tuple[int, ...] = _var(
        "BALAGH_CLUSTER_REPLICA_PORTS",
        PORTS,
        (),
        "the replicas' ports, one per replica",
        group=CLUSTER,
        shown="`BALAGH_RASA_PORT` and the next ports",
    )
    cluster_dir: Path = _var(
        "BALAGH_CLUSTER_DIR",
        PATH,
        VAR / "cluster",
        "logs, rendered configuration and `state.json`",
        group=CLUSTER,
        shown="`var/cluster`",
    )
    nginx: str = _var(
        "BALAGH_NGINX",
        TEXT,
        "nginx",
        "the nginx binary `balagh cluster` runs (`make cluster` sets `/usr/sbin/nginx`)",
        group=CLUSTER,
        shown="`nginx` on the `PATH`",
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def refuse_any_origin(self, command: str) -> None:
        """Production topologies name the widget's origins: `*` would let any site's
        scripts talk to Rasa with the visitor's credentials."""
        if "*" in self.webchat_origins:
            raise SystemExit(
                f"{command}: BALAGH_WEBCHAT_ORIGINS must list the widget's origins, not `*`"
            )

    def codes_sender(self) -> str:
        """Where one-time codes go: Twilio Verify, or the development outbox."""
        if self.twilio_verify_service_sid and self.twilio_account_sid:
            return f"Twilio Verify ({self.twilio_verify_service_sid[:6]}…)"
        return f"the development outbox {self.otp_outbox} (no SMS is sent)"

    def refuse_outbox_codes(self, command: str) -> None:
        """Production topologies send codes by SMS: without Twilio Verify a citizen could
        never confirm a mobile. Only an outbox named on purpose (`BALAGH_OTP_OUTBOX`, as the
        tests and the benchmark do) is accepted instead."""
        if self.twilio_verify_service_sid and self.twilio_account_sid:
            return
        if os.environ.get("BALAGH_OTP_OUTBOX"):
            return
        raise SystemExit(
            f"{command}: one-time codes need a real sender: set TWILIO_ACCOUNT_SID,"
            " TWILIO_AUTH_TOKEN and TWILIO_VERIFY_SERVICE_SID (or name a development outbox"
            " with BALAGH_OTP_OUTBOX on purpose)"
        )

    def generate_secrets(self) -> None:
        """Create every generated secret before child processes start (so that none of
        them races another to write the file)."""
        for secret in (
            self.internal_token,
            self.rasa_api_token,
            self.actions_token,
            self.webchat_secret,
            self.data_key,
            self.code_secret,
            self.link_secret,
        ):
            secret.value()


_NAMES = tuple(f.name for f in fields(Settings))
SPECS: tuple[Spec, ...] = tuple(f.metadata["spec"] for f in fields(Settings))
# The variables `Settings` is read from: the settings are remembered per set of their values.
VARIABLES: tuple[str, ...] = tuple(spec.variable for spec in SPECS)
_dotenv_read = False


def load_settings() -> Settings:
    """The settings of the environment as it is now, checked (`SettingsError` names the
    first wrong variable). Remembered while the variables keep their values: cheap to call
    again (tests change the environment between runs). The `.env` file is read once per
    process: it only fills variables not already set."""
    global _dotenv_read
    if not _dotenv_read:
        load_dotenv(ROOT / ".env", override=False)
        _dotenv_read = True
    return _settings_from(tuple(map(os.environ.get, VARIABLES)))


def settings_or_exit(process: str) -> Settings:
    """The settings at a process's start: a wrong value stops it with one line."""
    try:
        return load_settings()
    except SettingsError as wrong:
        raise SystemExit(f"{process}: {wrong}") from None


@functools.lru_cache(maxsize=16)
def _settings_from(values: tuple[str | None, ...]) -> Settings:
    read: dict[str, Any] = {}
    for name, spec, raw in zip(_NAMES, SPECS, values, strict=True):
        if raw is None or not raw.strip():
            default = spec.default
            read[name] = default(read) if callable(default) else default
            continue
        try:
            read[name] = spec.kind.parse(raw.strip())
        except ValueError:
            shown = f", not {_masked(raw)!r}" if spec.kind.shows_value else ""
            raise SettingsError(f"{spec.variable} must be {spec.kind.expect}{shown}") from None
    return Settings(**read)


def _masked(value: str) -> str:
    """A value as an error may repeat it: a URL's password hidden."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", value)


# Variables documented with Balagh's: Rasa's, compose's and the tests' own.
OTHER_VARIABLES = (
    (
        "RASA_TELEMETRY_ENABLED",
        "`false` (set by the Makefile and `balagh run`)",
        "Rasa must not phone home",
    ),
    ("RASA_ENVIRONMENT", "unset", "the `app_id` of every event the relay publishes to RabbitMQ"),
    (
        "`POSTGRES_PASSWORD`, `RABBITMQ_PASSWORD`",
        "none: compose refuses to start",
        "compose only: the database and broker passwords (from `.env`)",
    ),
    (
        "BALAGH_TEST_POSTGRES_URL",
        "`postgresql://postgres@127.0.0.1:5432/postgres`",
        "tests only: the server where each test creates and drops its own database",
    ),
    (
        "BALAGH_CHROMIUM",
        "`/usr/bin/chromium`",
        "tests only: the browser Playwright drives (`make test` installs Debian's `chromium`)",
    ),
)

DOC_INTRO = """\
# Configuration

<!-- Generated from bot/settings.py by `python -m bot.settings > docs/configuration.md`:
edit the declarations there, not this file (tests/unit/test_settings.py checks it). -->

Everything is configured with environment variables; a `.env` file in the project folder is read
when present (variables already set win). An empty value is the same as an unset one. The same
code runs embedded (`make run`: SQLite, no other service) and in production; only these variables
change (see [operations](operations.md)). Secrets and what happens when they are unset:
[security](security.md#secrets).

Each process (`balagh run` and the other commands, the desk, the action server, the Rasa server)
reads and checks every variable when it starts (`bot/settings.py`): a wrong value stops it with
one line naming the variable, e.g. `balagh desk: BALAGH_DESK_PORT must be a port number
(1-65535), not '80a'`.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _shown_default(spec: Spec) -> str:
    if spec.shown is not None:
        return spec.shown
    default = spec.default
    if default in ("", (), None):
        return "unset"
    if isinstance(default, float) and default.is_integer():
        default = int(default)
    return f"`{default}`"


def configuration_markdown() -> str:
    """docs/configuration.md: every variable by group, then those Balagh does not read."""
    lines = [DOC_INTRO]
    for group in GROUPS:
        specs = [spec for spec in SPECS if spec.group == group]
        lines += [f"## {group}", "", "| variable | type | default | meaning |", "|---|---|---|---|"]
        lines += [
            f"| `{s.variable}` | {_cell(s.kind.label)} | {_cell(_shown_default(s))} "
            f"| {_cell(s.meaning)} |"
            for s in specs
        ]
        lines.append("")
    lines += ["## Other variables (not Balagh's own)", "", "| variable | default | meaning |"]
    lines.append("|---|---|---|")
    for name, default, meaning in OTHER_VARIABLES:
        shown = name if name.startswith("`") else f"`{name}`"
        lines.append(f"| {shown} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(configuration_markdown(), end="")
