"""Balagh's patches of Rasa, in one place: `PATCHES` lists every target Balagh replaces,
wraps, subclasses or relies on in the private code of rasa, rasa-sdk, aiormq and Sanic,
with why, the code that does it and the tests that pin it to the code it was derived from;
docs/rasa-patches.md is generated from it (`python -m bot.server.patches`).

- `install()` patches this process's Rasa, once. `bot.server.rasa_server` calls it before
  Rasa's own command line, so `run` (production), `shell` and `test core` (the story tests)
  all run the patched server. It first refuses to go on (`SystemExit`, one line) when an
  installed version is not `PINS`'s.
- The patches: `speed` (Rasa's per-message recomputation), `action_calls` (calls to the
  action server: outage apology, retries, one kept-alive session, lighter payloads),
  `outage` (the same apology when the lock or tracker store fails: never silent),
  `doors` (typed payloads, the HTTP app's bounds), `reconnect` (PostgreSQL pool ping), and
  `bot.server.metrics` (message counts and latency).
- Subclasses and private internals used elsewhere are listed too: the tracker and lock
  stores, NLU components, the REST and web chat channels, the action server (which checks
  its rasa-sdk pin itself) and the desk's event relay (which checks its aiormq pin itself:
  neither may import this room).
- `tests/unit/test_patches.py`: every source a patch was derived from still has its
  fingerprint (the sha256 of `inspect.getsource`, first 16 digits), so an upgrade fails
  naming the patches to re-derive; `install()` changes exactly the installed targets; the
  pins equal requirements.txt's; every named test exists; the doc is up to date.

Imports nothing of Rasa until `install()` (the version check comes first).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from dataclasses import dataclass
from importlib import metadata
from typing import Any

# The versions every patch below was derived from (requirements.txt's pins; a test checks).
PINS = {"rasa": "3.6.21", "rasa-sdk": "3.6.2", "aiormq": "6.4.2", "sanic": "21.12.2"}

# How a patch touches its target.
REPLACED = "replaced"  # the attribute is set to Balagh's own code
WRAPPED = "wrapped"  # the attribute is set to Balagh's code around the original
SUBCLASSED = "subclassed"  # a Balagh subclass overrides private methods or formats
RELIED_ON = "relied on"  # private internals used as they are
INSTALLED = (REPLACED, WRAPPED)  # what `install()` sets


@dataclass(frozen=True)
class Patch:
    target: str  # the dotted name patched or relied on
    how: str
    by: str  # Balagh's code that does it
    why: str
    tests: tuple[str, ...]  # pytest node ids that pin it
    sources: tuple[str, ...]  # the upstream code it was derived from (`FINGERPRINTS`)


SPEED = "tests/unit/test_rasa_speed.py::"
CALLS = "tests/unit/test_rasa_server.py::"
ACTION_CALLS = "tests/unit/test_action_calls.py::"
DOORS = "tests/security/test_rasa_doors.py::"
TOPOLOGY = "tests/cluster/test_topology.py::"
OUTAGE = "tests/unit/test_outage.py::"
TRACKERS = "rasa.shared.core.trackers.DialogueStateTracker"
DOMAIN = "rasa.shared.core.domain.Domain"
RULES = "rasa.core.policies.rule_policy.RulePolicy"
REMOTE = "rasa.core.actions.action.RemoteAction"
PROCESSOR = "rasa.core.processor.MessageProcessor"
SQL_STORE = "rasa.core.tracker_store.SQLTrackerStore"
CHANNEL = "aiormq.channel.Channel"

_DEBUG_LOG_COPY_WHY = (
    "The module deep-copied events, slots, states or parse data for debug log lines even "
    "with debug logging off; its `copy.deepcopy` now copies only when the line is logged "
    "(the test checks that the module uses it only in structlog arguments)."
)

PATCHES: tuple[Patch, ...] = (
    # bot.server.patches.speed
    Patch(
        f"{TRACKERS}.copy",
        REPLACED,
        "bot.server.patches.speed.copy_tracker",
        "Replayed every event of the conversation into a new tracker, and the processor "
        "copies the tracker before every action; the copy takes the state as it is.",
        (f"{SPEED}test_a_copy_is_the_replayed_copy_and_independent",),
        (
            f"{TRACKERS}.copy",
            f"{TRACKERS}.travel_back_in_time",
            f"{TRACKERS}.__init__",
        ),
    ),
    Patch(
        "rasa.core.actions.forms.FormAction._temporary_tracker",
        WRAPPED,
        "bot.server.patches.speed._temporary_form_tracker",
        "A form validated against a replay of the whole conversation; it gets a copy of "
        "the current tracker with the same events added (after a restart: Rasa's own).",
        (f"{SPEED}test_a_forms_temporary_tracker_is_rasas",),
        ("rasa.core.actions.forms.FormAction._temporary_tracker",),
    ),
    Patch(
        f"{DOMAIN}.states_for_tracker_history",
        REPLACED,
        "bot.server.patches.speed.states_for_tracker_history",
        "The policies' view of the history replayed the conversation once per policy and "
        "per call (three to four times per prediction); the replay's snapshots are kept "
        "with the tracker, reused while it is unchanged and continued when it only grew.",
        (
            f"{SPEED}test_history_states_are_rasas",
            f"{SPEED}test_snapshots_follow_new_events",
            f"{SPEED}test_a_continued_replay_gives_rasas_states",
        ),
        (
            f"{DOMAIN}.states_for_tracker_history",
            f"{TRACKERS}.generate_all_prior_trackers",
        ),
    ),
    Patch(
        f"{TRACKERS}.applied_events",
        REPLACED,
        "bot.server.patches.speed.applied_events",
        "Folded the whole conversation again (scanning back at every form turn) several "
        "times per message; the fold is continued from the last call when events were "
        "only appended.",
        (f"{SPEED}test_applied_events_continue_rasas_fold",),
        (f"{TRACKERS}.applied_events",),
    ),
    Patch(
        f"{RULES}._get_possible_keys",
        WRAPPED,
        "bot.server.patches.speed._memoized_possible_keys",
        "Checked every rule against every turn; its answer (a function of the lookup and "
        "the states) is remembered in a bounded cache.",
        (f"{SPEED}test_rule_matches_are_remembered_per_states",),
        (f"{RULES}._get_possible_keys",),
    ),
    Patch(
        f"{RULES}._prediction_states",
        WRAPPED,
        "bot.server.patches.speed.rule_prediction_states",
        "The rule policy built the states of the whole conversation for every prediction, "
        "though a rule is never checked further back than its own length; it gets the "
        "states of its longest rule's length.",
        (f"{SPEED}test_the_rule_policy_predicts_from_its_rules_length_as_from_the_whole_history",),
        (
            "rasa.core.policies.policy.Policy._prediction_states",
            f"{RULES}._find_action_from_rules",
            f"{RULES}._is_rule_applicable",
        ),
    ),
    Patch(
        "rasa.engine.runner.dask.DaskGraphRunner.run",
        REPLACED,
        "bot.server.patches.speed.run_graph",
        "The model's graph was scheduled by dask for every message and every prediction; "
        "the same nodes are called with the same arguments in an order computed once.",
        (f"{SPEED}test_graph_runs_as_with_dask",),
        (
            "rasa.engine.runner.dask.DaskGraphRunner.run",
            "rasa.engine.runner.dask.DaskGraphRunner._build_dask_graph",
        ),
    ),
    Patch(
        f"{DOMAIN}.is_empty",
        REPLACED,
        "bot.server.patches.speed.is_empty",
        "Rendered the whole domain to a dict for every message; computed once per domain.",
        (f"{SPEED}test_empty_domain_check_is_rasas",),
        (f"{DOMAIN}.is_empty",),
    ),
    Patch(
        f"{TRACKERS}.current_state",
        REPLACED,
        "bot.server.patches.speed.current_state",
        "Sent with every action call, it deep-copied the form's trigger message through "
        "`dataclasses.asdict`; the active loop is built as a plain dict.",
        (f"{SPEED}test_current_state_is_rasas",),
        (f"{TRACKERS}.current_state",),
    ),
    Patch(
        "rasa.shared.core.events.remove_parse_data",
        REPLACED,
        "bot.server.patches.speed._lazy_remove_parse_data",
        "Used only for the event broker's log line, it deep-copied every published event; "
        "a shallow copy is enough.",
        (f"{SPEED}test_broker_log_copy_drops_parse_data_only",),
        (
            "rasa.shared.core.events.remove_parse_data",
            "rasa.core.brokers.pika.PikaEventBroker._publish",
        ),
    ),
    Patch(
        "rasa.shared.core.trackers.copy",
        REPLACED,
        "bot.server.patches.speed.shallow_copy",
        "Trackers copy every slot of the domain with `copy.copy` (through the pickle "
        "protocol); plain objects are copied by their `__dict__`.",
        (f"{SPEED}test_slot_copies_are_copy_copy",),
        ("rasa.shared.core.trackers",),
    ),
    *(
        Patch(
            f"{module}.copy",
            REPLACED,
            "bot.server.patches.speed._copy_for_debug_log",
            _DEBUG_LOG_COPY_WHY,
            (f"{SPEED}test_debug_log_copies_only_in_log_lines",),
            (module,),
        )
        for module in (
            "rasa.core.processor",
            "rasa.core.actions.forms",
            "rasa.core.policies.rule_policy",
            "rasa.core.policies.memoization",
        )
    ),
    Patch(
        "rasa.core.run.load_agent_on_start",
        WRAPPED,
        "bot.server.patches.speed._frozen_after",
        "After the model is loaded its objects are moved out of the garbage collector's "
        "sight (`gc.freeze`), so full collections no longer walk them.",
        (f"{SPEED}test_the_loaded_model_is_frozen_out_of_the_collector",),
        ("rasa.core.run.load_agent_on_start",),
    ),
    Patch(
        "rasa.shared.core.events.Event.resolve_by_type",
        REPLACED,
        "bot.server.patches.speed._event_class",
        "Walked every subclass of `Event` for every event read; looked up once per type.",
        (f"{CALLS}test_event_classes_are_found_by_type_name",),
        ("rasa.shared.core.events.Event.resolve_by_type",),
    ),
    # bot.server.patches.action_calls
    Patch(
        f"{REMOTE}.run",
        WRAPPED,
        "bot.server.patches.action_calls.install",
        "A call that never reached the action server (refused, or dropped while written) "
        "is retried four times within 3.3 s; any other failure is an `ActionServerFailure` "
        "for the turn guard below.",
        (
            f"{CALLS}test_only_calls_that_never_reached_the_action_server_are_retried",
            f"{TOPOLOGY}test_action_server_down_apologises_files_nothing_then_files_when_back",
        ),
        (f"{REMOTE}.run",),
    ),
    Patch(
        f"{PROCESSOR}._run_action",
        WRAPPED,
        "bot.server.patches.action_calls._TurnGuard",
        "Stock Rasa drops the turn when the action server fails, and the citizen gets no "
        "answer; the turn is undone and the citizen told to send the message again.",
        (f"{TOPOLOGY}test_action_server_down_apologises_files_nothing_then_files_when_back",),
        (f"{PROCESSOR}._run_action",),
    ),
    Patch(
        f"{REMOTE}._validate_action_result",
        REPLACED,
        "bot.server.patches.action_calls._validate_action_result",
        "`jsonschema.validate` of every response (the schema checked again, every event "
        "against every event type) was half of the server's time under load; the shape "
        "Rasa relies on is checked directly (same exception).",
        (f"{CALLS}test_action_responses_are_still_validated",),
        (
            f"{REMOTE}._validate_action_result",
            f"{REMOTE}.action_response_format_spec",
        ),
    ),
    Patch(
        f"{REMOTE}._action_call_format",
        WRAPPED,
        "bot.server.patches.action_calls.action_domain",
        "The domain sent with each call carried its responses (most of its 70 KB), which "
        "the action server never renders; sent without them, encoded once.",
        (
            f"{ACTION_CALLS}test_the_action_server_gets_the_domain_without_responses",
            f"{CALLS}test_action_calls_carry_the_same_json",
        ),
        (f"{REMOTE}._action_call_format",),
    ),
    Patch(
        "rasa.utils.endpoints.EndpointConfig.session",
        REPLACED,
        "bot.server.patches.action_calls._kept_session",
        "Each call to the action server opened a new HTTP session and TCP connection; one "
        "kept-alive session per endpoint and event loop is reused.",
        (f"{ACTION_CALLS}test_calls_reuse_one_connection",),
        (
            "rasa.utils.endpoints.EndpointConfig.session",
            "rasa.utils.endpoints.EndpointConfig.request",
        ),
    ),
    # bot.server.patches.doors
    Patch(
        f"{PROCESSOR}.parse_message",
        WRAPPED,
        "bot.server.patches.doors._guard_typed_payloads",
        "A typed `/intent{...}` counts only when it is the payload of a button the bot "
        "just offered, so nobody can type internal intents or set slots.",
        (
            "tests/unit/test_doors.py::test_a_payload_never_offered_is_read_as_text",
            f"{DOORS}test_a_typed_payload_sets_no_slot_the_bot_did_not_offer",
        ),
        (f"{PROCESSOR}.parse_message",),
    ),
    Patch(
        "rasa.core.run.configure_app",
        WRAPPED,
        "bot.server.patches.doors._guard_app",
        "Bounded request bodies; no NUL byte in a path or query; `POST /model/parse` "
        "answers malformed bodies with a JSON 400 (stock Rasa: some with a 500).",
        (
            f"{DOORS}test_malformed_parse_requests_get_a_json_400",
            f"{DOORS}test_a_nul_byte_in_a_query_is_refused",
        ),
        ("rasa.core.run.configure_app",),
    ),
    Patch(
        "sanic_cors.extension.unapplied_cors_response_middleware",
        RELIED_ON,
        "bot.server.patches.doors.refuse_malformed",
        "socket.io answers CORS itself; sanic-cors (Rasa's `--cors`) added a second "
        "`Access-Control-Allow-Origin` that browsers refuse, breaking the widget's polling "
        "fallback across origins. Its response middleware skips a request whose context "
        "carries its `SANIC_CORS_EVALUATED` flag, which the doors set for `/socket.io`.",
        (f"{DOORS}test_the_widgets_polling_gets_one_cors_origin",),
        ("sanic_cors.extension.unapplied_cors_response_middleware",),
    ),
    # bot.server.patches.http
    Patch(
        "sanic.http.Http.http1_request_header",
        WRAPPED,
        "bot.server.patches.http.checked_request_header",
        "Sanic took a negative `Content-Length` as it was: its body reader then spun forever "
        "and froze the process before any token check (loopback and compose's internal "
        "network reach it directly); a malformed or repeated one is now a 400. The action "
        "server installs it too.",
        (
            f"{DOORS}test_a_negative_content_length_is_a_400_and_the_server_lives_on",
            "tests/security/test_action_server.py::test_a_negative_content_length_is_a_400",
        ),
        ("sanic.http.Http.http1_request_header",),
    ),
    # bot.server.patches.reconnect
    Patch(
        "rasa.core.tracker_store.create_engine_kwargs",
        WRAPPED,
        "bot.server.patches.reconnect.install",
        "Pooled connections are dead after a PostgreSQL restart; they are checked before "
        "use (`pool_pre_ping`). Rasa's engine still creates the tables, saves a tracker the "
        "cached store did not retrieve and serves the API's full tracker.",
        (
            f"{CALLS}test_postgresql_engines_check_their_connections",
            f"{TOPOLOGY}test_postgresql_restarts_and_the_services_reconnect",
        ),
        (
            "rasa.core.tracker_store.create_engine_kwargs",
            f"{SQL_STORE}.__init__",
        ),
    ),
    # bot.server.patches.outage
    Patch(
        "rasa.core.channels.channel.register",
        REPLACED,
        "bot.server.patches.outage.register",
        "A lock store or tracker store failure inside `Agent.handle_message` was logged and "
        "the citizen got nothing (REST: `[]`); every channel's handler now sends the "
        "`utter_service_unavailable` apology on the message's own output channel "
        "(citizens' channels only; the hand-off bridge still gets the error).",
        (
            OUTAGE + "test_a_failed_message_gets_the_apology_on_its_channel",
            TOPOLOGY + "test_redis_down_apologises_and_is_not_ready_then_answers_when_back",
        ),
        ("rasa.core.channels.channel.register", "rasa.core.agent.Agent.handle_message"),
    ),
    Patch(
        "rasa.core.tracker_store.FailSafeTrackerStore.on_tracker_store_error",
        REPLACED,
        "bot.server.patches.outage._unavailable",
        "With the tracker store unreachable Rasa's fail-safe wrapper saved the tracker in "
        "memory, and read no conversation (so a known one started over); the error is "
        "raised instead, the turn stops and the citizen gets the apology.",
        (
            OUTAGE + "test_the_fail_safe_store_raises_instead_of_falling_back",
            TOPOLOGY + "test_postgresql_down_apologises_then_answers_when_back",
        ),
        ("rasa.core.tracker_store.FailSafeTrackerStore",),
    ),
    Patch(
        "rasa.core.tracker_store.FailSafeTrackerStore.on_tracker_store_retrieve_error",
        REPLACED,
        "bot.server.patches.outage._unavailable",
        "Same as above, for reads.",
        (OUTAGE + "test_the_fail_safe_store_raises_instead_of_falling_back",),
        ("rasa.core.tracker_store.FailSafeTrackerStore",),
    ),
    # bot.server.metrics
    Patch(
        "rasa.core.agent.Agent.handle_message",
        WRAPPED,
        "bot.server.metrics.install",
        "Every channel's message arrives there: counted and timed for `/metrics`.",
        ("tests/unit/test_patches.py::test_install_changes_exactly_the_installed_targets",),
        ("rasa.core.agent.Agent.handle_message",),
    ),
    # Not installed: subclasses and internals relied on.
    Patch(
        SQL_STORE,
        SUBCLASSED,
        "bot.server.tracker_store.CachedSQLTrackerStore",
        "Rasa's store re-read and replayed the whole session at every message; `retrieve` "
        "and `save` are replaced by raw SQL against Rasa's `events` table (its columns, "
        "its JSON, its latest-session query) for only the events not yet seen or stored. "
        "Each event's JSON is stored encrypted (`bot.store.crypto.seal_event`); `_retrieve` "
        "(the full tracker of Rasa's API) is Rasa's with the events decrypted.",
        (
            "tests/unit/test_tracker_store.py::test_the_latest_session_is_read_as_rasas_store_reads_it",
            "tests/unit/test_tracker_store.py::test_two_replicas_see_each_others_messages",
            "tests/unit/test_tracker_store.py::test_each_event_is_published_once",
            "tests/unit/test_tracker_store.py::test_events_are_stored_encrypted_and_read_back",
        ),
        (
            f"{SQL_STORE}.SQLEvent",
            f"{SQL_STORE}._retrieve",
            f"{SQL_STORE}._event_query",
            f"{SQL_STORE}.save",
            f"{SQL_STORE}._additional_events",
            f"{SQL_STORE}.session_scope",
            "rasa.core.tracker_store.TrackerStore._stream_new_events",
        ),
    ),
    Patch(
        "rasa.core.lock_store.LockStore",
        SUBCLASSED,
        "bot.server.locking.AtomicRedisLockStore",
        "Rasa's `RedisLockStore` reads, changes and writes a lock in three steps, so two "
        "replicas can issue the same ticket; Lua scripts do it atomically, writing Rasa's "
        "`TicketLock` format, under Rasa's ticket algorithm (`LockStore.lock`).",
        (
            "tests/unit/test_locking.py::test_locks_keep_rasas_stored_format",
            "tests/unit/test_locking.py::test_tickets_are_unique_and_consecutive_under_concurrency",
        ),
        (
            "rasa.core.lock.Ticket",
            "rasa.core.lock.TicketLock",
            "rasa.core.lock_store.LockStore",
            "rasa.core.lock_store.RedisLockStore",
        ),
    ),
    Patch(
        "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer"
        ".CountVectorsFeaturizer._create_features",
        SUBCLASSED,
        "bot.server.nlu.sentence_featurizer.SentenceCountVectorsFeaturizer",
        "The per-token matrices nobody reads were a third of the NLU's time; only the "
        "sentence features are computed for the text.",
        (
            "tests/unit/test_nlu_features.py::test_sentence_featurizer_gives_rasas_sentence_features",
        ),
        (
            "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer"
            ".CountVectorsFeaturizer._create_features",
        ),
    ),
    Patch(
        "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier._create_X",
        SUBCLASSED,
        "bot.server.nlu.intent_classifier.TunedLogisticRegressionClassifier",
        "A `C` setting (Rasa fixes 1.0), empty messages skipped (Rasa crashes), and the "
        "feature matrix built from the sentence features directly.",
        ("tests/unit/test_nlu_features.py::test_the_same_matrix_as_rasas_classifier",),
        (
            "rasa.nlu.classifiers.logistic_regression_classifier"
            ".LogisticRegressionClassifier._create_X",
            "rasa.nlu.classifiers.logistic_regression_classifier"
            ".LogisticRegressionClassifier.__init__",
            "rasa.nlu.classifiers.logistic_regression_classifier"
            ".LogisticRegressionClassifier.process",
        ),
    ),
    Patch(
        "rasa.core.channels.rest.RestInput",
        SUBCLASSED,
        "channels.rest.CheckedRestInput",
        "The REST channel's private `_extract_*` methods give its conversations their own "
        "namespace and a fixed input channel; its blueprint gets bounds in front.",
        (
            f"{DOORS}test_rest_conversations_live_in_their_own_namespace",
            f"{DOORS}test_the_rest_input_channel_cannot_be_chosen_by_the_caller",
        ),
        (
            "rasa.core.channels.rest.RestInput.blueprint",
            "rasa.core.channels.rest.RestInput._extract_sender",
            "rasa.core.channels.rest.RestInput._extract_message",
            "rasa.core.channels.rest.RestInput._extract_input_channel",
        ),
    ),
    Patch(
        "sanic.http.Http.request_max_size",
        RELIED_ON,
        "channels.webchat._unread",
        "An upload refused before its body is read sets the request stream's limit to 0 "
        "(and no `100 Continue`), so Sanic closes the connection instead of draining it.",
        (
            "tests/security/test_media.py::test_a_too_large_upload_is_refused_before_its_body_is_read",
            "tests/security/test_media.py::test_a_chunked_upload_is_cut_off_at_the_limit",
        ),
        (
            "sanic.http.Http.http1",
            "sanic.http.Http.read",
            "sanic.http.Http.init_for_request",
        ),
    ),
    Patch(
        f"{CHANNEL}.basic_publish",
        RELIED_ON,
        "bot.desk.event_relay.ConfirmedBatches",
        "One publish at a time was five sixths of the relay's CPU; a batch's frames are "
        "written at once with the delivery tags and confirmation futures aiormq would give "
        "them (`confirmations`, `delivery_tag`, `write_queue`, `_split_body`).",
        (
            "tests/unit/test_event_relay.py::test_events_are_kept_until_rabbitmq_confirms_them",
            "tests/unit/test_event_relay.py::test_a_pipelined_batch_keeps_the_stored_order",
            "tests/unit/test_event_relay.py::test_a_batch_cut_off_by_a_closed_connection_is_not_recorded",
        ),
        (
            f"{CHANNEL}.__init__",
            f"{CHANNEL}.basic_publish",
            f"{CHANNEL}._split_body",
            f"{CHANNEL}._on_confirm",
            f"{CHANNEL}._confirm_delivery",
            "aiormq.abc.ChannelFrame",
        ),
    ),
    Patch(
        "rasa.core.brokers.pika.PikaEventBroker",
        RELIED_ON,
        "bot.desk.event_relay.EventRelay",
        "The desk publishes the stored events as Rasa's broker would (same exchange, "
        "queue, JSON body and message properties), from the tracker store's table.",
        ("tests/unit/test_event_relay.py::test_the_exchange_and_body_are_rasas",),
        (
            "rasa.core.brokers.pika.PikaEventBroker._set_up_exchange",
            "rasa.core.brokers.pika.PikaEventBroker._bind_queue",
            "rasa.core.brokers.pika.PikaEventBroker._publish",
            "rasa.core.brokers.pika.PikaEventBroker._message",
        ),
    ),
    Patch(
        "rasa_sdk.endpoint.create_app",
        RELIED_ON,
        "bot.actions.server.build_app",
        "The action server is rasa_sdk's own app, with a token check and body bounds in "
        "front of it (its process checks the rasa-sdk pin itself).",
        (
            "tests/security/test_action_server.py::test_a_forged_filing_without_the_secret_is_refused",
            "tests/security/test_action_server.py::test_a_malformed_call_with_the_secret_gets_a_400",
        ),
        ("rasa_sdk.endpoint.create_app",),
    ),
)

# The first 16 digits of the sha256 of `inspect.getsource` of each upstream source, at
# `PINS` (regenerated by `python -m bot.server.patches --fingerprints`, once re-derived).
FINGERPRINTS = {
    "rasa.shared.core.trackers.DialogueStateTracker.copy": "dfa48dca9f355ad1",
    "rasa.shared.core.trackers.DialogueStateTracker.travel_back_in_time": "09d16f28f007492f",
    "rasa.shared.core.trackers.DialogueStateTracker.__init__": "8f39eb22462aa62b",
    "rasa.core.actions.forms.FormAction._temporary_tracker": "381bc4b6e07fc205",
    "rasa.shared.core.domain.Domain.states_for_tracker_history": "035111ce73ac90ba",
    "rasa.shared.core.trackers.DialogueStateTracker"
    ".generate_all_prior_trackers": "a1f6954347b52649",
    "rasa.shared.core.trackers.DialogueStateTracker.applied_events": "764d5065ea9997d6",
    "rasa.core.policies.rule_policy.RulePolicy._get_possible_keys": "2915fd81711e194c",
    "rasa.core.policies.policy.Policy._prediction_states": "ed9b82bed2f26ad7",
    "rasa.core.policies.rule_policy.RulePolicy._find_action_from_rules": "be6da6ee0f5429bd",
    "rasa.core.policies.rule_policy.RulePolicy._is_rule_applicable": "64a108b016b46e57",
    "rasa.engine.runner.dask.DaskGraphRunner.run": "45f0f52f574f3aa9",
    "rasa.engine.runner.dask.DaskGraphRunner._build_dask_graph": "5bb99f974d512a36",
    "rasa.shared.core.domain.Domain.is_empty": "884be90ef485f1d2",
    "rasa.shared.core.trackers.DialogueStateTracker.current_state": "a9f1526ceddf7a28",
    "rasa.shared.core.events.remove_parse_data": "c341972527e87eaf",
    "rasa.core.brokers.pika.PikaEventBroker._publish": "9f76ab9c1448db88",
    "rasa.shared.core.trackers": "33eababde59f2ef8",
    "rasa.core.processor": "f42dfbf26e2ffcb6",
    "rasa.core.actions.forms": "7cb6c30550116597",
    "rasa.core.policies.rule_policy": "952d1a13906511ac",
    "rasa.core.policies.memoization": "e4519f1a04ecdcce",
    "rasa.core.run.load_agent_on_start": "b23e12447febeb64",
    "rasa.shared.core.events.Event.resolve_by_type": "b5cf570fa7f286c7",
    "rasa.core.actions.action.RemoteAction.run": "ccabf6f1160d527a",
    "rasa.core.processor.MessageProcessor._run_action": "6d383d0179ef1187",
    "rasa.core.actions.action.RemoteAction._validate_action_result": "f8cdb4be68123961",
    "rasa.core.actions.action.RemoteAction.action_response_format_spec": "091b74aa3738d126",
    "rasa.core.actions.action.RemoteAction._action_call_format": "428795b944f22edb",
    "rasa.utils.endpoints.EndpointConfig.session": "e55aa13d9d4fb4bc",
    "rasa.utils.endpoints.EndpointConfig.request": "ccdb778aed8208e2",
    "rasa.core.processor.MessageProcessor.parse_message": "b98d8e49b9f2c433",
    "rasa.core.run.configure_app": "72da30416f74c648",
    "rasa.core.tracker_store.create_engine_kwargs": "dff5f092362096da",
    "rasa.core.tracker_store.SQLTrackerStore.__init__": "64e704d159dfa35b",
    "rasa.core.agent.Agent.handle_message": "ba53507e4d5532a3",
    "rasa.core.channels.channel.register": "f6dc783f1ad3638e",
    "rasa.core.tracker_store.FailSafeTrackerStore": "84833481b14c2271",
    "rasa.core.tracker_store.SQLTrackerStore.SQLEvent": "696a0661ef7643a9",
    "rasa.core.tracker_store.SQLTrackerStore._retrieve": "c8adbf6f4b61ddd1",
    "rasa.core.tracker_store.SQLTrackerStore._event_query": "cd44f7901b860bfd",
    "rasa.core.tracker_store.SQLTrackerStore.save": "57165e46eab3de08",
    "rasa.core.tracker_store.SQLTrackerStore._additional_events": "d22f99eb863acb07",
    "rasa.core.tracker_store.SQLTrackerStore.session_scope": "6775e1ede3ec8d2d",
    "rasa.core.tracker_store.TrackerStore._stream_new_events": "a3990c70850759b8",
    "rasa.core.lock.Ticket": "55773046940aa2b4",
    "rasa.core.lock.TicketLock": "2cd46225330fb0ca",
    "rasa.core.lock_store.LockStore": "5dfc549bf88ea8d6",
    "rasa.core.lock_store.RedisLockStore": "9c6f96277dd72cc0",
    "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer"
    "._create_features": "d841f50f6649704a",
    "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier"
    "._create_X": "6f50b5eef8a879c4",
    "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier"
    ".__init__": "efe227512de8355e",
    "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier"
    ".process": "200fc5eab907e156",
    "rasa.core.channels.rest.RestInput.blueprint": "886a9338e4c2505a",
    "rasa.core.channels.rest.RestInput._extract_sender": "1a9567a3062f0ab8",
    "rasa.core.channels.rest.RestInput._extract_message": "5182b25edf8d4baa",
    "rasa.core.channels.rest.RestInput._extract_input_channel": "ca08e7f6dc2980a5",
    "sanic.http.Http.http1": "20227158ce2933f7",
    "sanic.http.Http.read": "a0ebea7e3059daa5",
    "sanic.http.Http.init_for_request": "93340efee6dfc975",
    "aiormq.channel.Channel.__init__": "e608ed34d016dff2",
    "aiormq.channel.Channel.basic_publish": "f026b95bfa785701",
    "aiormq.channel.Channel._split_body": "b727ccdba9e0bf24",
    "aiormq.channel.Channel._on_confirm": "85a2559f4a00517e",
    "aiormq.channel.Channel._confirm_delivery": "0728785506f2dadf",
    "aiormq.abc.ChannelFrame": "021dfb939a1e435e",
    "rasa.core.brokers.pika.PikaEventBroker._set_up_exchange": "80878ac43b04bc46",
    "rasa.core.brokers.pika.PikaEventBroker._bind_queue": "bf40240e00fb053f",
    "rasa.core.brokers.pika.PikaEventBroker._message": "4d9d44681b6b2788",
    "rasa_sdk.endpoint.create_app": "4f0ea292cb96d1f8",
    "sanic.http.Http.http1_request_header": "e52905046f155b29",
    "sanic_cors.extension.unapplied_cors_response_middleware": "7c02d2b0495d8d17",
}


def resolve(name: str) -> Any:
    """The object a dotted name stands for now (a module, or an attribute of one)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for part in parts[cut:]:
            found = getattr(found, part)
        return found
    raise ModuleNotFoundError(name)


