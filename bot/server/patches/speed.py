"""Rasa's per-message work without the parts that recompute what is already known.

Measured with py-spy on one Rasa server under 8 concurrent conversations (docs/benchmarks.md,
and docs/rasa-server.md); each patch keeps Rasa's results and is pinned by a unit test that compares
it with Rasa's own code (`tests/unit/test_rasa_speed.py`; every target is listed in
`bot.server.patches.PATCHES`):

- `DialogueStateTracker.copy` replayed every event of the conversation into a new tracker
  (the processor copies the tracker before every action), and a form validated against
  such a replay (`FormAction._temporary_tracker`). The tracker's state is a function of
  its events, so the copy takes the state as it is.
- `Domain.states_for_tracker_history` (the policies' view of the history) replayed the
  conversation once per policy and per call; a prediction asks three to four times for
  the same tracker. The replay's snapshots are kept with the tracker, reused until it gets
  a new event and continued when its applied events only grew; `applied_events` (what
  reverts, restarts and form turns leave) is likewise continued instead of refolded.
- `RulePolicy._get_possible_keys` checked every rule against every turn: its answer is
  remembered per set of states. And the rule policy built the states of the whole
  conversation for every prediction, though a rule is never checked further back than
  its own length (`_is_rule_applicable`: past it, a rule "must be applicable"): it gets
  the states of its longest rule's length, the rest was most of a long conversation's
  cost per message (turn 60 cost 1.45 times turn 5).
- The model's graph (NLU, then the policies) was scheduled by dask for every message and
  every prediction; the nodes are now called in a fixed order, computed once.
- `Domain.is_empty` rendered the whole domain to a dict and compared it with an empty
  one, for every message; a domain does not change once loaded.
- `current_state` (sent with every action call) deep-copied the form's trigger message
  through `dataclasses.asdict`; slots were copied through the pickle protocol (a tracker
  copies all of them).
- The processor, the form action, the policies and the event broker deep-copied events,
  slots, states and parse data for debug log lines even when debug logging is off.
- The garbage collector: after the model is loaded its objects are moved out of the
  collector's sight (`gc.freeze`), so the periodic full collections no longer walk them.
- `Event.resolve_by_type` walked every subclass of `Event` for every event read; the
  class of each type name is looked up once.
"""

from __future__ import annotations

import copy
import gc
import itertools
import logging
import types
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from rasa.core import processor as rasa_processor
from rasa.core import run as rasa_run
from rasa.core.actions import forms as rasa_forms
from rasa.core.actions.forms import FormAction
from rasa.core.policies import memoization as rasa_memoization
from rasa.core.policies import rule_policy as rasa_rule_policy
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core import constants as core_constants
from rasa.shared.core import events as rasa_events
from rasa.shared.core import trackers as rasa_trackers
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.utils.common import all_subclasses

logger = logging.getLogger(__name__)


def _temporary_form_tracker(original: Any) -> Any:
    """`FormAction._temporary_tracker` (the tracker a form validates against) from a copy
    of the current tracker instead of a replay of the conversation; the same events are
    added to it. A conversation restarted earlier is left to Rasa (its replay keeps only
    the events after the restart)."""

    def temporary_tracker(
        self: Any, current: DialogueStateTracker, additional: list, domain: Domain
    ) -> DialogueStateTracker:
        if any(isinstance(event, Restarted) for event in current.events):
            return original(self, current, additional, domain)
        tracker = copy_tracker(current)
        for event in [
            SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current)),
            ActionExecuted(self.name()),
            *additional,
        ]:
            tracker.update(event)
        return tracker

    return temporary_tracker


_PLAIN: dict[type, bool] = {}  # class -> may it be copied the fast way


def _is_plain(cls: type) -> bool:
    """Does `copy.copy` of a `cls` instance just make a new object with the same
    `__dict__`? (No copy or pickle hooks of its own, no slots holding values.)"""
    if cls not in _PLAIN:
        hooks = ("__copy__", "__getstate__", "__setstate__")
        _PLAIN[cls] = (
            not any(hasattr(cls, hook) for hook in hooks)
            and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__
            and not any(k.__dict__.get("__slots__") for k in cls.__mro__)
        )
    return _PLAIN[cls]


