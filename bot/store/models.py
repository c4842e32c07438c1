"""Tables of the reports store (same code on SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

# Defined with the rest of the report's life; re-exported for the store's users.
from bot.rules.lifecycle import REPORT_TYPES, STATUSES  # noqa: F401
from bot.store.crypto import MOBILE, NAME, NATIONAL_ID, Encrypted, hash_default

Base = declarative_base()


class Report(Base):
    """One report filed through Balagh (any of the three types)."""

    __tablename__ = "reports"

    id = Column(Integer, primary_key=True)
    number = Column(String(16), nullable=False, unique=True)
    type = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="received")
    channel = Column(String(32), nullable=False)
    conversation_id = Column(String(255), nullable=False, index=True)
    # Personal data, encrypted (AES-GCM, `bot.store.crypto`): read and written in clear by
    # the code, found through the keyed hashes (HMAC-SHA256) beside them, never compared.
    beneficiary_name = Column(Encrypted(NAME), nullable=False)
    national_id = Column(Encrypted(NATIONAL_ID), nullable=False)
    mobile = Column(Encrypted(MOBILE), nullable=False)
    national_id_hash = Column(
        String(64), index=True, default=hash_default(NATIONAL_ID, "national_id")
    )
    mobile_hash = Column(String(64), index=True, default=hash_default(MOBILE, "mobile"))
    # Who the beneficiary is (`bot.rules.beneficiary.KINDS`; None in reports filed before
    # 0.13: a citizen or resident); a visitor's nationality (with a passport); the
    # organisation that files (business, government body, non-profit).
    beneficiary_kind = Column(String(16))
    nationality = Column(String(80))
    organisation_name = Column(String(200))
    # When an accepted digitisation or suggestion will be implemented (staff, required with
    # the acceptance).
    implementation_time = Column(String(200))
    # Where the beneficiary chose to get the report's notices (`bot.rules.notices.ROUTES`
    # choice: here, sms, whatsapp); None: the default of the filing channel.
    updates_choice = Column(String(16))
    entity = Column(String(200))
    entity_key = Column(String(200))
    platform = Column(String(200))
    service = Column(String(300))
    request_channel = Column(String(32))
    trigger = Column(String(32))
    closed_topic = Column(String(16))
    sla_working_days = Column(Integer)
    prior_number = Column(String(64))
    prior_number_key = Column(String(64))
    prior_date = Column(Date)
    title = Column(String(200))
    description = Column(Text)
    details = Column(JSON, nullable=False, default=dict)
    # Names the catalogue did not know (free text kept): staff check them.
    needs_review = Column(Boolean, nullable=False, default=False, server_default=false())
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    due_on = Column(Date, nullable=False)
    # When the centre's notification of a delay (beyond 5 working days) was queued.
    delay_notified_at = Column(DateTime(timezone=True))

    history = relationship(
        "StatusChange", back_populates="report", order_by="StatusChange.id", lazy="selectin"
    )
    documents = relationship(
        "Document", back_populates="report", order_by="Document.id", lazy="selectin"
    )

    __table_args__ = (
        # One escalation per (entity, prior complaint number), unless it was cancelled:
        # the database enforces the guide's rule even when two requests race.
        Index(
            "uq_reports_escalation",
            "entity_key",
            "prior_number_key",
            unique=True,
            sqlite_where=text(
                "type = 'complaint' AND status != 'cancelled' AND prior_number_key IS NOT NULL"
            ),
            postgresql_where=text(
                "type = 'complaint' AND status != 'cancelled' AND prior_number_key IS NOT NULL"
            ),
        ),
    )


class StatusChange(Base):
    """The status history: every status a report went through, with who and why."""

    __tablename__ = "report_status_history"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    status = Column(String(16), nullable=False)
    note = Column(Text)
    actor = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)

    report = relationship("Report", back_populates="history")


class Document(Base):
    """A supporting document or screenshot attached to a report."""

    __tablename__ = "report_documents"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(16), nullable=False)  # screenshot | supporting
    reference = Column(Text, nullable=False)  # URL or stored file name
    content_type = Column(String(100))
    created_at = Column(DateTime(timezone=True), nullable=False)

    report = relationship("Report", back_populates="documents")


class ReportCounter(Base):
    """Per-year counter behind report numbers (row-locked increment = unique numbers)."""

    __tablename__ = "report_counters"

    year = Column(Integer, primary_key=True, autoincrement=False)
    last_value = Column(Integer, nullable=False, default=0)


class OutboxMessage(Base):
    """A notification to deliver, written in the same transaction as its cause.

    The desk's dispatcher delivers pending rows at least once (retrying with backoff);
    `delivered_at` is set by the action that shows the message, once, so a redelivery
    never reaches the user twice.
    """

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    kind = Column(String(32), nullable=False)
    payload = Column(JSON, nullable=False, default=dict)
    created_at = Column(DateTime(timezone=True), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False)
    last_error = Column(Text)
    dispatched_at = Column(DateTime(timezone=True))
    delivered_at = Column(DateTime(timezone=True))
    # How the notice goes (`bot.rules.notices`): `conversation` (shown in the conversation
    # that filed the report), `sms` or `whatsapp` (sent by the desk to the report's mobile);
    # `when_away`: only if the web chat citizen is not connected when it is due.
    route = Column(
        String(16), nullable=False, default="conversation", server_default="conversation"
    )
    when_away = Column(Boolean, nullable=False, default=False, server_default=false())
    # When the citizen was reached (a person could see it: a connected or non-web
    # conversation, Twilio accepted the message); None while not, or never. The 48 hours
    # of a missing-data notice start here.
    reached_at = Column(DateTime(timezone=True))
    # Why a route was not used (`present`, `opted_out`, `no_mobile`, `undeliverable`).
    skipped = Column(String(32))
    provider_sid = Column(String(64))

    __table_args__ = (Index("ix_outbox_pending", "dispatched_at", "next_attempt_at"),)


class SmsOptOut(Base):
    """A mobile that asked for no more SMS («إيقاف», STOP, or Twilio's error 21610), by
    its keyed hash; «تشغيل» / START clears it. Kept with when and how, for the record."""

    __tablename__ = "sms_opt_outs"

    mobile_hash = Column(String(64), primary_key=True)
    opted_out = Column(Boolean, nullable=False)
    source = Column(String(32), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)


class WebPresence(Base):
    """How many browser sockets a web chat conversation has open (any replica): a notice
    for a citizen with none goes by SMS too."""

    __tablename__ = "web_presence"

    conversation_id = Column(String(255), primary_key=True)
    sockets = Column(Integer, nullable=False, default=0, server_default="0")
    seen_at = Column(DateTime(timezone=True), nullable=False)


class SurveyAnswer(Base):
    """The satisfaction survey of one report (one per report; partial answers kept)."""

    __tablename__ = "surveys"

    id = Column(Integer, primary_key=True)
    report_id = Column(
        Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    solution_score = Column(Integer)
    handling_score = Column(Integer)
    effort_score = Column(Integer)
    useful = Column(Boolean)
    comment = Column(Text)
    completed = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    # Satisfaction with the time the report took (1–5, asked since 0.14).
    time_score = Column(Integer)
    # The citizen stopped the survey («إلغاء»): no reminder is sent.
    stopped_at = Column(DateTime(timezone=True))


class AccessAttempt(Base):
    """A failed attempt to prove ownership with the last digits of the ID (before 0.13):
    kept for the rows already stored; one-time codes (`OneTimeCode`) replaced it."""

    __tablename__ = "access_attempts"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    report_number = Column(String(32), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False)


class OwnershipGrant(Base):
    """A conversation proved it may act on a report it did not file: the actions check
    this row (never a slot of the tracker) each time they show, change or cancel it."""

    __tablename__ = "ownership_grants"
    __table_args__ = (
        Index("ix_ownership_grants_conversation_report", "conversation_id", "report_number"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    report_number = Column(String(32), nullable=False)
    proof = Column(String(32), nullable=False)
    granted_at = Column(DateTime(timezone=True), nullable=False)


class OneTimeCode(Base):
    """A one-time code sent to a mobile: to verify the mobile a citizen gives
    (`purpose` "mobile"), or to prove ownership of a report from another conversation
    ("report"). Neither the code nor the mobile is kept: only their keyed hashes
    (`bot.store.codes`). `verified_at` is set once the right code was entered; rows
    with `via` "channel" record a WhatsApp or SMS number that is the channel's own."""

    __tablename__ = "one_time_codes"
    __table_args__ = (
        Index("ix_one_time_codes_conversation", "conversation_id", "purpose", "created_at"),
        Index("ix_one_time_codes_mobile", "mobile_key", "created_at"),
        Index("ix_one_time_codes_client", "client_key", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    purpose = Column(String(16), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    mobile_key = Column(String(64), nullable=False)
    report_number = Column(String(32))
    client_key = Column(String(64))
    code_key = Column(String(64))  # None when Twilio Verify holds the code
    via = Column(String(16), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    verified_at = Column(DateTime(timezone=True))


class InboundMessage(Base):
    """Messages received from Twilio, by MessageSid: a redelivery is processed once, and
    the last inbound time tells whether WhatsApp's 24-hour window is open."""

    __tablename__ = "inbound_messages"

    sid = Column(String(64), primary_key=True)
    channel = Column(String(16), nullable=False)
    sender = Column(String(64), nullable=False, index=True)
    received_at = Column(DateTime(timezone=True), nullable=False)


class PendingChoices(Base):
    """The numbered choices last offered to a user on a channel without buttons."""

    __tablename__ = "pending_choices"

    conversation_id = Column(String(255), primary_key=True)
    payloads = Column(JSON, nullable=False)
    offered_at = Column(DateTime(timezone=True), nullable=False)


class OutboundMessage(Base):
    """Every message sent through Twilio, with its fate: nothing is silently dropped."""

    __tablename__ = "outbound_messages"

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    recipient = Column(String(64), nullable=False, index=True)
    body = Column(Text)
    template_sid = Column(String(64))
    status = Column(String(16), nullable=False)  # queued | retrying | sent | failed
    attempts = Column(Integer, nullable=False, default=0)
    twilio_sid = Column(String(64))
    error_code = Column(Integer)
    error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)


class Handoff(Base):
    """A conversation handed to a person: waiting in the queue, held by an agent, or ended."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    reason = Column(String(32), nullable=False)  # asked | not_understood | dispute
    status = Column(String(16), nullable=False)  # waiting | active | returned | closed
    agent = Column(String(64))
    summary = Column(JSON, nullable=False, default=dict)
    created_at = Column(DateTime(timezone=True), nullable=False)
    taken_at = Column(DateTime(timezone=True))
    ended_at = Column(DateTime(timezone=True))
    announced_at = Column(DateTime(timezone=True))  # told to the agents' Telegram chat
    # The citizen's rating (1–5) of the agent's help, asked once the chat was handed back
    # or closed (`bot.store.surveys.rate_handoff`); None when not (yet) answered.
    agent_rating = Column(Integer)
    rated_at = Column(DateTime(timezone=True))

    __table_args__ = (
        # At most one open hand-off per conversation.
        Index(
            "uq_handoffs_open",
            "conversation_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'active')"),
            postgresql_where=text("status IN ('waiting', 'active')"),
        ),
    )


class AuditEntry(Base):
    """Every agent action (take, reply, hand back, close, reveal, status change)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    actor = Column(String(64), nullable=False, index=True)
    action = Column(String(32), nullable=False)
    conversation_id = Column(String(255))
    report_number = Column(String(16))
    detail = Column(JSON, nullable=False, default=dict)
    created_at = Column(DateTime(timezone=True), nullable=False)


class Agent(Base):
    """A person at the desk: an agent, or a supervisor (sees every queue, reassigns)."""

    __tablename__ = "agents"

    username = Column(String(64), primary_key=True)
    display_name = Column(String(128), nullable=False)
    password_hash = Column(String(256), nullable=False)
    role = Column(String(16), nullable=False)  # agent | supervisor
    telegram_user_id = Column(String(32), unique=True)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False)


class AgentSession(Base):
    """A signed-in agent; only the token's SHA-256 is stored, and it expires."""

    __tablename__ = "agent_sessions"

    token_hash = Column(String(64), primary_key=True)
    username = Column(String(64), ForeignKey("agents.username", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class ReopenRequest(Base):
    """The beneficiary asked for a closed report to be reopened (`bot.rules.lifecycle`):
    pending until staff accept (the report goes back to review) or refuse (with a reason)."""

    __tablename__ = "reopen_requests"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    reason = Column(Text, nullable=False)
    requested_at = Column(DateTime(timezone=True), nullable=False)
    decision = Column(String(16))  # accept | refuse; None while pending
    decision_note = Column(Text)
    decided_by = Column(String(64))
    decided_at = Column(DateTime(timezone=True))

    __table_args__ = (Index("ix_reopen_requests_report", "report_id"),)


# The agents' desk (issue 21, items 2 and 5): canned replies, internal notes and transfers,
# and when each agent last opened each chat (`bot/store/desk_extras.py`).


class CannedReply(Base):
    """A ready reply in Arabic that agents insert in a chat (supervisors manage them), with
    placeholders (`bot.rules.canned_replies.PLACEHOLDERS`) filled when inserted."""

    __tablename__ = "canned_replies"

    id = Column(Integer, primary_key=True)
    title = Column(String(80), nullable=False, unique=True)
    body = Column(Text, nullable=False)
    created_by = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_by = Column(String(64), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)


class HandoffNote(Base):
    """An internal note on a hand-off, for agents only: stored and shown in the console,
    never sent to the citizen. A transfer writes one too (`kind` transfer, `to_agent`)."""

    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False)
    author = Column(String(64), nullable=False)
    kind = Column(String(16), nullable=False)  # note | transfer
    to_agent = Column(String(64))
    body = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)

    __table_args__ = (Index("ix_handoff_notes_handoff", "handoff_id"),)


class HandoffRead(Base):
    """When an agent last opened a chat (read its transcript): the citizen's messages after
    it are unread for that agent."""

    __tablename__ = "handoff_reads"

    handoff_id = Column(
        Integer,
        ForeignKey("handoffs.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    agent = Column(String(64), primary_key=True)
    read_at = Column(DateTime(timezone=True), nullable=False)


# The corrective-actions register (issue 20, item 7; `bot/store/corrective_actions.py`).


class CorrectiveAction(Base):
    """An action the centre takes on what beneficiaries said, as the operators'
    corrective-actions reports keep it: against an entity or a theme (at least one), of a
    type (`bot.rules.labels.CORRECTIVE_ACTION_TYPES`: technical, staff, procedures, outputs)
    and a status (planned, in progress, done), with who recorded and last changed it and
    when it started and was done."""

    __tablename__ = "corrective_actions"

    id = Column(Integer, primary_key=True)
    entity = Column(String(200))
    theme = Column(String(200))
    type = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False)
    description = Column(Text, nullable=False)
    created_by = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_by = Column(String(64), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    # When it first went in progress (or straight to done), and when it was done (None
    # while it is not: a done action put back in progress is open again).
    started_at = Column(DateTime(timezone=True))
    done_at = Column(DateTime(timezone=True))

    __table_args__ = (Index("ix_corrective_actions_created", "created_at"),)
