"""Alembic environment: the console passes its own connection (db.migrate); no alembic.ini."""
from __future__ import annotations

from alembic import context

from kiosk_fleet.console.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
