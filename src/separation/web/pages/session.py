"""Staff sessions: sign in with an access token, get a server-side session.

The cookie holds a random session id and an HMAC of it; the database holds only the id's SHA-256, the
token's SHA-256 (a revoked token ends its sessions) and the session's CSRF token. The HMAC key is derived
from the ledger's signing key, so every worker process agrees on it without another secret to manage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from separation.register.auth import Principal, authenticate, hash_token
from separation.register.db import Database
from separation.register.enums import Role
from separation.register.ledger import load_or_create_key
from separation.register.models import Token, User
from separation.register.settings import Settings
from separation.web.pages.tables import web_sessions

__all__ = [
    "COOKIE",
    "SESSION_HOURS",
    "Session",
    "cookie_secret",
    "end_session",
    "form_token",
    "load_session",
    "sign",
    "start_session",
    "unsign",
    "valid_form_token",
]

COOKIE = "sep_session"
SESSION_HOURS = 10
FORM_TOKEN_SECONDS = 4 * 3600


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str


def cookie_secret(settings: Settings) -> bytes:
    key = load_or_create_key(settings.key_path)
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return hashlib.sha256(b"separation web session v1\x00" + raw).digest()


def sign(secret: bytes, value: str) -> str:
    mac = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    return f"{value}.{mac}"


def unsign(secret: bytes, signed: str) -> str | None:
    value, _, mac = signed.rpartition(".")
    if not value or len(signed) > 300:
        return None
    good = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    return value if hmac.compare_digest(good, mac) else None


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start_session(db: Database, secret: bytes, token: str) -> tuple[str, Principal] | None:
    """Check ``token``; on success store a new session and return the signed cookie value."""
    principal = authenticate(db, token.strip())
    if principal is None:
        return None
    session_id = secrets.token_urlsafe(32)
    now = _now()

    def _job(conn: sa.Connection) -> None:
        conn.execute(sa.delete(web_sessions).where(web_sessions.c.expires_at < now.isoformat()))
        conn.execute(
            sa.insert(web_sessions).values(
                id_sha256=_sha(session_id),
                user_id=principal.user_id,
                token_sha256=hash_token(token.strip()),
                csrf=secrets.token_urlsafe(32),
                created_at=now.isoformat(),
                expires_at=(now + dt.timedelta(hours=SESSION_HOURS)).isoformat(),
            )
        )

    db.run_write(_job)
    return sign(secret, session_id), principal


_LOOKUP = (
    sa.select(User.id, User.name, User.role, User.department, web_sessions.c.csrf, web_sessions.c.expires_at)
    .select_from(web_sessions)
    .join(User, User.id == web_sessions.c.user_id)
    .join(Token, Token.token_sha256 == web_sessions.c.token_sha256)
    .where(web_sessions.c.id_sha256 == sa.bindparam("sid"), Token.revoked_at.is_(None))
)


def load_session(db: Database, secret: bytes, cookie: str | None) -> Session | None:
    if not cookie:
        return None
    session_id = unsign(secret, cookie)
    if session_id is None:
        return None
    with db.read() as conn:
        row = conn.execute(_LOOKUP, {"sid": _sha(session_id)}).one_or_none()
    if row is None or row.expires_at < _now().isoformat():
        return None
    return Session(Principal(row.id, row.name, Role(row.role), row.department), row.csrf)


def end_session(db: Database, secret: bytes, cookie: str | None) -> None:
    session_id = unsign(secret, cookie or "")
    if session_id is None:
        return
    digest = _sha(session_id)
    db.run_write(lambda conn: conn.execute(sa.delete(web_sessions).where(web_sessions.c.id_sha256 == digest)))


def form_token(secret: bytes, purpose: str, now: float | None = None) -> str:
    """A CSRF token for forms shown without a session (sign in, the public complaint form)."""
    stamp = str(int(now if now is not None else time.time()))
    return sign(secret, f"{purpose}:{stamp}")


def valid_form_token(secret: bytes, purpose: str, token: str, now: float | None = None) -> bool:
    value = unsign(secret, token)
    if value is None:
        return False
    got_purpose, _, stamp = value.partition(":")
    if got_purpose != purpose or not stamp.isdigit():
        return False
    age = (now if now is not None else time.time()) - int(stamp)
    return 0 <= age <= FORM_TOKEN_SECONDS
