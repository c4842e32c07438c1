"""beneficiary kinds: visitors, businesses, government bodies, non-profits

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("beneficiary_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("nationality", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("organisation_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("organisation_name")
        batch.drop_column("nationality")
        batch.drop_column("beneficiary_kind")
