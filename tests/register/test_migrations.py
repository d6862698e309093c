"""The migrations build exactly the models' schema, and running them again changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from separation.register import Database
from separation.register.db import current_revision, head_revision, upgrade
from separation.register.models import Base


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_at_head(db: Database) -> None:
    upgrade(db.engine)
    upgrade(db.engine)
    assert current_revision(db.engine) == head_revision() == "r0101"
