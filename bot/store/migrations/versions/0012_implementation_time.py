"""implementation time of an accepted report

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("implementation_time", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("implementation_time")
