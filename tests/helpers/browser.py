"""Chromium helpers: an agent signed in to the console, the widget's messages."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from bot.store.handoffs import open_handoff_of


def signed_in(browser, bot, username: str) -> Page:
    page = browser.new_page()
    page.goto(f"{bot.desk_url}/console")
    page.get_by_label("اسم المستخدم").fill(username)
    page.get_by_label("كلمة المرور").fill("correct horse battery")
    page.get_by_role("button", name="دخول").click()
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
