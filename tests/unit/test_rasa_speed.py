"""`bot.server.patches.speed` gives Rasa's own results: each patch against the code it replaces."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.server import patches
from bot.server.patches import speed

ROOT = Path(__file__).resolve().parents[2]
FORM = "improvement_form"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def _user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9}, [], {"text": text})


def conversation(domain: Domain) -> DialogueStateTracker:
    """A suggestion being filed: the form starts, takes answers (its turns fold), is
    interrupted by a question, rejected once and resumed."""
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        _user("عندي اقتراح", "suggest_improvement"),
        ActionExecuted(FORM),
        ActiveLoop(FORM),
        SlotSet("requested_slot", "beneficiary_name"),
        BotUttered("ما اسمك؟"),
        ActionExecuted("action_listen"),
        _user("سارة عبدالله", "inform"),
        SlotSet("beneficiary_name", "سارة عبدالله"),
        ActionExecuted(FORM),
        SlotSet("requested_slot", "national_id"),
        BotUttered("رقم الهوية؟"),
        ActionExecuted("action_listen"),
        _user("كم يستغرق الرد؟", "faq"),
        ActionExecutionRejected(FORM),
        ActionExecuted("utter_faq"),
        BotUttered("خمسة أيام عمل"),
        ActionExecuted(FORM),
        SlotSet("requested_slot", "national_id"),
        ActionExecuted("action_listen"),
        _user("1234", "inform"),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        _user("1012345678", "inform"),
        SlotSet("national_id", "1012345678"),
        ActionExecuted(FORM),
        SlotSet("requested_slot", "mobile"),
    ]
    return DialogueStateTracker.from_events("citizen", events, domain.slots)


def _observable(tracker: DialogueStateTracker) -> dict[str, Any]:
    return {
        "state": speed.RASA_CURRENT_STATE(tracker, EventVerbosity.ALL),
        "slots_set": {name: slot.has_been_set for name, slot in tracker.slots.items()},
        "events": list(tracker.events),
    }


def test_a_copy_is_the_replayed_copy_and_independent(domain: Domain) -> None:
    tracker = conversation(domain)
    tracker.update(SlotSet("mobile", "0551234567"))
    ours, rasas = speed.copy_tracker(tracker), tracker.travel_back_in_time(float("inf"))
    assert _observable(ours) == _observable(rasas)
    assert ours.active_loop is not tracker.active_loop
    ours.update(SlotSet("service", "تجديد الجواز"))
    ours.update(ActionExecutionRejected(FORM))
    assert tracker.get_slot("service") is None and not tracker.active_loop.rejected
    assert len(tracker.events) == len(ours.events) - 2


@pytest.mark.parametrize("ignore_rule_only_turns", [False, True])
def test_history_states_are_rasas(domain: Domain, ignore_rule_only_turns: bool) -> None:
    tracker = conversation(domain)
    rule_only = {"slots": ["requested_slot"], "loops": [FORM]}
    for data in (None, rule_only):
        for _ in range(2):  # the second time from the kept snapshots
            ours = speed.states_for_tracker_history(
                domain, tracker, False, ignore_rule_only_turns, data
            )
            rasas = speed.RASA_STATES_FOR_TRACKER_HISTORY(
                domain, tracker, False, ignore_rule_only_turns, data
            )
            assert ours == rasas and len(ours) > 3
            ours[-1].clear()  # callers may edit what they get


def test_snapshots_follow_new_events(domain: Domain) -> None:
    tracker = conversation(domain)
    before = speed.states_for_tracker_history(domain, tracker)
    tracker.update(BotUttered("رقم الجوال؟"))
    tracker.update(ActionExecuted("action_listen"))
    after = speed.states_for_tracker_history(domain, tracker)
    assert after == speed.RASA_STATES_FOR_TRACKER_HISTORY(domain, tracker)
    assert after != before
    omitted = speed.states_for_tracker_history(domain, tracker, omit_unset_slots=True)
    assert omitted == speed.RASA_STATES_FOR_TRACKER_HISTORY(domain, tracker, True)


def test_current_state_is_rasas(domain: Domain) -> None:
    tracker = conversation(domain)
    for verbosity in EventVerbosity:
        assert speed.current_state(tracker, verbosity) == speed.RASA_CURRENT_STATE(
            tracker, verbosity
        )
    assert speed.current_state(tracker)["active_loop"]["name"] == FORM


def test_empty_domain_check_is_rasas(domain: Domain) -> None:
    assert speed.is_empty(domain) is False
    assert speed.is_empty(Domain.empty()) is True


def test_broker_log_copy_drops_parse_data_only() -> None:
    event = _user("مرحبا", "greet").as_dict()
    reduced = speed._lazy_remove_parse_data(event)
    assert reduced == speed.RASA_REMOVE_PARSE_DATA(event)
    assert "parse_data" in event and "parse_data" not in reduced


def test_rule_matches_are_remembered_per_states() -> None:
    calls: list[int] = []

    def possible_keys(policy: Any, lookup: dict, states: list) -> set[str]:
        calls.append(len(states))
        return {key for key in lookup if key.startswith(str(len(states)))}

    cached = speed._memoized_possible_keys(possible_keys)
    policy = type("Policy", (), {})()
    lookup = {"1a": "x", "2b": "y"}
    one = [{"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}}]
    same = [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]
    assert cached(policy, lookup, one) == {"1a"}
    found = cached(policy, lookup, same)
    assert found == {"1a"} and calls == [1]
    found.add("mine")  # the caller's copy
    assert cached(policy, lookup, one) == {"1a"}
    assert cached(policy, lookup, one + one) == {"2b"} and calls == [1, 2]
    unhashable = [{"slots": {"items": ["a"]}}]
    cached(policy, lookup, unhashable)
    cached(policy, lookup, unhashable)
    assert calls == [1, 2, 1, 1]


def test_debug_log_copies_only_in_log_lines() -> None:
    """Where `copy.deepcopy` is made lazy, Rasa uses it only for structlog arguments."""
    for module in speed.DEBUG_LOG_COPY_MODULES:
        tree = ast.parse(inspect.getsource(module))
        logged = {
            id(keyword.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "structlogger"
            for keyword in node.keywords
        }
        copies = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "deepcopy"
        ]
        assert copies, module.__name__
        assert all(id(node) in logged for node in copies), module.__name__


class Add(GraphComponent):
    """A node that adds its inputs to its config's number."""

    def __init__(self, number: int) -> None:
        self.number = number

    @classmethod
    def create(cls, config: dict, model_storage: Any, resource: Any, execution_context: Any):  # noqa: ANN206
        return cls(config["number"])

    def add(self, **inputs: Any) -> int:
        if self.number < 0:
            raise RuntimeError("negative")
        return self.number + sum(inputs.values())


