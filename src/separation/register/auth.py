"""Users, roles and bearer tokens. A token's secret is shown once and stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from separation.errors import InputError, NotFoundError
from separation.policy.model import Department
from separation.register.db import Database
from separation.register.enums import EventKind, Role
from separation.register.ledger import NewEvent, now_iso
from separation.register.models import Token, User
from separation.register.projections import append_and_apply

__all__ = [
    "IssuedToken",
    "Principal",
    "authenticate",
    "hash_token",
    "issue_token",
    "list_users",
    "revoke_token",
]

TOKEN_PREFIX = "sep_"  # noqa: S105 (a prefix, not a secret)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user behind a token, with the role and (for clerks) the department."""

    user_id: str
    name: str
    role: Role
    department: str | None

    def sees_all(self) -> bool:
        return self.role in (Role.attorney, Role.auditor)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    token_id: str
    user_id: str
    role: Role
    name: str
    department: str | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_user(role: str, name: str, department: str | None) -> tuple[Role, str, str | None]:
    try:
        parsed = Role(role)
    except ValueError:
        raise InputError(f"must be one of {', '.join(r.value for r in Role)}", field="role") from None
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("must be 1 to 200 characters", field="name")
    if department is not None:
        try:
            department = Department(department).value
        except ValueError:
            raise InputError(
                f"must be one of {', '.join(d.value for d in Department)}", field="department"
            ) from None
    if parsed is Role.clerk and department is None:
        raise InputError(
            "a clerk needs a department (clerks see their own department's records)", field="department"
        )
    return parsed, name, department


def issue_token(
    db: Database, *, role: str, name: str, department: str | None = None, actor: str | None = None
) -> IssuedToken:
    """Create a user and a token for them, recording both in the ledger."""
    parsed, name, department = _check_user(role, name, department)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    digest = hash_token(secret)
    user_id, token_id, at = str(uuid.uuid4()), str(uuid.uuid4()), now_iso()

    def _job(conn: sa.Connection) -> None:
        append_and_apply(
            conn,
            [
                NewEvent(
                    EventKind.user_created,
                    "user",
                    user_id,
                    {"name": name, "role": parsed.value, "department": department},
                    actor=actor,
                ),
                NewEvent(
                    EventKind.token_created,
                    "token",
                    token_id,
                    {"user_id": user_id, "token_sha256": digest},
                    actor=actor,
                ),
            ],
            at=at,
        )

    db.run_write(_job)
    return IssuedToken(secret, token_id, user_id, parsed, name, department)


def revoke_token(db: Database, token_id: str, *, actor: str | None = None) -> None:
    def _job(conn: sa.Connection) -> None:
        found = conn.execute(
            sa.select(Token.id).where(Token.id == token_id, Token.revoked_at.is_(None))
        ).scalar()
        if found is None:
            raise NotFoundError("no such active token")
        at = now_iso()
        append_and_apply(conn, [NewEvent(EventKind.token_revoked, "token", token_id, {}, actor=actor)], at=at)

    db.run_write(_job)


_LOOKUP = (
    sa.select(User.id, User.name, User.role, User.department)
    .join(Token, Token.user_id == User.id)
    .where(Token.token_sha256 == sa.bindparam("digest"), Token.revoked_at.is_(None))
)


def authenticate(db: Database, token: str) -> Principal | None:
    """The principal for a presented token, or None when it is unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with db.read() as conn:
        row = conn.execute(_LOOKUP, {"digest": hash_token(token)}).one_or_none()
    if row is None:
        return None
    return Principal(row.id, row.name, Role(row.role), row.department)


def list_users(db: Database) -> list[dict[str, object]]:
    with db.read() as conn:
        rows = conn.execute(
            sa.select(User.id, User.name, User.role, User.department, User.created_at).order_by(
                User.created_at
            )
        ).all()
        tokens = conn.execute(sa.select(Token.id, Token.user_id, Token.created_at, Token.revoked_at)).all()
    by_user: dict[str, list[dict[str, object]]] = {}
    for t in tokens:
        by_user.setdefault(t.user_id, []).append(
            {"id": t.id, "created_at": t.created_at, "revoked_at": t.revoked_at}
        )
    return [
        {
            "id": r.id,
            "name": r.name,
            "role": Role(r.role).value,
            "department": r.department,
            "created_at": r.created_at,
            "tokens": by_user.get(r.id, []),
        }
        for r in rows
    ]
