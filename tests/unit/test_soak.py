"""The soak's pure parts (`bench/soak.py`): the memory bound, the exactly-once check, the
resend rule, what counts as answered, and the chaos loop's rotation and commands through a
fake runner (nothing is stopped: the machine's services are never touched here)."""

from __future__ import annotations

import itertools
import signal

import pytest

from bench.soak import (
    APOLOGY,
    FAILED,
    REPLY,
    RESEND_DELAYS,
    SILENT,
    Attempt,
    Chaos,
    Filing,
    Ledger,
    MemoryBound,
    Message,
    Outbound,
    Restart,
    TwilioOutage,
    classify,
    exactly_once,
    is_apology,
    judge,
    markdown,
    memory_verdict,
    number_given,
    outbound_delivered,
    resend_after,
    rotation,
    unanswered,
)

APOLOGY_TEXT = "عذرًا، عطل مؤقت ولم يُحفظ شيء من رسالتك. أعد إرسالها بعد قليل."


# The memory bound.


def test_memory_within_the_bound_passes_and_growth_past_it_fails() -> None:
    bound = MemoryBound(ratio=1.3, slack_mib=50)
    steady = [600, 610, 605, 620, 615, 612, 618, 640, 630]
    verdict = memory_verdict(steady, bound)
    assert verdict.ok and verdict.first_max == 610 and verdict.last_max == 640
    assert verdict.limit == pytest.approx(1.3 * 610 + 50)
    growing = [600, 610, 605, 700, 750, 800, 850, 900, 950]
    verdict = memory_verdict(growing, bound)
    assert not verdict.ok and verdict.last_max == 950 and verdict.limit == pytest.approx(843)


def test_the_bound_is_the_first_thirds_largest_sample_plus_slack() -> None:
    """A small process may grow by the slack (50 MiB), not a large one by 30 % + 50."""
    assert memory_verdict([10, 10, 10, 40, 50, 60]).ok  # 60 <= 1.3 x 10 + 50
    assert not memory_verdict([10, 10, 10, 40, 50, 64]).ok
    assert memory_verdict([1000, 900, 1300, 1350]).ok  # thirds of one sample each end
    assert str(MemoryBound()) == "max of the last third <= 1.3 x max of the first third + 50 MiB"


def test_too_few_samples_pass() -> None:
    assert memory_verdict([]).ok and memory_verdict([100, 900]).ok


def test_a_restarted_process_starting_small_again_is_within_the_bound() -> None:
    assert memory_verdict([620, 640, 630, 150, 400, 600, 610, 620, 630]).ok


# Exactly once.


def test_every_number_given_once_and_no_other_rows_passes() -> None:
    filings = [Filing("rest:a", "260000001"), Filing("web:b", "260000002"), Filing("+9665", None)]
    rows = [("260000001", "rest:a"), ("260000002", "web:b")]
    assert exactly_once(filings, rows) == []


def test_a_report_stored_twice_for_one_conversation_is_found() -> None:
    filings = [Filing("rest:a", "260000001")]
    rows = [("260000001", "rest:a"), ("260000003", "rest:a")]
    [problem] = exactly_once(filings, rows)
    assert "rest:a" in problem and "260000003" in problem


def test_a_number_given_but_not_stored_is_found() -> None:
    [problem] = exactly_once([Filing("rest:a", "260000001")], [])
    assert "the bot gave 260000001" in problem


def test_a_row_of_no_soak_conversation_is_extra() -> None:
    [problem] = exactly_once([], [("260000009", "rest:stranger")])
    assert "rest:stranger" in problem and "no soak conversation" in problem


def test_a_filing_without_a_number_may_have_one_report_only_if_a_message_was_lost() -> None:
    rows = [("260000004", "whatsapp:+966561")]
    assert exactly_once([Filing("whatsapp:+966561", None, uncertain=True)], rows) == []
    assert exactly_once([Filing("whatsapp:+966561", None, uncertain=False)], rows)
    twice = [*rows, ("260000005", "whatsapp:+966561")]
    assert exactly_once([Filing("whatsapp:+966561", None, uncertain=True)], twice)


def test_one_number_given_to_two_conversations_is_found() -> None:
    filings = [Filing("rest:a", "260000001"), Filing("rest:b", "260000001")]
    problems = exactly_once(filings, [("260000001", "rest:a")])
    assert any("given to 2 conversations" in p for p in problems)


