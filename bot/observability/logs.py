"""Logs: `BALAGH_LOG_FORMAT=json` writes one JSON object per line, identifiers masked.

Each line: `time` (UTC, ISO 8601), `level`, `logger`, `process` (`desk`, `actions`, `rasa`),
`message`, and `exception` when there is one. Rasa's own structured logs (structlog, which
renders a JSON object as the message) are merged into the line rather than nested. Every
string is passed through `mask_identifiers` (national IDs, mobiles). The default (`text`)
keeps each process's usual format.

The desk and the action server call `configure` at start. Rasa configures logging itself
(coloredlogs on the root logger, Sanic's loggers, structlog, the `--log-file` handler):
`reformat` is called once Rasa's server is set up (`channels/health.py`) and gives every
handler of the root logger and of Sanic's loggers the JSON formatter.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from bot.rules.identity import mask_identifiers
from bot.settings import load_settings, settings_or_exit

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers with handlers of their own (not only the root's): Sanic's.
OWN_HANDLERS = ("sanic.root", "sanic.error", "sanic.access")
# Standard LogRecord attributes: anything else on a record came from `extra=`.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def log_format() -> str:
    """`BALAGH_LOG_FORMAT` (`bot/settings.py`): `text` (default) or `json`; a wrong
    value stops the process with one line."""
    return settings_or_exit("balagh").log_format


def masked(value: Any) -> Any:
    """`value` with every string in it masked (dicts and lists walked)."""
    if isinstance(value, str):
        return mask_identifiers(value)
    if isinstance(value, dict):
        return {str(key): masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_identifiers(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, identifiers masked."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format in someone's log call: keep what there is
            message = f"{record.msg} {record.args}"
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "process": self.process,
        }
        structured = _structured(message)
        if structured is not None:  # Rasa's structlog line: its fields, not a string of them
            line["message"] = str(structured.pop("event", ""))
            structured.pop("level", None)
            for key, value in structured.items():
                line.setdefault(key, value)
        else:
            line["message"] = message
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                line.setdefault(key, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(masked(line), ensure_ascii=False, default=str)


def _structured(message: str) -> dict[str, Any] | None:
    if not (message.startswith("{") and message.endswith("}")):
        return None
    try:
        found = json.loads(message)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def formatter(process: str) -> logging.Formatter:
    return JsonFormatter(process) if log_format() == "json" else logging.Formatter(TEXT_FORMAT)


def configure(process: str, level: str | None = None) -> None:
    """The root logger of a process we start ourselves (the desk, the action server): one
    handler on stderr, in the configured format; Sanic's loggers follow it."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(process))
    root.addHandler(handler)
    root.setLevel(level or load_settings().log_level)
    if log_format() == "json":
        reformat(process)


OWN_LOGGERS = ("bot", "channels")


def own_level() -> None:
    """Balagh's own loggers at `BALAGH_LOG_LEVEL` (default INFO), whatever the root
    logger's level: in the Rasa process an import made while the model loads
    (`numpy.distutils.log`) sets the root logger to WARNING, which silenced them."""
    level = load_settings().log_level
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)


def reformat(process: str) -> None:
    """With `BALAGH_LOG_FORMAT=json`: give every handler already installed on the root
    logger and on Sanic's loggers the JSON formatter (for processes that configured their
    logging themselves: Rasa)."""
    if log_format() != "json":
        return
    json_formatter = JsonFormatter(process)
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in OWN_HANDLERS)]
    for logger in loggers:
        for handler in logger.handlers:
            handler.setFormatter(json_formatter)