def shallow_copy(value: Any) -> Any:
    """`copy.copy` without the pickle protocol's detour for plain objects (slots): a new
    tracker copies every slot of the domain, and trackers are made for every replay."""
    cls = type(value)
    if not _is_plain(cls) or not hasattr(value, "__dict__"):
        return copy.copy(value)
    duplicate = cls.__new__(cls)
    duplicate.__dict__.update(value.__dict__)
    return duplicate


def copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """What `tracker.copy()` (a replay of every event) returns, from the current state:
    the same events, slot values, latest action and message, loop and pause."""
    duplicate = tracker.init_copy()
    duplicate.events = type(tracker.events)(tracker.events, tracker.events.maxlen)
    for name, slot in tracker.slots.items():
        twin = duplicate.slots.get(name)
        if twin is not None:
            twin._value = slot._value
            twin._has_been_set = slot._has_been_set
    duplicate._paused = tracker._paused
    duplicate.followup_action = tracker.followup_action
    duplicate.latest_action = dict(tracker.latest_action) if tracker.latest_action else {}
    duplicate.latest_message = tracker.latest_message
    duplicate.latest_bot_utterance = tracker.latest_bot_utterance
    duplicate.active_loop = copy.copy(tracker.active_loop)
    return duplicate


def _fold_applied(
    tracker: DialogueStateTracker, events: Any, loop_names: set[str], applied: list
) -> None:
    """The body of Rasa's `applied_events` loop, over `events`, continuing `applied`."""
    for event in events:
        if isinstance(event, Restarted | SessionStarted):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)


def applied_events(self: DialogueStateTracker) -> list:
    """Rasa's `DialogueStateTracker.applied_events` (the events not undone by reverts,
    restarts or a form's later turns), continued from the last call on this tracker
    when events were only appended since: Rasa folded the whole conversation again,
    scanning back at every form turn, several times per message."""
    events = self.events
    count = len(events)
    cached = self.__dict__.get("_balagh_applied")
    if cached is not None:
        seen, first, last, loop_names, applied = cached
        if (
            seen <= count
            and seen > 0
            and events[0] is first
            and events[seen - 1] is last
            and not any(
                isinstance(event, ActiveLoop) and event.name and event.name not in loop_names
                for event in itertools.islice(events, seen, None)
            )
        ):
            if seen < count:
                _fold_applied(self, itertools.islice(events, seen, None), loop_names, applied)
                self.__dict__["_balagh_applied"] = (count, first, events[-1], loop_names, applied)
            return list(applied)
    loop_names = {event.name for event in events if isinstance(event, ActiveLoop) and event.name}
    applied = []
    _fold_applied(self, events, loop_names, applied)
    if count:
        self.__dict__["_balagh_applied"] = (count, events[0], events[-1], loop_names, applied)
    return list(applied)


class _Snapshot:
    """What `states_for_tracker_history` reads of one prior tracker."""

    __slots__ = ("hide_rule_turn", "followup_action", "on_loop", "latest_action", "state")

    def __init__(self, tracker: DialogueStateTracker, hide_rule_turn: bool, domain: Domain):
        self.hide_rule_turn = hide_rule_turn
        self.followup_action = tracker.followup_action
        self.on_loop = tracker.latest_action_name == tracker.active_loop_name
        self.latest_action = tracker.latest_action
        self.state = domain.get_active_state(tracker)


# Rasa's own code, kept for what the patches hand back to and for the tests.
RASA_STATES_FOR_TRACKER_HISTORY = Domain.states_for_tracker_history
RASA_CURRENT_STATE = DialogueStateTracker.current_state
RASA_RUN_GRAPH = DaskGraphRunner.run
RASA_REMOVE_PARSE_DATA = rasa_events.remove_parse_data
RASA_APPLIED_EVENTS = DialogueStateTracker.applied_events
RASA_TEMPORARY_TRACKER = FormAction._temporary_tracker
RASA_PREDICTION_STATES = Policy._prediction_states
RULE_LOOKUPS = (rasa_rule_policy.RULES, rasa_rule_policy.RULES_FOR_LOOP_UNHAPPY_PATH)


