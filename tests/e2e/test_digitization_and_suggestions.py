"""Digitisation requests and improvement suggestions over REST, with the store checked."""

from __future__ import annotations

import shutil

import pytest
import yaml
from sqlalchemy import select

from bot.rules.catalogue import DEFAULT_CATALOGUE_FILE
from bot.store.models import Report
from channels.rest import conversation_id
from tests.e2e.conftest import running_bot
from tests.helpers.digitization import PAPER_ONLY, file_digitization, personal

pytestmark = pytest.mark.e2e

PAPER_WITH_ALTERNATIVE = "مراجعة كتابة العدل لإصدار وكالة"


def reports_of(bot, sender: str) -> list[Report]:
    with bot.store.session() as session:
        query = (
            select(Report)
            .where(Report.conversation_id == conversation_id(sender))
            .order_by(Report.id)
        )
        return list(session.execute(query).scalars())


def test_a_digitisation_request_is_filed_then_a_similar_one_refused(bot, sender):
    reply = file_digitization(bot, sender)
    [report] = reports_of(bot, sender)
    assert report.type == "digitization" and report.number in reply
    assert "طلب التحول" in reply and report.due_on.isoformat() in reply
    assert report.entity == "وزارة البلديات والإسكان" and report.service == PAPER_ONLY
    assert report.details["reason"].startswith("حتى لا")
    # The next request of the conversation offers the data given before.
    offer = bot.say(sender, "ودي اطلب تحويل خدمة ثانية ورقية")
    assert "بياناتك التي أدخلتها سابقاً" in offer and "********08" in offer
    assert "الخدمة الورقية" in bot.say(sender, "/affirm")
    bot.say(sender, "تسليم المخططات الورقيه المختومه في البلديه")
    refused = bot.say(sender, "وزاره البلديات")
    assert "طلب تحول مماثلاً" in refused and report.number in refused
    assert len(reports_of(bot, sender)) == 1


def test_digitisation_refused_when_a_digital_alternative_exists(bot, sender):
    bot.say(sender, "ابي اطلب تحويل خدمة ورقية إلى رقمية")
    personal(bot, sender, "2000000006")
    reply = bot.say(sender, PAPER_WITH_ALTERNATIVE)  # refused as soon as the service is known
    assert "متاحة رقمياً" in reply and "إصدار وكالة إلكترونية" in reply and "ناجز" in reply
    assert reports_of(bot, sender) == []


def suggest(bot, sender: str, service: str, suggestion: str, national_id: str) -> str:
    assert "اقتراح" in bot.say(sender, "عندي اقتراح لتطوير خدمة رقمية")
    personal(bot, sender, national_id)
    reply = bot.say(sender, service)
    if "المنصة" not in reply:
        return reply
    assert "أي قناة" in bot.say(sender, "ابشر")
    assert "اقتراحك" in bot.say(sender, "التطبيق")
    return bot.say(sender, suggestion)


def test_a_suggestion_is_filed_and_the_same_one_refused(bot, sender):
    idea = "إضافة تنبيه قبل انتهاء الجواز بشهر"
    summary = suggest(bot, sender, "تجديد الجواز", idea, "1000000016")
    assert "راجع بيانات اقتراح التطوير" in summary
    reply = bot.say(sender, "تأكيد")
    [report] = reports_of(bot, sender)
    assert report.type == "improvement" and report.number in reply
    assert report.service == "تجديد جواز السفر" and report.platform == "أبشر"
    assert report.description == idea and report.request_channel == "app"
    again = sender + "-again"
    refused = suggest(
        bot, again, "تجديد جواز السفر", "اقترح اضافة تنبيه قبل انتهاء الجواز", "1000000016"
    )
    assert "نفس المقترح" in refused and report.number in refused
    assert reports_of(bot, again) == []


def test_a_suggestion_for_a_paper_service_switches_to_digitisation(bot, sender):
    messages = bot.send(sender, "عندي اقتراح لتطوير خدمة")
    personal(bot, sender, "1000000024")
    messages = bot.send(sender, PAPER_ONLY)
    text = messages[0]["text"]
    assert "خدمة ورقية" in text
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_digitization", "/deny"]
    switched = bot.say(sender, "/request_digitization")
    assert PAPER_ONLY in switched and "وزارة البلديات والإسكان" in switched
    assert "كيف تتم الخدمة اليوم" in switched  # name, ID, mobile, service, entity carried over
    bot.say(sender, "مراجعة حضورية للبلدية مع المخططات")
    assert "راجع بيانات طلب التحول" in bot.say(sender, "لتوفير الوقت")
    bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    assert report.type == "digitization" and report.national_id == "1000000024"


