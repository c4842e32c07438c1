"""Chromium helpers: the desk alone on a store, an agent signed in to the console, the
widget's messages."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from bot.store.handoffs import open_handoff_of
from tests.e2e.conftest import ROOT, _wait_for_desk, free_port

PASSWORD = "correct horse battery"  # every test agent's


@contextlib.contextmanager
def desk_alone(database_url: str, work: Path) -> Iterator[str]:
    """The desk process alone on `database_url` (pages that need neither Rasa nor the
    action server); its URL."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BALAGH_DATABASE_URL": database_url,
        "BALAGH_DESK_PORT": str(port),
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
    }
    log = open(work / "desk.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.desk.main"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        _wait_for_desk(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        if process.poll() is None:
            process.kill()
        log.close()


def sign_in(page: Page, username: str) -> None:
    """Fill the console's (or the supervisors' page's) sign-in form."""
    page.get_by_label("اسم المستخدم").fill(username)
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="دخول").click()


def signed_in(browser, bot, username: str) -> Page:
    page = browser.new_page()
    page.goto(f"{bot.desk_url}/console")
    sign_in(page, username)
    return page


def queue_entry(page: Page, bot, conversation: str) -> Locator:
    """The console's queue entry of `conversation`'s open hand-off: by the hand-off's id,
    since the console shows conversation ids masked."""
    handoff = open_handoff_of(bot.store, conversation)
    assert handoff is not None, f"no open hand-off for {conversation}"
    return page.locator(f"li[data-handoff='{handoff.id}']")


def bot_says(page: Page, fragment: str) -> None:
    expect(page.locator(".bl-bot", has_text=fragment).last).to_be_visible(timeout=30_000)


def send(page: Page, text: str) -> None:
    page.fill("#bl-input", text)
    page.keyboard.press("Enter")
