"""terminals remember their platform outbox backlog and since when it has not shrunk

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('terminals') as batch:
        batch.add_column(sa.Column('outbox_pending', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('outbox_since', sa.Float(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('terminals') as batch:
        batch.drop_column('outbox_since')
        batch.drop_column('outbox_pending')
