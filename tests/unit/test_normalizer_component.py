"""The Rasa graph components around the pipeline: normalise first, restore last."""

from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.server.nlu.normalizer import ArabicNormalizer, ArabicOffsetRestorer


def make(cls):
    return cls.create({}, None, None, None)


def test_training_examples_and_their_entities_are_normalised():
    text = "أُريد متابعة بلاغ رقم ٢٦٠٠٠٠١٢٣"
    start = text.index("٢")
    example = Message(
        data={
            "text": text,
            "intent": "check_status",
            "entities": [
                {"start": start, "end": len(text), "value": "٢٦٠٠٠٠١٢٣", "entity": "report_number"}
            ],
        }
    )
    data = TrainingData([example], lookup_tables=[{"name": "platform", "elements": ["أبشر"]}])
    make(ArabicNormalizer).process_training_data(data)
    assert example.get("text") == "اريد متابعه بلاغ رقم 260000123"
    entity = example.get("entities")[0]
    assert example.get("text")[entity["start"] : entity["end"]] == "260000123"
    assert "ابشر" in data.lookup_tables[0]["elements"]


def test_messages_are_normalised_then_restored_with_original_offsets():
    text = "شكوى على أَبْشَـــر"
    message = Message(data={"text": text})
    make(ArabicNormalizer).process([message])
    assert message.get("text") == "شكوي علي ابشر"
    normalised = message.get("text")
    start = normalised.index("ابشر")
    message.set(
        "entities", [{"start": start, "end": start + 4, "entity": "platform", "value": "ابشر"}]
    )
    make(ArabicOffsetRestorer).process([message])
    assert message.get("text") == text
    entity = message.get("entities")[0]
    assert text[entity["start"] : entity["end"]] == "أَبْشَـــر"


def test_button_payloads_are_left_for_rasa():
    payload = '/inform{"choice": "إلغاء"}'
    message = Message(data={"text": payload})
    make(ArabicNormalizer).process([message])
    assert message.get("text") == payload
