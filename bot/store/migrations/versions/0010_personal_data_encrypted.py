"""personal data encrypted at rest

Names, national IDs and mobiles of the reports are encrypted (AES-GCM, `bot.store.crypto`,
with `BALAGH_DATA_KEY`) and found through keyed hashes: the hash columns and their
indexes are added (the national ID's own index, useless on ciphertext, goes), the three
columns become TEXT on PostgreSQL (a ciphertext is longer than the clear value; SQLite
does not enforce lengths), and every existing row is encrypted, in batches.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00
"""

import sqlalchemy as sa
from alembic import op

from bot.store.crypto import reencrypt_reports

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = {"beneficiary_name": 200, "national_id": 10, "mobile": 16}


def upgrade() -> None:
    op.add_column("reports", sa.Column("national_id_hash", sa.String(length=64), nullable=True))
    op.add_column("reports", sa.Column("mobile_hash", sa.String(length=64), nullable=True))
    op.drop_index("ix_reports_national_id", table_name="reports")
    op.create_index("ix_reports_national_id_hash", "reports", ["national_id_hash"])
    op.create_index("ix_reports_mobile_hash", "reports", ["mobile_hash"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for column, length in COLUMNS.items():
            op.alter_column(
                "reports", column, type_=sa.Text(), existing_type=sa.String(length=length)
            )
    reencrypt_reports(bind)


def downgrade() -> None:
    bind = op.get_bind()
    reencrypt_reports(bind, decrypt=True)
    if bind.dialect.name == "postgresql":
        for column, length in COLUMNS.items():
            op.alter_column(
                "reports", column, type_=sa.String(length=length), existing_type=sa.Text()
            )
    op.drop_index("ix_reports_mobile_hash", table_name="reports")
    op.drop_index("ix_reports_national_id_hash", table_name="reports")
    op.create_index("ix_reports_national_id", "reports", ["national_id"])
    op.drop_column("reports", "mobile_hash")
    op.drop_column("reports", "national_id_hash")
