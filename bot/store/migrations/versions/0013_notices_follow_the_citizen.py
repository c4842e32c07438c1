"""notices follow the citizen: routes, reach, SMS opt-outs, web chat presence

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("updates_choice", sa.String(length=16), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("route", sa.String(length=16), nullable=False, server_default="conversation")
        )
        batch.add_column(
            sa.Column("when_away", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("reached_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("skipped", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("provider_sid", sa.String(length=64), nullable=True))
    # Notices shown before 0.14 reached the conversation that filed the report.
    op.execute("UPDATE outbox SET reached_at = delivered_at WHERE delivered_at IS NOT NULL")
    op.create_table(
        "sms_opt_outs",
        sa.Column("mobile_hash", sa.String(length=64), primary_key=True),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "web_presence",
        sa.Column("conversation_id", sa.String(length=255), primary_key=True),
        sa.Column("sockets", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_presence")
    op.drop_table("sms_opt_outs")
    with op.batch_alter_table("outbox") as batch:
        for column in ("provider_sid", "skipped", "reached_at", "when_away", "route"):
            batch.drop_column(column)
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("updates_choice")
