"""The register's tables (SQLAlchemy 2 declarative models).

``events`` is the record: an append-only hash chain. Every other table is a projection, written only in the
same transaction as the event that justifies it, so the current state can always be rebuilt from events.
Request descriptions and complaint narratives sit apart in their own tables (``*_texts``) so that nothing
else (events included) ever holds them; events carry a salted hash of them instead.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from separation.register.enums import (
    ComplaintCategory,
    ComplaintStatus,
    Disposition,
    EventKind,
    ObligationState,
    ReviewState,
    Role,
)

__all__ = [
    "Base",
    "ChainHead",
    "Complaint",
    "ComplaintText",
    "DecisionRecord",
    "Event",
    "ObligationRecord",
    "RequestDescription",
    "RequestRecord",
    "Token",
    "User",
    "enum_type",
    "table",
]

ID = sa.String(36)
TS = sa.String(
    40
)  # ISO 8601 text: the same bytes on SQLite and PostgreSQL, so hashes never depend on the driver


def enum_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint listing the values."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    pass


def table(model: type[Base]) -> sa.Table:
    """The Core table of a model (Core statements skip the ORM's per-row work on the hot path)."""
    found = model.__table__
    assert isinstance(found, sa.Table)
    return found


class Event(Base):
    """One entry of the ledger. ``hash`` = SHA-256(``prev_hash`` + canonical JSON of the other columns)."""

    __tablename__ = "events"
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(TS)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, "event_kind"))
    actor: Mapped[str | None] = mapped_column(ID)
    subject_type: Mapped[str] = mapped_column(sa.String(20))
    subject_id: Mapped[str] = mapped_column(ID)
    request_id: Mapped[str | None] = mapped_column(ID, index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class ChainHead(Base):
    """The single row writers lock to append; also the head that ``verify`` compares with the last event."""

    __tablename__ = "chain_head"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    department: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[str] = mapped_column(TS)


class Token(Base):
    """API tokens, stored only as the SHA-256 of the secret."""

    __tablename__ = "tokens"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[str] = mapped_column(TS)
    revoked_at: Mapped[str | None] = mapped_column(TS)


class RequestRecord(Base):
    """A request as received (its JSON without the description) and where its decision stands."""

    __tablename__ = "requests"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    caller_ref: Mapped[str | None] = mapped_column(sa.String(200))
    received_at: Mapped[str] = mapped_column(TS)
    received_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    department: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    agency: Mapped[str | None] = mapped_column(sa.String(200))
    asks: Mapped[str] = mapped_column(sa.String(400))  # ",hold,transfer," so one LIKE finds an ask
    request_json: Mapped[str] = mapped_column(sa.Text)
    filed_by: Mapped[str | None] = mapped_column(ID)
    filed_at: Mapped[str] = mapped_column(TS)
    filed_seq: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    pack_id: Mapped[str] = mapped_column(sa.String(80))
    pack_version: Mapped[str] = mapped_column(sa.String(80))
    proposed_outcome: Mapped[str] = mapped_column(sa.String(10))
    final_outcome: Mapped[str] = mapped_column(sa.String(10), index=True)
    review_state: Mapped[ReviewState] = mapped_column(enum_type(ReviewState, "review_state"))


class RequestDescription(Base):
    """The free-text description, apart from everything else; only the attorney role reads it."""

    __tablename__ = "request_descriptions"
    request_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("requests.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.Text)


class DecisionRecord(Base):
    """Every decision on a request: the engine's proposal, then each attorney review."""

    __tablename__ = "decisions"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    request_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("requests.id"), index=True)
    stage: Mapped[ReviewState] = mapped_column(enum_type(ReviewState, "decision_stage"))
    outcome: Mapped[str] = mapped_column(sa.String(10))
    pack_version: Mapped[str] = mapped_column(sa.String(80))
    decision_json: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by: Mapped[str | None] = mapped_column(ID)
    decided_at: Mapped[str] = mapped_column(TS)
    seq: Mapped[int] = mapped_column(sa.BigInteger)


class ObligationRecord(Base):
    __tablename__ = "obligations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    request_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("requests.id"), index=True)
    department: Mapped[str | None] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))
    due: Mapped[dt.date | None] = mapped_column(sa.Date, index=True)
    rule: Mapped[str] = mapped_column(sa.String(80))
    citation: Mapped[str] = mapped_column(sa.String(400))
    state: Mapped[ObligationState] = mapped_column(enum_type(ObligationState, "obligation_state"), index=True)
    opened_at: Mapped[str] = mapped_column(TS)
    closed_by: Mapped[str | None] = mapped_column(ID)
    closed_at: Mapped[str | None] = mapped_column(TS)


class Complaint(Base):
    __tablename__ = "complaints"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    received_at: Mapped[str] = mapped_column(TS)
    department: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    category: Mapped[ComplaintCategory] = mapped_column(enum_type(ComplaintCategory, "complaint_category"))
    anonymous: Mapped[bool] = mapped_column(sa.Boolean)
    status: Mapped[ComplaintStatus] = mapped_column(enum_type(ComplaintStatus, "complaint_status"))
    disposition: Mapped[Disposition | None] = mapped_column(enum_type(Disposition, "disposition"))
    filed_by: Mapped[str | None] = mapped_column(ID)
    filed_at: Mapped[str] = mapped_column(TS)
    updated_by: Mapped[str | None] = mapped_column(ID)
    updated_at: Mapped[str | None] = mapped_column(TS)


class ComplaintText(Base):
    """What the complainant said and how to reach them (absent when anonymous), apart from the rest."""

    __tablename__ = "complaint_texts"
    complaint_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("complaints.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(sa.String(32))
    narrative: Mapped[str | None] = mapped_column(sa.Text)
    contact: Mapped[str | None] = mapped_column(sa.Text)