def fingerprint(name: str) -> str:
    """The first 16 digits of the sha256 of the source of `name`, as installed (so in a
    process where `install()` has not replaced it)."""
    if _installed:
        raise RuntimeError("fingerprints are of upstream code: take them before install()")
    source = inspect.getsource(resolve(name))
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def version_problem(distribution: str, pinned: str) -> str | None:
    """Why the installed `distribution` is not the one the patches were derived from."""
    try:
        installed = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return f"{distribution} is not installed ({pinned} is pinned)"
    if installed == pinned:
        return None
    return f"{distribution} {installed} is installed, but its patches were derived from {pinned}"


def check_versions() -> None:
    """Refuse to go on, in one line, when an installed version is not `PINS`'s."""
    problems = [p for d, v in PINS.items() if (p := version_problem(d, v)) is not None]
    if problems:
        raise SystemExit(
            f"Balagh refuses to start: {'; '.join(problems)}. Install requirements.txt's pins, "
            "or re-derive the patches listed in docs/rasa-patches.md for the new versions."
        )


_installed = False


def install() -> None:
    """Check the versions, then patch this process's Rasa (once)."""
    global _installed
    if _installed:
        return
    check_versions()
    from bot.server import metrics
    from bot.server.patches import action_calls, doors, http, outage, reconnect, speed

    http.install()
    speed.install()
    doors.install()
    metrics.install()
    action_calls.install()
    outage.install()
    reconnect.install()
    _installed = True


