"""The register: every request, decision, override, obligation and complaint, in a tamper-evident ledger.

Storage is SQLAlchemy (SQLite by default, PostgreSQL in production) with Alembic migrations run on start.
"""

from __future__ import annotations

from separation.register.auth import IssuedToken, Principal, authenticate, issue_token, revoke_token
from separation.register.db import Database, make_engine, upgrade
from separation.register.enums import (
    ComplaintCategory,
    ComplaintStatus,
    Disposition,
    EventKind,
    ObligationState,
    ReviewAction,
    ReviewState,
    Role,
)
from separation.register.ledger import Checkpoint, Verification, check_checkpoint, make_checkpoint, verify
from separation.register.settings import Settings
from separation.register.workflow import ConflictError, FiledRequest

__all__ = [
    "Checkpoint",
    "ComplaintCategory",
    "ComplaintStatus",
    "ConflictError",
    "Database",
    "Disposition",
    "EventKind",
    "FiledRequest",
    "IssuedToken",
    "ObligationState",
    "Principal",
    "ReviewAction",
    "ReviewState",
    "Role",
    "Settings",
    "Verification",
    "authenticate",
    "check_checkpoint",
    "issue_token",
    "make_checkpoint",
    "make_engine",
    "revoke_token",
    "upgrade",
    "verify",
]
