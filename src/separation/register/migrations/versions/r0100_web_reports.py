"""Web sessions, published public reports, and accounts of help to criminal investigations.

Revision ID: r0100
Revises: r0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The tables' declarations join the register's metadata (so that models and migrations compare as one).
import separation.reports.tables
import separation.web.pages.tables  # noqa: F401

revision = "r0100"
down_revision = "r0001"
branch_labels = None
depends_on = None

ID = sa.String(36)
TS = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "published_reports",
        sa.Column("id", ID, primary_key=True),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("period_from", sa.Date, nullable=False),
        sa.Column("period_to", sa.Date, nullable=False),
        sa.Column("published_by", ID, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_published_reports_published_at", "published_reports", ["published_at"])
    op.create_table(
        "investigation_accounts",
        sa.Column("id", ID, primary_key=True),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("recorded_by", ID, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_investigation_accounts_request_id", "investigation_accounts", ["request_id"])


def downgrade() -> None:
    op.drop_table("investigation_accounts")
    op.drop_table("published_reports")
    op.drop_table("web_sessions")