def test_the_number_is_read_from_the_confirmation_in_any_digits() -> None:
    assert number_given("تم تقديم بلاغك ✅\nرقم البلاغ: 260000001\nلمتابعته") == "260000001"
    assert number_given("رقم البلاغ: ٢٦٠٠٠٠٠٠٢") == "260000002"
    assert number_given("حالة البلاغ 260000001: تم الاستلام") is None


# What a citizen sees and does.


def test_replies_are_classified() -> None:
    assert classify(None) == FAILED
    assert classify([]) == SILENT and classify(["", " "]) == SILENT
    assert classify(["أهلاً"]) == REPLY
    assert classify([APOLOGY_TEXT]) == APOLOGY
    assert is_apology("عذرا، عطل مؤقت ولم يحفظ شيء من رسالتك.")  # the SMS, no diacritics


def test_the_citizen_resends_after_the_apology_or_a_loss_and_stops_when_answered() -> None:
    assert resend_after(REPLY, 1) is None
    assert resend_after(APOLOGY, 1) == RESEND_DELAYS[0]
    assert resend_after(FAILED, 2) == RESEND_DELAYS[1]
    assert resend_after(SILENT, 1) == RESEND_DELAYS[0]
    delays = list(RESEND_DELAYS)
    assert delays == sorted(delays) and 120 <= sum(delays) <= 300  # longer than an outage
    assert resend_after(APOLOGY, len(RESEND_DELAYS)) is not None
    assert resend_after(APOLOGY, len(RESEND_DELAYS) + 1) is None  # given up


def message(*attempts: tuple[float, float, str]) -> Message:
    return Message("rest", "rest:a", "مرحبا", [Attempt(s, e, o) for s, e, o in attempts])


def test_a_reply_or_the_apology_then_a_reply_is_answered() -> None:
    assert unanswered([message((0, 1, REPLY))], []) == []
    assert unanswered([message((0, 1, APOLOGY), (4, 5, REPLY))], []) == []


def test_a_message_never_answered_is_a_problem() -> None:
    [problem] = unanswered([message((0, 1, APOLOGY), (4, 5, APOLOGY))], [])
    assert "never answered" in problem


def test_a_loss_is_excused_only_while_a_killed_replica_restarts() -> None:
    lost = message((100, 101, FAILED), (104, 105, REPLY))
    killed = Restart("replica", "rasa-1", started=100.5, recovered=130)
    assert unanswered([lost], [killed]) == []
    late = message((134, 135, SILENT), (138, 139, REPLY))  # its sessions moving back
    assert unanswered([late], [killed]) == []
    much_later = message((200, 201, FAILED), (204, 205, REPLY))
    assert unanswered([much_later], [killed])
    desk = Restart("desk", "desk", started=100.5, recovered=130)  # not on the message path
    [problem] = unanswered([lost], [desk])
    assert "failed outside any restart" in problem


def test_silence_with_the_services_stopped_is_a_problem() -> None:
    """Redis or PostgreSQL away: the apology is due, never nothing."""
    silent = message((10, 11, SILENT), (14, 15, REPLY))
    redis = Restart("redis", "redis", started=9, recovered=30)
    assert unanswered([silent], [redis])


# The chaos loop, with a fake runner.


class FakeRunner:
    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.members = {
            name: {"pid": 100 + i, "restarts": 0, "stopped": False}
            for i, name in enumerate(["actions", "rasa-1", "rasa-2", "desk", "nginx"])
        }

    def state(self) -> dict:
        return {"supervisor": {"pid": 99}, **self.members}

    def signal(self, member: str, signum: int) -> None:
        self.calls.append(("signal", member, signal.Signals(signum).name))

    def service(self, name: str, action: str) -> None:
        self.calls.append((name, action))

    def twilio(self, up: bool) -> None:
        self.calls.append(("twilio", "up" if up else "down"))

    def pause(self, seconds: float) -> None:
        self.calls.append(("pause", seconds))

    def wait(self, what: str, condition, timeout: float) -> None:
        self.calls.append(("wait", what))

    def serving(self, member: str) -> bool:
        return True


def test_the_rotation_without_services_touches_only_the_clusters_processes() -> None:
    plan = list(itertools.islice(rotation(services=False), 8))
    assert plan == [
        ("replica", "rasa-1"),
        ("actions", "actions"),
        ("desk", "desk"),
        ("twilio", "twilio"),
        ("replica", "rasa-2"),
        ("actions", "actions"),
        ("desk", "desk"),
        ("twilio", "twilio"),
    ]
    assert ("twilio", "twilio") not in list(
        itertools.islice(rotation(services=False, twilio=False), 6)
    )


