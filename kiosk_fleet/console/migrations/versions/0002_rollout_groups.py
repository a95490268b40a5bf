"""rollouts keep their group rules and target prefix (the console signs admissions from them)

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rollouts') as batch:
        batch.add_column(sa.Column('groups', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('prefix', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('rollouts') as batch:
        batch.drop_column('prefix')
        batch.drop_column('groups')