def _runner(tmp_path: Path, fail: bool = False) -> DaskGraphRunner:
    def node(number: int, **needs: str) -> SchemaNode:
        return SchemaNode(needs, Add, "create", "add", {"number": number})

    schema = GraphSchema(
        {
            "a": node(1, x="__x__"),
            "b": node(-1 if fail else 10, first="a"),
            "c": node(100, first="a", second="b"),
            "unused": node(1000, first="c"),
        }
    )
    context = ExecutionContext(schema, "test")
    return DaskGraphRunner.create(schema, LocalModelStorage(tmp_path), context)


def test_graph_runs_as_with_dask(tmp_path: Path) -> None:
    runner = _runner(tmp_path)
    for targets in (["c"], ["b", "a"], None):
        ours = speed.run_graph(runner, {"__x__": 5}, targets)
        assert ours == speed.RASA_RUN_GRAPH(runner, {"__x__": 5}, targets)
    assert speed.run_graph(runner, {"__x__": 5}, ["c"]) == {"c": 100 + 6 + 16}
    with pytest.raises(GraphRunError):
        speed.run_graph(runner, {"__x__": "a"}, ["c"])
    failing = _runner(tmp_path, fail=True)
    for run in (speed.run_graph, speed.RASA_RUN_GRAPH):
        with pytest.raises(GraphComponentException, match="node b"):
            run(failing, {"__x__": 5}, ["c"])