def test_the_rotation_with_services_restarts_one_dependency_at_a_time() -> None:
    plan = list(itertools.islice(rotation(services=True), 14))
    assert [kind for kind, _ in plan[:7]] == [
        "replica",
        "actions",
        "desk",
        "twilio",
        "redis",
        "rabbitmq",
        "postgresql",
    ]
    assert plan[0] == ("replica", "rasa-1") and plan[7] == ("replica", "rasa-2")
    assert [kind for kind, _ in plan[7:]] == [kind for kind, _ in plan[:7]]


def test_a_replica_is_killed_and_waited_for_until_it_serves() -> None:
    runner = FakeRunner()
    record = Chaos(runner).restart("replica", "rasa-2")
    assert runner.calls == [
        ("signal", "rasa-2", "SIGKILL"),
        ("wait", "rasa-2 restarted"),
        ("wait", "rasa-2 ready"),
    ]
    assert record.error is None and record.recovered is not None


@pytest.mark.parametrize("member", ["actions", "desk"])
def test_the_action_server_and_the_desk_are_stopped_then_started_by_sighup(member) -> None:
    runner = FakeRunner()
    Chaos(runner, downtime=7).restart(member, member)
    assert runner.calls == [
        ("signal", member, "SIGTERM"),
        ("wait", f"{member} stopped"),
        ("pause", 7),
        ("signal", "supervisor", "SIGHUP"),
        ("wait", f"{member} back"),
    ]


def test_redis_is_the_clusters_own_stopped_and_started() -> None:
    runner = FakeRunner()
    Chaos(runner, downtime=5).restart("redis", "redis")
    assert runner.calls == [
        ("redis", "stop"),
        ("pause", 5),
        ("redis", "start"),
        ("wait", "Redis"),
        ("wait", "rasa-1 ready"),
        ("wait", "rasa-2 ready"),
    ]


def test_rabbitmq_is_stopped_and_started_and_waited_for() -> None:
    runner = FakeRunner()
    Chaos(runner, downtime=5).restart("rabbitmq", "rabbitmq")
    assert runner.calls == [
        ("rabbitmq", "stop"),
        ("pause", 5),
        ("rabbitmq", "start"),
        ("wait", "RabbitMQ"),
    ]


def test_postgresql_is_stopped_and_started_then_the_replicas_serve_again() -> None:
    runner = FakeRunner()
    Chaos(runner, downtime=5).restart("postgresql", "postgresql")
    assert runner.calls == [
        ("postgresql", "stop"),
        ("pause", 5),
        ("postgresql", "start"),
        ("wait", "PostgreSQL"),
        ("wait", "rasa-1 ready"),
        ("wait", "rasa-2 ready"),
    ]


def test_the_first_twilio_outage_lasts_its_own_time_the_later_ones_the_downtime() -> None:
    runner = FakeRunner()
    chaos = Chaos(runner, downtime=5, twilio_outage=600)
    chaos.restart("twilio", "twilio")
    chaos.restart("twilio", "twilio")
    assert runner.calls == [
        ("twilio", "down"),
        ("pause", 600),
        ("twilio", "up"),
        ("twilio", "down"),
        ("pause", 5),
        ("twilio", "up"),
    ]


def test_a_service_is_started_again_even_when_the_pause_is_interrupted() -> None:
    class Interrupted(FakeRunner):
        def pause(self, seconds: float) -> None:
            raise KeyboardInterrupt

    runner = Interrupted()
    with pytest.raises(KeyboardInterrupt):
        Chaos(runner).restart("postgresql", "postgresql")
    assert runner.calls[-1] == ("postgresql", "start")
    runner = Interrupted()
    with pytest.raises(KeyboardInterrupt):
        Chaos(runner).restart("twilio", "twilio")
    assert runner.calls[-1] == ("twilio", "up")


def test_a_dependency_that_does_not_come_back_is_recorded() -> None:
    class NeverBack(FakeRunner):
        def wait(self, what: str, condition, timeout: float) -> None:
            raise AssertionError(f"timed out waiting for {what}")

    record = Chaos(NeverBack()).restart("replica", "rasa-1")
    assert record.recovered is None and "rasa-1 restarted" in (record.error or "")


# The figures.


