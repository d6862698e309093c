"""Read-only queries the pages need beyond the register's own (dashboard, one complaint, names), with the
same scoping rule: a clerk sees their department's records and those they filed."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from separation.errors import NotFoundError
from separation.register.auth import Principal
from separation.register.db import Database
from separation.register.enums import ReviewState, Role
from separation.register.models import ChainHead, Complaint, ComplaintText, Event, RequestRecord, User

__all__ = ["awaiting_review", "complaint_detail", "ledger_head", "user_names"]


def _request_scope(principal: Principal) -> list[sa.ColumnElement[bool]]:
    if principal.role is Role.clerk:
        return [
            sa.or_(
                RequestRecord.department == principal.department, RequestRecord.filed_by == principal.user_id
            )
        ]
    return []


def awaiting_review(db: Database, principal: Principal, limit: int = 10) -> tuple[int, list[dict[str, Any]]]:
    """Referrals the engine proposed that no attorney has reviewed yet, oldest first."""
    conds = [
        *_request_scope(principal),
        RequestRecord.proposed_outcome == "refer",
        RequestRecord.review_state == ReviewState.proposed,
    ]
    with db.read() as conn:
        total = int(
            conn.execute(sa.select(sa.func.count()).select_from(RequestRecord).where(*conds)).scalar_one()
        )
        rows = conn.execute(
            sa.select(RequestRecord.id, RequestRecord.received_at, RequestRecord.agency, RequestRecord.asks)
            .where(*conds)
            .order_by(RequestRecord.filed_seq)
            .limit(limit)
        ).all()
    return total, [
        {
            "id": r.id,
            "received_at": r.received_at,
            "agency": r.agency,
            "asks": [a for a in r.asks.split(",") if a],
        }
        for r in rows
    ]


def ledger_head(db: Database) -> tuple[int, str]:
    with db.read() as conn:
        row = conn.execute(sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).one()
    return int(row.seq), str(row.hash)


def user_names(db: Database, ids: set[str]) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    with db.read() as conn:
        return dict(conn.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def complaint_detail(db: Database, principal: Principal, complaint_id: str) -> dict[str, Any]:
    """One complaint and its history; the narrative and contact for the attorney role only."""
    with db.read() as conn:
        row = conn.execute(sa.select(Complaint.__table__).where(Complaint.id == complaint_id)).one_or_none()
        if row is None or (
            principal.role is Role.clerk
            and row.department != principal.department
            and row.filed_by != principal.user_id
        ):
            raise NotFoundError("no such complaint")
        out: dict[str, Any] = {
            "id": row.id,
            "received_at": row.received_at,
            "department": row.department,
            "category": row.category.value,
            "anonymous": row.anonymous,
            "status": row.status.value,
            "disposition": row.disposition.value if row.disposition else None,
            "filed_at": row.filed_at,
            "narrative": None,
            "contact": None,
        }
        if principal.role is Role.attorney:
            text = conn.execute(
                sa.select(ComplaintText.narrative, ComplaintText.contact).where(
                    ComplaintText.complaint_id == complaint_id
                )
            ).one_or_none()
            if text is not None:
                out["narrative"], out["contact"] = text.narrative, text.contact
        events = conn.execute(
            sa.select(Event.seq, Event.at, Event.kind, Event.actor, Event.body)
            .where(Event.subject_type == "complaint", Event.subject_id == complaint_id)
            .order_by(Event.seq)
        ).all()
    timeline = []
    for e in events:
        body = json.loads(e.body)
        timeline.append(
            {
                "seq": e.seq,
                "at": e.at,
                "kind": e.kind.value,
                "actor": e.actor,
                # Only closed-set fields of the event; a note may hold what the complainant said.
                "status": body.get("status"),
                "disposition": body.get("disposition"),
                "note": body.get("note") if principal.role is Role.attorney else None,
            }
        )
    out["timeline"] = timeline
    return out