def test_slot_copies_are_copy_copy(domain: Domain) -> None:
    import copy

    tracker = conversation(domain)
    assert {type(slot) for slot in tracker.slots.values()} == {type(slot) for slot in domain.slots}
    assert all(speed._is_plain(type(slot)) for slot in domain.slots)  # the fast way
    for slot in tracker.slots.values():
        ours, theirs = speed.shallow_copy(slot), copy.copy(slot)
        assert type(ours) is type(theirs) and ours.__dict__ == theirs.__dict__
        assert ours is not slot
        ours.value = "changed"
        assert slot.value != "changed"
    # trackers copy slots only with `copy.copy` (the patched name)
    source = inspect.getsource(speed.rasa_trackers)
    assert "copy.deepcopy" not in source and source.count("copy.copy(") == 1


def test_applied_events_continue_rasas_fold(domain: Domain) -> None:
    """Every prefix of a conversation with folds, reverts, a restart and a second form:
    the remembered fold gives what Rasa's whole fold gives."""
    full = list(conversation(domain).events) + [
        ActionExecuted("action_listen"),
        _user("0551234567", "inform"),
        SlotSet("mobile", "0551234567"),
        ActionExecuted(FORM),
        ActionReverted(),
        ActionExecuted(FORM),
        ActiveLoop(None),
        ActionExecuted("action_listen"),
        _user("أريد تقديم شكوى", "file_complaint"),
        ActionExecuted("complaint_form"),
        ActiveLoop("complaint_form"),
        ActionExecuted("action_listen"),
        _user("نعم", "affirm"),
        ActionExecuted("complaint_form"),
        Restarted(),
        ActionExecuted("action_listen"),
        _user("مرحبا", "greet"),
    ]
    tracker = DialogueStateTracker("citizen", domain.slots)
    checked = 0
    for event in full:
        tracker.update(event)
        expected = speed.RASA_APPLIED_EVENTS(tracker)
        assert speed.applied_events(tracker) == expected
        checked += len(expected)
    assert checked > 200
    speed.applied_events(tracker).clear()  # a caller's copy
    assert speed.applied_events(tracker) == speed.RASA_APPLIED_EVENTS(tracker)


def test_a_forms_temporary_tracker_is_rasas(domain: Domain) -> None:
    from rasa.core.actions.forms import FormAction

    form = FormAction(FORM, None)
    original = speed.RASA_TEMPORARY_TRACKER
    ours_of = speed._temporary_form_tracker(original)
    added = [SlotSet("mobile", "0551234567"), SlotSet("requested_slot", "service")]

    def timeless(tracker: DialogueStateTracker) -> dict[str, Any]:
        """What is observable, but the times of the two events each way creates."""
        seen = _observable(tracker)
        for event in seen["state"]["events"]:
            event.pop("timestamp")
        seen["state"].pop("latest_event_time")
        return seen

    tracker = conversation(domain)
    ours, theirs = ours_of(form, tracker, added, domain), original(form, tracker, added, domain)
    assert timeless(ours) == timeless(theirs)
    assert ours.get_slot("mobile") == "0551234567" and tracker.get_slot("mobile") is None
    tracker.update(Restarted())
    tracker.update(ActionExecuted("action_listen"))
    restarted = ours_of(form, tracker, added, domain)
    assert timeless(restarted) == timeless(original(form, tracker, added, domain))
    assert len(restarted.events) < len(tracker.events)


def test_the_loaded_model_is_frozen_out_of_the_collector() -> None:
    import asyncio
    import gc

    async def load(*args: Any) -> str:
        return "agent"

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    assert asyncio.run(speed._frozen_after(load)("model", None)) == "agent"
    assert gc.get_freeze_count() > 1000
    gc.unfreeze()
    patches.install()
    from rasa.core import run as rasa_run

    assert rasa_run.load_agent_on_start.__name__ == "load_then_freeze"


