"""the survey is never lost: satisfaction with the time taken, a stopped survey, the
citizen's rating of an agent's help

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("surveys") as batch:
        batch.add_column(sa.Column("time_score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("agent_rating", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("rated_at")
        batch.drop_column("agent_rating")
    with op.batch_alter_table("surveys") as batch:
        batch.drop_column("stopped_at")
        batch.drop_column("time_score")