@dataclass
class _Replay:
    """Rasa's replay of a tracker's applied events, kept with the tracker to be reused
    while its events are the same and continued when they only grew."""

    domain: Domain
    applied: list  # the applied events replayed so far
    tracker: DialogueStateTracker  # the replayed tracker, after them
    snapshots: list[_Snapshot]  # one before each `ActionExecuted` among them
    version: tuple | None = None  # (number of events, last event) the result is for
    result: list[_Snapshot] = field(default_factory=list)  # snapshots, then the final one


def _snapshots(domain: Domain, tracker: DialogueStateTracker) -> list[_Snapshot]:
    """`generate_all_prior_trackers` as snapshots: the tracker before each action, then
    after the last event. Computed once per state of the tracker (a prediction asks
    several times); when the applied events only grew since (no revert or form turn undid
    any), the replay continues from where it stopped."""
    events = tracker.events
    version = (len(events), id(events[-1]) if events else None)
    kept: _Replay | None = tracker.__dict__.get("_balagh_replay")
    if kept is not None and kept.domain is domain and kept.version == version:
        return kept.result
    applied = tracker.applied_events()
    if (
        kept is None
        or kept.domain is not domain
        or len(applied) < len(kept.applied)
        or any(ours is not theirs for ours, theirs in zip(kept.applied, applied, strict=False))
    ):
        kept = _Replay(domain, [], tracker.init_copy(), [])
    for event in applied[len(kept.applied) :]:
        if isinstance(event, ActionExecuted):
            kept.snapshots.append(_Snapshot(kept.tracker, event.hide_rule_turn, domain))
        kept.tracker.update(event)
    kept.applied = applied
    kept.version = version
    kept.result = [*kept.snapshots, _Snapshot(kept.tracker, False, domain)]
    tracker.__dict__["_balagh_replay"] = kept
    return kept.result


# How many of the latest states the caller of `states_for_tracker_history` reads (None:
# all); set by the rule policy around its own call.
_STATES_HORIZON: ContextVar[int | None] = ContextVar("balagh_states_horizon", default=None)


