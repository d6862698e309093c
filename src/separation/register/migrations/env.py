"""Alembic environment: migrations run programmatically on a connection handed over by ``db.upgrade``."""

from __future__ import annotations

from alembic import context

from separation.register.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
