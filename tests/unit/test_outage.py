"""Never silent (`bot/server/patches/outage.py`): a citizen's message whose stores fail gets
the one apology on its own channel, nothing else; the fail-safe tracker store raises
instead of starting the conversation over. The real processes: tests/cluster."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rules.sms_text import for_sms, sms_segments
from bot.server import patches
from bot.server.locking import AtomicRedisLockStore
from bot.server.patches.action_calls import APOLOGISED, APOLOGY_RESPONSE, FALLBACK_APOLOGY
from bot.server.patches.outage import StoreUnavailable, answer, apology_text
from tests.e2e.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _responses() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain" / "core.yml").read_text(encoding="utf-8"))["responses"]


class _Domain:
    responses = _responses()


class _Agent:
    domain = _Domain()

    def __init__(self, failure: Exception | None = None, reply: str = "أهلًا") -> None:
        self.failure, self.reply = failure, reply

    async def handle_message(self, message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, self.reply)
        if self.failure is not None:
            raise self.failure


class _Recorded(OutputChannel):
    def __init__(self, name: str) -> None:
        self._name, self.sent = name, []

    def name(self) -> str:
        return self._name

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.sent.append(text)


def _message(output: OutputChannel, channel: str) -> UserMessage:
    return UserMessage("مرحبا", output, "rest:someone", input_channel=channel)


def test_the_apology_says_nothing_was_saved_in_one_sms_segment() -> None:
    responses = _responses()
    for channel in ("rest", "webchat", "whatsapp", "sms"):
        text = apology_text(responses, channel)
        assert "يُحفظ" in text and "أعد إرسال" in text
        assert sms_segments(for_sms(text)) == 1
    assert [v["text"] for v in responses[APOLOGY_RESPONSE]] == [FALLBACK_APOLOGY]  # one wording
    assert apology_text({}, "sms") == FALLBACK_APOLOGY
    channel_first = {APOLOGY_RESPONSE: [{"text": "عام"}, {"channel": "sms", "text": "قصير"}]}
    assert apology_text(channel_first, "sms") == "قصير"
    assert apology_text(channel_first, "rest") == "عام"


def test_a_failed_message_gets_the_apology_on_its_channel() -> None:
    failure = LockError("Redis is down")
    # REST: the collected answer is the apology alone (a partial reply is dropped).
    collector = CollectingOutputChannel()
    asyncio.run(answer(_Agent(failure), _message(collector, "rest")))
    assert [m["text"] for m in collector.messages] == [FALLBACK_APOLOGY]
    # Streaming channels: the apology follows; SMS gets the same text.
    for channel in ("webchat", "whatsapp", "sms"):
        output = _Recorded(channel)
        asyncio.run(answer(_Agent(failure), _message(output, channel)))
        assert output.sent == ["أهلًا", FALLBACK_APOLOGY]
    # Handled: nothing added.
    collector = CollectingOutputChannel()
    asyncio.run(answer(_Agent(), _message(collector, "rest")))
    assert [m["text"] for m in collector.messages] == ["أهلًا"]
    # Not a citizen's channel (the desk's bridge): the error, so the desk retries.
    with pytest.raises(LockError):
        asyncio.run(answer(_Agent(failure), _message(CollectingOutputChannel(), "handoff")))


def test_the_apology_is_not_sent_twice() -> None:
    class ApologisingAgent(_Agent):
        async def handle_message(self, message: UserMessage) -> None:
            await message.output_channel.send_text_message(message.sender_id, FALLBACK_APOLOGY)
            APOLOGISED.set(True)  # as the action server's turn guard does
            raise StoreUnavailable("and then the save failed")

    output = _Recorded("whatsapp")
    asyncio.run(answer(ApologisingAgent(), _message(output, "whatsapp")))
    assert output.sent == [FALLBACK_APOLOGY]
    assert APOLOGISED.get() is False


def test_the_fail_safe_store_raises_instead_of_falling_back() -> None:
    patches.install()

    class Down(InMemoryTrackerStore):
        async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
            raise ConnectionRefusedError("PostgreSQL is down")

        async def save(self, tracker: DialogueStateTracker) -> None:
            raise ConnectionRefusedError("PostgreSQL is down")

    fallback = InMemoryTrackerStore(None)
    store = FailSafeTrackerStore(Down(None), fallback_tracker_store=fallback)
    with pytest.raises(StoreUnavailable):
        asyncio.run(store.retrieve("rest:someone"))
    with pytest.raises(StoreUnavailable):
        asyncio.run(store.save(DialogueStateTracker("rest:someone", [])))
    assert not fallback.store  # nothing kept in memory


def test_a_lock_store_without_redis_refuses_tickets_and_lets_them_expire() -> None:
    store = AtomicRedisLockStore(port=free_port())  # nothing listens there
    with pytest.raises(LockError):
        store.issue_ticket("rest:someone")
    store.cleanup("rest:someone", 0)  # the message was handled: no error for it


def test_a_twilio_reply_goes_out_when_the_store_cannot_record_it(tmp_path: Path) -> None:
    from channels.twilio_channel import TwilioConfig, TwilioSender

    class Down:
        async def run(self, *args: Any) -> Any:
            raise ConnectionRefusedError("PostgreSQL is down")

    class Messages:
        def __init__(self) -> None:
            self.sent: list[dict] = []

        async def create_async(self, **arguments: Any) -> Any:
            self.sent.append(arguments)
            return type("Sent", (), {"sid": "SM1"})()

    config = TwilioConfig("AC1", "token", "+15550001", "https://bot", media_dir=tmp_path)
    sender = TwilioSender(config, "sms", Down())  # type: ignore[arg-type]
    messages = Messages()
    sender._client = type("Client", (), {"messages": messages})()  # type: ignore[assignment]

    async def scenario() -> None:
        await sender.send("+966500000001", FALLBACK_APOLOGY)
        await sender.idle()

    asyncio.run(scenario())
    assert [m["body"] for m in messages.sent] == [FALLBACK_APOLOGY]