def _fresh(state: dict[str, Any]) -> dict[str, Any]:
    """A copy the caller may change (Rasa's loop edits the states it builds)."""
    return {kind: dict(sub) if isinstance(sub, dict) else sub for kind, sub in state.items()}


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rasa's `Domain.states_for_tracker_history`, line for line, over kept snapshots.
    Predictions always ask with the slots' initial values included; the other way
    (rule training) is Rasa's own."""
    if omit_unset_slots:
        return RASA_STATES_FOR_TRACKER_HISTORY(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    states: list[dict[str, Any]] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    snapshots = _snapshots(self, tracker)
    horizon = _STATES_HORIZON.get()
    if horizon is not None and not ignore_rule_only_turns:
        snapshots = snapshots[-horizon:]  # each state is built from its own snapshot
    for snapshot in snapshots:
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = snapshot.latest_action
            if not snapshot.followup_action and not snapshot.on_loop:
                turn_was_hidden = snapshot.hide_rule_turn
            if turn_was_hidden:
                continue
        state = _fresh(snapshot.state)
        if ignore_rule_only_turns:
            self._remove_rule_only_features(state, rule_only_data)
            if states:
                self._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[core_constants.PREVIOUS_ACTION] = last_ml_action_sub_state
        states.append(self._clean_state(state))
    return states


def _execution_order(schema: GraphSchema, targets: list[str]) -> list[str]:
    """The nodes the targets need, each after the nodes it needs (depth first)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in schema.nodes:
            return  # done, or an input placeholder
        seen.add(name)
        for needed in schema.nodes[name].needs.values():
            visit(needed)
        order.append(name)

    for target in targets:
        visit(target)
    return order


def run_graph(
    self: DaskGraphRunner, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
) -> dict[str, Any]:
    """`DaskGraphRunner.run` without dask: the same nodes called with the same arguments,
    one after the other in an order computed once per set of targets. Rasa rebuilt the
    minimal graph and had dask schedule it (threads' queue, task bookkeeping) for every
    message and every prediction, to run a dozen nodes in a row on one thread."""
    run_targets = list(targets if targets else self._graph_schema.target_names)
    orders = self.__dict__.setdefault("_balagh_orders", {})
    order = orders.get(tuple(run_targets))
    if order is None:
        order = orders[tuple(run_targets)] = _execution_order(self._graph_schema, run_targets)
    values: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._graph_schema.nodes:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of "
                f"the input names passed to the `run` method are the same as node names "
                f"in the graph schema."
            )
        values[name] = (name, value)
    nodes = self._graph_schema.nodes
    try:
        for name in order:
            # An unresolved input reaches the node as its name, as with dask.
            arguments = [values.get(needed, needed) for needed in nodes[name].needs.values()]
            values[name] = self._instantiated_nodes[name](*arguments)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values[target] for target in run_targets if target in values)


RULE_KEYS_CACHE_SIZE = 20_000


def _states_key(states: list[dict[str, Any]]) -> tuple | None:
    """A hashable key equal for equal lists of states (None if a value is unhashable)."""
    try:
        return tuple(
            frozenset(
                (kind, frozenset(sub.items()) if isinstance(sub, dict) else sub)
                for kind, sub in state.items()
            )
            for state in states
        )
    except TypeError:
        return None


def _memoized_possible_keys(possible_keys: Any) -> Any:
    """`RulePolicy._get_possible_keys` (which rules match these states: every rule checked
    against every turn) remembered per trained lookup and states, a bounded cache."""

    def get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list) -> set[str]:
        key = _states_key(states)
        if key is None:
            return possible_keys(self, lookup, states)
        cache: OrderedDict = self.__dict__.setdefault("_balagh_rule_keys", OrderedDict())
        cache_key = (id(lookup), key)
        if cache_key in cache:
            cache.move_to_end(cache_key)
            return set(cache[cache_key])
        found = possible_keys(self, lookup, states)
        cache[cache_key] = frozenset(found)
        if len(cache) > RULE_KEYS_CACHE_SIZE:
            cache.popitem(last=False)
        return found

    return get_possible_keys


def _rule_horizon(policy: RulePolicy) -> int:
    """The length of the rule policy's longest rule (happy and unhappy loop paths), for its
    lookups as they are now (they grow while it trains)."""
    lookups = [policy.lookup.get(key, {}) for key in RULE_LOOKUPS]
    version = tuple((id(lookup), len(lookup)) for lookup in lookups)
    kept = policy.__dict__.get("_balagh_rule_horizon")
    if kept is None or kept[0] != version:
        longest = max(
            (len(policy._rule_key_to_state(key)) for lookup in lookups for key in lookup),
            default=0,
        )
        kept = (version, max(longest, 1))
        policy.__dict__["_balagh_rule_horizon"] = kept
    return kept[1]


def rule_prediction_states(
    self: RulePolicy,
    tracker: DialogueStateTracker,
    domain: Domain,
    use_text_for_last_user_input: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """`Policy._prediction_states` for the rule policy: the latest states, as many as its
    longest rule has. Its only reader, `_find_action_from_rules`, matches them against the
    rules (`_get_possible_keys`), which never look further back than a rule's length, and
    writes them to a debug log line; each state is built from its own turn (the rule
    policy neither skips rule-only turns nor `action_unlikely_intent`), so the last ones
    are those of the whole history."""
    token = _STATES_HORIZON.set(_rule_horizon(self))
    try:
        return RASA_PREDICTION_STATES(
            self, tracker, domain, use_text_for_last_user_input, rule_only_data
        )
    finally:
        _STATES_HORIZON.reset(token)


def current_state(
    self: DialogueStateTracker, event_verbosity: EventVerbosity = EventVerbosity.NONE
) -> dict[str, Any]:
    """Rasa's `DialogueStateTracker.current_state` (sent with every action call), with the
    active loop as a plain dict: `dataclasses.asdict` deep-copied the message that
    triggered the form, its whole parse data, each time."""
    events = self._events_for_verbosity(event_verbosity)
    loop = self.active_loop
    return {
        "sender_id": self.sender_id,
        "slots": self.current_slot_values(),
        "latest_message": self._latest_message_data(),
        "latest_event_time": self.events[-1].timestamp if len(self.events) > 0 else None,
        core_constants.FOLLOWUP_ACTION: self.followup_action,
        "paused": self.is_paused(),
        "events": [e.as_dict() for e in events] if events is not None else None,
        "latest_input_channel": self.get_latest_input_channel(),
        core_constants.ACTIVE_LOOP: (
            {
                "name": loop.name,
                "is_interrupted": loop.is_interrupted,
                "rejected": loop.rejected,
                "trigger_message": loop.trigger_message,
            }
            if loop
            else {}
        ),
        "latest_action": self.latest_action,
        "latest_action_name": self.latest_action_name,
    }


def _lazy_remove_parse_data(event: dict[str, Any]) -> dict[str, Any]:
    """Rasa's `remove_parse_data`, used only to log an event the broker publishes: a
    shallow copy is enough for a log line (Rasa deep-copied every event)."""
    return {key: value for key, value in event.items() if key != "parse_data"}


def is_empty(self: Domain) -> bool:
    """Rasa's `Domain.is_empty`, computed once per domain."""
    cached = self.__dict__.get("_balagh_is_empty")
    if cached is None:
        cached = self.as_dict() == Domain.empty().as_dict()
        self.__dict__["_balagh_is_empty"] = cached
    return cached


def _copy_for_debug_log(value: Any, memo: Any = None) -> Any:
    """`copy.deepcopy` for the arguments of debug log lines: only when they are logged."""
    if logging.getLogger("rasa").isEnabledFor(logging.DEBUG):
        return copy.deepcopy(value, memo)
    return value


# In these modules `copy.deepcopy` only copies arguments of debug log lines (checked
# by a unit test, so a Rasa upgrade that uses it otherwise is noticed).
DEBUG_LOG_COPY_MODULES = (rasa_processor, rasa_forms, rasa_rule_policy, rasa_memoization)


def _frozen_after(load: Any) -> Any:
    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        logger.info("model loaded: %d objects frozen out of the collector", gc.get_freeze_count())
        return agent

    return load_then_freeze


_event_classes: dict[str, type] = {}


def _event_class(type_name: str, default: type | None = None) -> type | None:
    """Rasa's `Event.resolve_by_type`, which walks every Event subclass for every
    event it reads, with the answer remembered."""
    if type_name not in _event_classes:
        for cls in all_subclasses(rasa_events.Event):
            _event_classes.setdefault(cls.type_name, cls)
    if type_name in _event_classes:
        return _event_classes[type_name]
    if type_name == "topic":
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install() -> None:
    """Patch Rasa in this process (once: called by `bot.server.patches.install`)."""
    DialogueStateTracker.copy = copy_tracker  # type: ignore[method-assign]
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
    Domain.is_empty = is_empty  # type: ignore[method-assign]
    DaskGraphRunner.run = run_graph  # type: ignore[method-assign]
    DialogueStateTracker.current_state = current_state  # type: ignore[method-assign]
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]
    RulePolicy._get_possible_keys = _memoized_possible_keys(  # type: ignore[method-assign]
        RulePolicy._get_possible_keys
    )
    RulePolicy._prediction_states = rule_prediction_states  # type: ignore[method-assign]
    rasa_events.remove_parse_data = _lazy_remove_parse_data
    FormAction._temporary_tracker = _temporary_form_tracker(  # type: ignore[method-assign]
        FormAction._temporary_tracker
    )
    rasa_trackers.copy = types.SimpleNamespace(copy=shallow_copy, deepcopy=copy.deepcopy)
    log_copy = types.SimpleNamespace(deepcopy=_copy_for_debug_log, copy=copy.copy)
    for module in DEBUG_LOG_COPY_MODULES:
        module.copy = log_copy  # type: ignore[attr-defined]
    rasa_run.load_agent_on_start = _frozen_after(rasa_run.load_agent_on_start)
    rasa_events.Event.resolve_by_type = staticmethod(_event_class)  # type: ignore[method-assign]
