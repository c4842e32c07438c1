"""ownership grants

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ownership_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("report_number", sa.String(length=32), nullable=False),
        sa.Column("proof", sa.String(length=32), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_ownership_grants_conversation_report",
        "ownership_grants",
        ["conversation_id", "report_number"],
    )


def downgrade() -> None:
    op.drop_index("ix_ownership_grants_conversation_report", table_name="ownership_grants")
    op.drop_table("ownership_grants")
