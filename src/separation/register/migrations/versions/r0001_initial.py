"""The initial register: the ledger, its head, users and tokens, requests, decisions, obligations, complaints.

Revision ID: r0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True, length=max(len(v) for v in values)
    )


ID = sa.String(36)
TS = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", TS, nullable=False),
        sa.Column(
            "kind",
            _enum(
                "event_kind",
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
            ),
            nullable=False,
        ),
        sa.Column("actor", ID, nullable=True),
        sa.Column("subject_type", sa.String(20), nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("request_id", ID, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_events_request_id", "events", ["request_id"])
    head = op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "users",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", _enum("role", "clerk", "attorney", "auditor", "admin"), nullable=False),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", ID, primary_key=True),
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_tokens_user_id", "tokens", ["user_id"])
    op.create_table(
        "requests",
        sa.Column("id", ID, primary_key=True),
        sa.Column("caller_ref", sa.String(200), nullable=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("agency", sa.String(200), nullable=True),
        sa.Column("asks", sa.String(400), nullable=False),
        sa.Column("request_json", sa.Text, nullable=False),
        sa.Column("filed_by", ID, nullable=True),
        sa.Column("filed_at", TS, nullable=False),
        sa.Column("filed_seq", sa.BigInteger, nullable=False),
        sa.Column("pack_id", sa.String(80), nullable=False),
        sa.Column("pack_version", sa.String(80), nullable=False),
        sa.Column("proposed_outcome", sa.String(10), nullable=False),
        sa.Column("final_outcome", sa.String(10), nullable=False),
        sa.Column(
            "review_state", _enum("review_state", "proposed", "confirmed", "overridden"), nullable=False
        ),
    )
    op.create_index("ix_requests_received_on", "requests", ["received_on"])
    op.create_index("ix_requests_department", "requests", ["department"])
    op.create_index("ix_requests_filed_seq", "requests", ["filed_seq"])
    op.create_index("ix_requests_final_outcome", "requests", ["final_outcome"])
    op.create_table(
        "request_descriptions",
        sa.Column("request_id", ID, sa.ForeignKey("requests.id"), primary_key=True),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("request_id", ID, sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("stage", _enum("decision_stage", "proposed", "confirmed", "overridden"), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("pack_version", sa.String(80), nullable=False),
        sa.Column("decision_json", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_decisions_request_id", "decisions", ["request_id"])
    op.create_table(
        "obligations",
        sa.Column("id", ID, primary_key=True),
        sa.Column("request_id", ID, sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("rule", sa.String(80), nullable=False),
        sa.Column("citation", sa.String(400), nullable=False),
        sa.Column("state", _enum("obligation_state", "open", "done", "overdue"), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_by", ID, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
    )
    op.create_index("ix_obligations_request_id", "obligations", ["request_id"])
    op.create_index("ix_obligations_due", "obligations", ["due"])
    op.create_index("ix_obligations_state", "obligations", ["state"])
    op.create_table(
        "complaints",
        sa.Column("id", ID, primary_key=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column(
            "category",
            _enum(
                "complaint_category",
                "inquiry_status",
                "information_shared",
                "detention",
                "resource_use",
                "data_access",
                "vendor",
                "retaliation",
                "other",
            ),
            nullable=False,
        ),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("status", _enum("complaint_status", "received", "investigating", "closed"), nullable=False),
        sa.Column(
            "disposition",
            _enum(
                "disposition",
                "sustained",
                "not_sustained",
                "unfounded",
                "exonerated",
                "withdrawn",
                "referred",
            ),
            nullable=True,
        ),
        sa.Column("filed_by", ID, nullable=True),
        sa.Column("filed_at", TS, nullable=False),
        sa.Column("updated_by", ID, nullable=True),
        sa.Column("updated_at", TS, nullable=True),
    )
    op.create_index("ix_complaints_department", "complaints", ["department"])
    op.create_table(
        "complaint_texts",
        sa.Column("complaint_id", ID, sa.ForeignKey("complaints.id"), primary_key=True),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("narrative", sa.Text, nullable=True),
        sa.Column("contact", sa.Text, nullable=True),
    )


def downgrade() -> None:
    for table in (
        "complaint_texts",
        "complaints",
        "obligations",
        "decisions",
        "request_descriptions",
        "requests",
        "tokens",
        "users",
        "chain_head",
        "events",
    ):
        op.drop_table(table)
