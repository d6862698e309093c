"""Investigation accounts and published reports enter the ledger: two new event kinds.

Revision ID: r0101
Revises: r0100
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0101"
down_revision = "r0100"
branch_labels = None
depends_on = None

_OLD = (
    "request.filed",
    "decision.proposed",
    "decision.reviewed",
    "obligation.opened",
    "obligation.done",
    "complaint.filed",
    "complaint.updated",
    "user.created",
    "token.created",
    "token.revoked",
)
_NEW = (*_OLD, "investigation.recorded", "report.published")


def _kinds(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values,
        name="event_kind",
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
    )


def _change(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot alter a CHECK constraint: the table is rebuilt with its rows, in order.
        with op.batch_alter_table("events", recreate="always") as batch:
            batch.alter_column("kind", existing_type=_kinds(old), type_=_kinds(new), existing_nullable=False)
        return
    op.drop_constraint("event_kind", "events", type_="check")
    op.alter_column(
        "events",
        "kind",
        existing_type=sa.String(max(len(v) for v in old)),
        type_=sa.String(max(len(v) for v in new)),
        existing_nullable=False,
    )
    op.create_check_constraint("event_kind", "events", sa.column("kind").in_(new))


def upgrade() -> None:
    _change(_OLD, _NEW)


def downgrade() -> None:
    _change(_NEW, _OLD)
