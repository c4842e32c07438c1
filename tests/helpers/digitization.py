"""A digitisation request filed over REST."""

from __future__ import annotations

PAPER_ONLY = "تسليم المخططات الورقية المختومة لدى البلدية"


def personal(bot, sender: str, national_id: str = "1000000008") -> str:
    bot.say(sender, "سارة عبدالله الشهري")
    bot.say(sender, national_id)
    assert "رمز تحقق" in bot.say(sender, "0551234567")
    return bot.verify_mobile(sender)


def file_digitization(
    bot, sender: str, service: str = PAPER_ONLY, national_id: str = "1000000008"
) -> str:
    assert "تحويل خدمة ورقية" in bot.say(sender, "ابي اطلب تحويل خدمة ورقية إلى رقمية")
    assert "الخدمة الورقية" in personal(bot, sender, national_id)
    assert "الجهة الحكومية" in bot.say(sender, service)
    assert "كيف تتم الخدمة اليوم" in bot.say(sender, "وزارة البلديات")
    bot.say(sender, "أراجع البلدية بالمخططات المطبوعة والمختومة وأنتظر أسبوعاً")
    summary = bot.say(sender, "حتى لا أضطر لمراجعة البلدية وأرفع المخططات إلكترونياً")
    assert "راجع بيانات طلب التحول" in summary
    return bot.say(sender, "/affirm")
