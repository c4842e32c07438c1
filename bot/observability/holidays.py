"""The start-up warning of the desk and the action server when the holidays file
(`resources/holidays.yml`, `BALAGH_HOLIDAYS_FILE`) does not cover the next 12 months."""

from __future__ import annotations

import logging

from bot import clock
from bot.rules.working_days import coverage_warning, load_calendar
from bot.settings import load_settings

logger = logging.getLogger("bot.holidays")


def warn_if_short() -> str | None:
    """Log (WARNING) and return the warning, or None when the file covers the next year."""
    file = load_settings().holidays_file
    try:
        warning = coverage_warning(load_calendar(file), clock.today(), file)
    except (OSError, ValueError) as failure:
        warning = f"{file} cannot be read: {failure}"
    if warning:
        logger.warning(warning)
    return warning
