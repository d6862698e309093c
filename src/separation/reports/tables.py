"""The reports' tables: published public reports (the only thing public pages read) and the accounts of
city help to criminal investigations with an immigration angle (the 2025 amendments' report fields).

Both are append-only: a newer row supersedes an older one; nothing is updated or deleted. Declared on the
register's metadata so that migrations and models are compared as one schema (migration ``r0100``).
"""

from __future__ import annotations

import sqlalchemy as sa

from separation.register.models import Base

__all__ = ["investigation_accounts", "published_reports"]

published_reports = sa.Table(
    "published_reports",
    Base.metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("published_at", sa.String(40), nullable=False, index=True),
    sa.Column("period_from", sa.Date, nullable=False),
    sa.Column("period_to", sa.Date, nullable=False),
    sa.Column("published_by", sa.String(36), nullable=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)

investigation_accounts = sa.Table(
    "investigation_accounts",
    Base.metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("request_id", sa.String(36), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("recorded_by", sa.String(36), nullable=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)