def markdown() -> str:
    """docs/rasa-patches.md."""
    lines = [
        "# Rasa patches",
        "",
        "<!-- Generated from `bot/server/patches/__init__.py` by "
        "`python -m bot.server.patches > docs/rasa-patches.md`; a test checks it. -->",
        "",
        "Balagh replaces, wraps, subclasses or relies on private code of these versions only; "
        "the Rasa server (`python -m bot.server.rasa_server`: `run`, `shell`, `test core`) "
        "refuses to start on any other, the action server checks rasa-sdk and the desk "
        "aiormq. `tests/unit/test_patches.py` fingerprints the source of every upstream "
        "function below: after an upgrade it names each patch to re-derive.",
        "",
        "| package | pinned |",
        "|---|---|",
        *(f"| {distribution} | {version} |" for distribution, version in PINS.items()),
        "",
        "| target | how | by | why | tests |",
        "|---|---|---|---|---|",
    ]
    for patch in PATCHES:
        tests = "<br>".join(f"`{test}`" for test in patch.tests)
        lines.append(f"| `{patch.target}` | {patch.how} | `{patch.by}` | {patch.why} | {tests} |")
    lines += [
        "",
        "## Upstream code each patch was derived from",
        "",
        "| source | fingerprint | patch |",
        "|---|---|---|",
    ]
    for patch in PATCHES:
        for source in patch.sources:
            lines.append(f"| `{source}` | `{FINGERPRINTS.get(source)}` | `{patch.target}` |")
    return "\n".join(lines) + "\n"


def fingerprints_source() -> str:
    """The `FINGERPRINTS` block below, computed from the installed packages."""
    lines = ["FINGERPRINTS = {"]
    for source in dict.fromkeys(source for patch in PATCHES for source in patch.sources):
        value = f'"{fingerprint(source)}",'
        if len(f'    "{source}": {value}') <= 100:
            lines.append(f'    "{source}": {value}')
        else:  # split the name at a dot
            cut = source.rindex(".", 0, 90)
            lines += [f'    "{source[:cut]}"', f'    "{source[cut:]}": {value}']
    return "\n".join([*lines, "}"]) + "\n"
