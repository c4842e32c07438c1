"""one-time codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("mobile_key", sa.String(length=64), nullable=False),
        sa.Column("report_number", sa.String(length=32), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("code_key", sa.String(length=64), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_one_time_codes_conversation",
        "one_time_codes",
        ["conversation_id", "purpose", "created_at"],
    )
    op.create_index("ix_one_time_codes_mobile", "one_time_codes", ["mobile_key", "created_at"])
    op.create_index("ix_one_time_codes_client", "one_time_codes", ["client_key", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_one_time_codes_client", table_name="one_time_codes")
    op.drop_index("ix_one_time_codes_mobile", table_name="one_time_codes")
    op.drop_index("ix_one_time_codes_conversation", table_name="one_time_codes")
    op.drop_table("one_time_codes")