def test_a_continued_replay_gives_rasas_states(domain: Domain) -> None:
    """Small talk grows the history without undoing anything: the replay is continued, and
    after a revert it starts again; the states are Rasa's every time."""
    tracker = conversation(domain)
    tracker.update(ActiveLoop(None))
    for turn in range(6):
        kept = tracker.__dict__.get("_balagh_replay")
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(_user(f"شكرا {turn}", "thank"))
        tracker.update(ActionExecuted("utter_thank"))
        tracker.update(BotUttered("العفو"))
        for ignore in (False, True):
            assert speed.states_for_tracker_history(
                domain, tracker, False, ignore
            ) == speed.RASA_STATES_FOR_TRACKER_HISTORY(domain, tracker, False, ignore)
        if turn > 0:
            assert tracker.__dict__["_balagh_replay"] is kept  # continued, not redone
    tracker.update(UserUtteranceReverted())
    assert speed.states_for_tracker_history(
        domain, tracker
    ) == speed.RASA_STATES_FOR_TRACKER_HISTORY(domain, tracker)


@pytest.fixture(scope="module")
def trained_domain() -> Domain:
    """The domain as training sees it (with the FAQ's retrieval action from the NLU data)."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain"), training_data_paths=[str(ROOT / "data")]
    )
    return importer.get_domain()


@pytest.fixture(scope="module")
def rule_policy(trained_domain: Domain, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The rule policy trained on the project's rules (a few seconds)."""
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.training import load_data
    from rasa.engine.storage.resource import Resource

    domain = trained_domain
    patches.install()
    storage = LocalModelStorage(tmp_path_factory.mktemp("rules"))
    config = {**RulePolicy.get_default_config(), "restrict_rules": True}
    policy = RulePolicy.create(
        config, storage, Resource("rules"), ExecutionContext(GraphSchema({}), "test")
    )
    policy.train(load_data(str(ROOT / "data" / "rules"), domain, augmentation_factor=0), domain)
    return policy


def _long_conversation(domain: Domain) -> list:
    """Thirty turns of small talk, the interrupted form of `conversation`, then more."""
    small_talk = []
    for turn in range(30):
        intent, answer = [("greet", "utter_greet"), ("thank", "utter_you_are_welcome")][turn % 2]
        small_talk += [
            _user("مرحبا" if intent == "greet" else "شكرا", intent),
            ActionExecuted(answer),
            BotUttered("…"),
            ActionExecuted("action_listen"),
        ]
    form = list(conversation(domain).events)
    return form[:3] + small_talk + form[3:] + small_talk[:20]


def test_the_rule_policy_predicts_from_its_rules_length_as_from_the_whole_history(
    trained_domain: Domain, rule_policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At every step of a long conversation, the rule policy given the states of its
    longest rule's length predicts what it predicts from the whole history."""
    from rasa.core.policies.rule_policy import RulePolicy

    domain = trained_domain
    events = _long_conversation(domain)
    horizon = speed._rule_horizon(rule_policy)
    steps = [
        n for n, event in enumerate(events, 1) if isinstance(event, ActionExecuted | UserUttered)
    ]
    assert 2 < horizon < len(steps) // 4  # the long history is really cut

    def predictions() -> list[tuple]:
        found = []
        for n in steps:
            tracker = DialogueStateTracker.from_events("citizen", events[:n], domain.slots)
            prediction = rule_policy.predict_action_probabilities(tracker, domain)
            found.append(
                (
                    prediction.probabilities,
                    prediction.events,
                    prediction.optional_events,
                    prediction.action_metadata,
                )
            )
        return found

    ours = predictions()
    tracker = DialogueStateTracker.from_events("citizen", events, domain.slots)
    assert len(rule_policy._prediction_states(tracker, domain)) == horizon
    monkeypatch.setattr(RulePolicy, "_prediction_states", speed.RASA_PREDICTION_STATES)
    rule_policy.__dict__.pop("_balagh_rule_keys", None)
    assert len(rule_policy._prediction_states(tracker, domain)) > 4 * horizon
    assert ours == predictions()
    assert any(max(probabilities) > 0 for probabilities, *_ in ours)  # rules did apply