def test_a_complaint_about_a_paper_service_switches_and_no_can_stop(bot, sender):
    bot.say(sender, "ابي اصعد شكوى")
    personal(bot, sender, "1000000032")
    bot.say(sender, "3")
    bot.say(sender, "وزارة البلديات")
    bot.say(sender, "بلدي")
    reply = bot.say(sender, PAPER_ONLY)
    assert "لا يمكن تصعيد شكوى على خدمة ورقية" in reply
    assert "كيف أقدر أساعدك" in bot.say(sender, "/deny")
    assert reports_of(bot, sender) == []
    assert bot.tracker(sender)["slots"]["carry_over"]["service"] == PAPER_ONLY


def test_unknown_names_are_accepted_and_flagged_for_review(bot, sender):
    bot.say(sender, "ابي اطلب تحويل خدمة ورقية إلى رقمية")
    personal(bot, sender, "1000000040")
    bot.say(sender, "ختم شهادة النخيل الورقية")
    bot.say(sender, "هيئة النخيل والتمور الافتراضية")
    bot.say(sender, "أراجع المكتب بالشهادة الورقية لختمها يدوياً")
    bot.say(sender, "لأن المراجعة تأخذ يوم كامل")
    bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    assert report.needs_review
    assert set(report.details["review_flags"]) == {"unknown_service", "unknown_entity"}
    assert report.entity == "هيئة النخيل والتمور الافتراضية"


@pytest.fixture(scope="module")
def catalogue_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("catalogue")
    catalogue = work / "catalogue.yml"
    shutil.copy(DEFAULT_CATALOGUE_FILE, catalogue)
    with running_bot(
        work,
        f"sqlite:///{work / 'reports.db'}",
        f"sqlite:///{work / 'conversations.db'}",
        {"BALAGH_CATALOGUE_FILE": str(catalogue)},
    ) as running:
        yield running, catalogue


def test_the_catalogue_is_extended_by_editing_the_data_file_only(catalogue_bot, sender):
    bot, catalogue = catalogue_bot
    first, second = sender + "-1", sender + "-2"
    for who, national_id in ((first, "1000000057"), (second, "1000000065")):
        bot.say(who, "ابي اطلب تحويل خدمة ورقية إلى رقمية")
        personal(bot, who, national_id)
    assert "الجهة" in bot.say(first, "تسجيل المركبات الزراعية ورقياً")
    data = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    data["entities"].append(
        {
            "key": "mewa_test",
            "name": "وزارة البيئة والمياه والزراعة",
            "aliases": ["وزارة الزراعة"],
            "platforms": [{"key": "naama_test", "name": "نماء", "aliases": ["منصة نماء"]}],
            "services": [
                {
                    "name": "تسجيل المركبات الزراعية ورقياً",
                    "digital": False,
                    "digital_alternative": {
                        "name": "تسجيل المركبات الزراعية إلكترونياً",
                        "where": "منصة نماء ← الخدمات",
                    },
                }
            ],
        }
    )
    catalogue.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    reply = bot.say(second, "تسجيل المركبات الزراعية ورقيا")
    assert "متاحة رقمياً" in reply and "منصة نماء" in reply


def test_a_complaint_about_a_paper_service_switches_with_answers_carried(bot, sender):
    bot.say(sender, "ابي اصعد شكوى")
    personal(bot, sender, "1000000073")
    bot.say(sender, "3")
    bot.say(sender, "وزارة العدل")
    bot.say(sender, "ناجز")
    bot.say(sender, "تسليم أصول المستندات ورقياً لدى المحكمة")
    switched = bot.say(sender, "/request_digitization")
    assert "وزارة العدل" in switched and "كيف تتم الخدمة اليوم" in switched
    bot.say(sender, "أسلم الأصول ورقياً في المحكمة")
    bot.say(sender, "لتجنب المراجعة الحضورية")
    assert "تم تقديم بلاغك" in bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    assert (report.type, report.national_id, report.entity) == (
        "digitization",
        "1000000073",
        "وزارة العدل",
    )