def test_the_figures_and_the_verdicts_of_a_run() -> None:
    ledger = Ledger(seconds=60)
    ledger.messages = [
        Message("rest", "rest:a", "مرحبا", [Attempt(0, 0.1, REPLY, 0.1)]),
        Message("sms", "+966571", "تأكيد", [Attempt(1, 2, APOLOGY, 1), Attempt(5, 6, REPLY, 1)]),
    ]
    ledger.filings = [Filing("+966571", "260000001")]
    ledger.conversations.update({("file", "sms"): 1, ("faq", "rest"): 1})
    ledger.restarts = [Restart("replica", "rasa-1", 10, 40), Restart("desk", "desk", 50, 63)]
    ledger.memory = {"rasa-1": [600, 610, 620], "desk": [70, 70, 200]}
    verdicts = judge(ledger, [("260000001", "+966571")], MemoryBound())
    assert verdicts.problems == [] and not verdicts.ok  # the desk grew past its bound
    assert verdicts.memory["desk"].limit == pytest.approx(141)
    table = markdown(ledger, verdicts, MemoryBound(), "Soak, a test", "Machine: a test.")
    assert table.startswith("### Soak, a test\n")
    assert "| citizen messages (tries) | 2 (3), 0.0 a second |" in table
    assert "| apologies («عطل مؤقت»), the message sent again | 1 |" in table
    assert "replica 1 (30 / 30), desk 1 (13 / 13)" in table
    assert "| every filed report exactly once, no other rows | **yes** |" in table
    assert "| desk | 70 | 200 | 70 | 200 | 141 | **no** |" in table
    assert "max of the last third <= 1.3 x max of the first third + 50 MiB" in table


# The replies through Twilio: once each, in order.

A, B = "whatsapp:+966560000001", "+966570000002"


def _taken(*pairs: tuple[str, str], at: float = 1.0) -> list[tuple[float, dict]]:
    return [(at, {"To": to, "sid": sid, "Body": "…"}) for to, sid in pairs]


def test_replies_sent_once_in_order_pass() -> None:
    rows = [
        Outbound(1, A, "sent", "SM1"),
        Outbound(2, B, "sent", "SM2"),
        Outbound(3, A, "sent", "SM3"),
    ]
    taken = _taken((B, "SM2"), (A, "SM1"), (A, "SM3"), ("+966550000009", "SMX"))
    assert outbound_delivered(rows, taken, {A, B}) == []


def test_a_reply_still_waiting_or_given_up_is_a_problem() -> None:
    rows = [Outbound(1, A, "retrying", None), Outbound(2, A, "failed", None)]
    problems = outbound_delivered(rows, [], {A})
    assert len(problems) == 2 and "retrying" in problems[0] and "failed" in problems[1]


def test_a_copy_twilio_took_twice_is_a_problem() -> None:
    rows = [Outbound(1, A, "sent", "SM1")]
    problems = outbound_delivered(rows, _taken((A, "SM1"), (A, "SM9")), {A})
    assert problems == [f"Twilio took a message to {A} no row records"]


def test_an_unrecorded_reply_is_allowed_only_while_postgresql_was_down() -> None:
    rows = [Outbound(1, A, "sent", "SM1")]
    down = Restart("postgresql", "postgresql", started=100, recovered=112)
    during = _taken((A, "SM1")) + _taken((A, "SM7"), at=110.0)
    assert outbound_delivered(rows, during, {A}, [down]) == []
    after = _taken((A, "SM1")) + _taken((A, "SM7"), at=130.0)
    assert outbound_delivered(rows, after, {A}, [down]) == [
        f"Twilio took a message to {A} no row records"
    ]


def test_the_order_is_not_judged_while_postgresql_restarts_and_just_after() -> None:
    rows = [Outbound(1, A, "sent", "SM1"), Outbound(2, A, "sent", "SM2")]
    down = Restart("postgresql", "postgresql", started=100, recovered=112)
    during = _taken((A, "SM2"), at=110.0) + _taken((A, "SM1"), at=135.0)
    assert outbound_delivered(rows, during, {A}, [down]) == []
    later_on = _taken((A, "SM2"), at=180.0) + _taken((A, "SM1"), at=181.0)
    assert outbound_delivered(rows, later_on, {A}, [down]) == [
        f"{A}: Twilio took the replies out of order"
    ]


def test_replies_taken_out_of_order_are_a_problem() -> None:
    rows = [Outbound(1, A, "sent", "SM1"), Outbound(2, A, "sent", "SM2")]
    problems = outbound_delivered(rows, _taken((A, "SM2"), (A, "SM1")), {A})
    assert problems == [f"{A}: Twilio took the replies out of order"]


def test_a_citizen_waits_through_a_twilio_outage_and_a_while_after() -> None:
    outage = TwilioOutage(patience=90)
    assert not outage.waiting(now=0.0)
    outage.set(up=False)
    assert outage.waiting(now=10**9)
    outage.set(up=True)
    back = outage.ended_at
    assert outage.waiting(back + 89) and not outage.waiting(back + 91)
