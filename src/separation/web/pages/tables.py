"""The web pages' own table: server-side sessions (only a hash of the session id is stored).

Declared on the register's metadata so that the migrations and the models are compared as one schema;
the table is created by migration ``r0100``.
"""

from __future__ import annotations

import sqlalchemy as sa

from separation.register.models import Base

__all__ = ["web_sessions"]

web_sessions = sa.Table(
    "web_sessions",
    Base.metadata,
    sa.Column("id_sha256", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(36), nullable=False, index=True),
    sa.Column("token_sha256", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
)
