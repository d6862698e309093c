"""The register's reads, scoped by role: clerks see their own department's records; attorneys and
auditors see all; only attorneys see descriptions and complaint texts."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from separation.errors import InputError, NotFoundError
from separation.register.auth import Principal
from separation.register.db import Database
from separation.register.enums import ComplaintStatus, ObligationState, Role
from separation.register.models import (
    Complaint,
    ComplaintText,
    DecisionRecord,
    Event,
    ObligationRecord,
    RequestDescription,
    RequestRecord,
)

__all__ = [
    "MAX_PAGE",
    "RequestFilter",
    "get_request",
    "list_complaints",
    "list_obligations",
    "list_requests",
    "obligation_state",
]

MAX_PAGE = 500


@dataclass(frozen=True)
class RequestFilter:
    outcome: str | None = None
    agency: str | None = None
    ask: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    limit: int = 50
    offset: int = 0


def _page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(f"must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InputError("must not be negative", field="offset")


def obligation_state(state: str, due: dt.date | None, today: dt.date) -> ObligationState:
    """``overdue`` is derived: open, with a due date before today."""
    parsed = ObligationState(state)
    if parsed is ObligationState.open and due is not None and due < today:
        return ObligationState.overdue
    return parsed


def _clerk_may_see(principal: Principal, department: str | None, filed_by: str | None) -> bool:
    """Clerks see their department's requests and those they filed themselves; other roles see all."""
    if principal.role is not Role.clerk:
        return True
    return department == principal.department or filed_by == principal.user_id


def _request_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "caller_ref": row.caller_ref,
        "received_at": row.received_at,
        "department": row.department,
        "agency": row.agency,
        "asks": [a for a in row.asks.split(",") if a],
        "outcome": row.final_outcome,
        "proposed_outcome": row.proposed_outcome,
        "review_state": row.review_state.value if hasattr(row.review_state, "value") else row.review_state,
        "pack": {"id": row.pack_id, "version": row.pack_version},
        "filed_at": row.filed_at,
        "seq": row.filed_seq,
    }


_SUMMARY_COLS = (
    RequestRecord.id,
    RequestRecord.caller_ref,
    RequestRecord.received_at,
    RequestRecord.department,
    RequestRecord.agency,
    RequestRecord.asks,
    RequestRecord.final_outcome,
    RequestRecord.proposed_outcome,
    RequestRecord.review_state,
    RequestRecord.pack_id,
    RequestRecord.pack_version,
    RequestRecord.filed_at,
    RequestRecord.filed_seq,
)


def list_requests(
    db: Database, principal: Principal, filters: RequestFilter, *, include_description: bool = False
) -> dict[str, Any]:
    _page(filters.limit, filters.offset)
    if include_description and principal.role is not Role.attorney:
        raise InputError("only the attorney role may list descriptions", field="include_description")
    conds: list[sa.ColumnElement[bool]] = []
    if principal.role is Role.clerk:
        conds.append(
            sa.or_(
                RequestRecord.department == principal.department, RequestRecord.filed_by == principal.user_id
            )
        )
    if filters.outcome:
        conds.append(RequestRecord.final_outcome == filters.outcome)
    if filters.agency:
        conds.append(sa.func.lower(RequestRecord.agency) == filters.agency.lower())
    if filters.ask:
        conds.append(RequestRecord.asks.contains(f",{filters.ask},", autoescape=True))
    if filters.received_from:
        conds.append(RequestRecord.received_on >= filters.received_from)
    if filters.received_to:
        conds.append(RequestRecord.received_on <= filters.received_to)
    with db.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(RequestRecord).where(*conds)).scalar_one()
        rows = conn.execute(
            sa.select(*_SUMMARY_COLS)
            .where(*conds)
            .order_by(RequestRecord.filed_seq.desc())
            .limit(filters.limit)
            .offset(filters.offset)
        ).all()
        items = [_request_summary(r) for r in rows]
        if include_description and items:
            texts = dict(
                conn.execute(
                    sa.select(RequestDescription.request_id, RequestDescription.description).where(
                        RequestDescription.request_id.in_([i["id"] for i in items])
                    )
                ).all()
            )
            for item in items:
                item["description"] = texts.get(str(item["id"]))
    return {"total": total, "limit": filters.limit, "offset": filters.offset, "items": items}


def get_request(db: Database, principal: Principal, request_id: str, today: dt.date) -> dict[str, Any]:
    """One request with its decisions, obligations and event timeline."""
    with db.read() as conn:
        row = conn.execute(
            sa.select(*_SUMMARY_COLS, RequestRecord.request_json, RequestRecord.filed_by).where(
                RequestRecord.id == request_id
            )
        ).one_or_none()
        if row is None or not _clerk_may_see(principal, row.department, row.filed_by):
            raise NotFoundError("no such request")
        out = _request_summary(row)
        out["request"] = json.loads(row.request_json)
        if principal.role is Role.attorney:
            out["request"]["description"] = conn.execute(
                sa.select(RequestDescription.description).where(RequestDescription.request_id == request_id)
            ).scalar()
        decisions = conn.execute(
            sa.select(DecisionRecord.__table__)
            .where(DecisionRecord.request_id == request_id)
            .order_by(DecisionRecord.seq)
        ).all()
        out["decisions"] = [
            {
                "id": d.id,
                "stage": d.stage.value,
                "outcome": d.outcome,
                "pack_version": d.pack_version,
                "decision": json.loads(d.decision_json) if d.decision_json else None,
                "reason": d.reason,
                "decided_by": d.decided_by,
                "decided_at": d.decided_at,
                "seq": d.seq,
            }
            for d in decisions
        ]
        out["decision"] = out["decisions"][0]["decision"] if out["decisions"] else None
        out["obligations"] = [
            _obligation(o, today)
            for o in conn.execute(
                sa.select(ObligationRecord.__table__)
                .where(ObligationRecord.request_id == request_id)
                .order_by(ObligationRecord.due)
            ).all()
        ]
        out["timeline"] = [
            {
                "seq": e.seq,
                "at": e.at,
                "kind": e.kind.value,
                "actor": e.actor,
                "subject": {"type": e.subject_type, "id": e.subject_id},
                "body": json.loads(e.body),
                "hash": e.hash,
            }
            for e in conn.execute(
                sa.select(Event.__table__).where(Event.request_id == request_id).order_by(Event.seq)
            ).all()
        ]
    return out


def _obligation(o: Any, today: dt.date) -> dict[str, Any]:
    return {
        "id": o.id,
        "request_id": o.request_id,
        "department": o.department,
        "kind": o.kind,
        "due": o.due.isoformat() if o.due else None,
        "rule": o.rule,
        "citation": o.citation,
        "state": obligation_state(o.state, o.due, today).value,
        "opened_at": o.opened_at,
        "closed_by": o.closed_by,
        "closed_at": o.closed_at,
    }


def list_obligations(
    db: Database, principal: Principal, state: ObligationState | None, today: dt.date, limit: int, offset: int
) -> dict[str, Any]:
    _page(limit, offset)
    conds: list[sa.ColumnElement[bool]] = []
    if principal.role is Role.clerk:
        conds.append(ObligationRecord.department == principal.department)
    if state is ObligationState.open:
        conds.append(ObligationRecord.state == ObligationState.open)
    elif state is ObligationState.done:
        conds.append(ObligationRecord.state == ObligationState.done)
    elif state is ObligationState.overdue:
        conds += [ObligationRecord.state == ObligationState.open, ObligationRecord.due < today]
    with db.read() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(ObligationRecord).where(*conds)
        ).scalar_one()
        rows = conn.execute(
            sa.select(ObligationRecord.__table__)
            .where(*conds)
            .order_by(ObligationRecord.due.is_(None), ObligationRecord.due, ObligationRecord.id)
            .limit(limit)
            .offset(offset)
        ).all()
        items = [_obligation(o, today) for o in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def list_complaints(
    db: Database, principal: Principal, status: ComplaintStatus | None, limit: int, offset: int
) -> dict[str, Any]:
    _page(limit, offset)
    conds: list[sa.ColumnElement[bool]] = []
    if principal.role is Role.clerk:
        conds.append(
            sa.or_(Complaint.department == principal.department, Complaint.filed_by == principal.user_id)
        )
    if status is not None:
        conds.append(Complaint.status == status)
    with db.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(Complaint).where(*conds)).scalar_one()
        rows = conn.execute(
            sa.select(Complaint.__table__)
            .where(*conds)
            .order_by(Complaint.filed_at.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        items: list[dict[str, Any]] = [
            {
                "id": c.id,
                "received_at": c.received_at,
                "department": c.department,
                "category": c.category.value,
                "anonymous": c.anonymous,
                "status": c.status.value,
                "disposition": c.disposition.value if c.disposition else None,
                "filed_at": c.filed_at,
                "updated_at": c.updated_at,
            }
            for c in rows
        ]
        if principal.role is Role.attorney and items:
            texts = {
                t.complaint_id: t
                for t in conn.execute(
                    sa.select(ComplaintText.__table__).where(
                        ComplaintText.complaint_id.in_([i["id"] for i in items])
                    )
                ).all()
            }
            for item in items:
                t = texts.get(item["id"])
                item["narrative"] = t.narrative if t else None
                item["contact"] = t.contact if t else None
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def request_for_letter(db: Database, principal: Principal, request_id: str) -> dict[str, Any]:
    """What a letter may show: the request as received (no description) and the final decision."""
    with db.read() as conn:
        row = conn.execute(
            sa.select(
                RequestRecord.department,
                RequestRecord.filed_by,
                RequestRecord.request_json,
                RequestRecord.review_state,
                RequestRecord.final_outcome,
            ).where(RequestRecord.id == request_id)
        ).one_or_none()
        if row is None or not _clerk_may_see(principal, row.department, row.filed_by):
            raise NotFoundError("no such request")
        decisions = conn.execute(
            sa.select(DecisionRecord.stage, DecisionRecord.decision_json, DecisionRecord.reason)
            .where(DecisionRecord.request_id == request_id)
            .order_by(DecisionRecord.seq)
        ).all()
    proposed = json.loads(decisions[0].decision_json)
    last = decisions[-1]
    return {
        "id": request_id,
        "request": json.loads(row.request_json),
        "decision": proposed,
        "review_state": row.review_state.value if hasattr(row.review_state, "value") else row.review_state,
        "final_outcome": row.final_outcome,
        "review_reason": last.reason if len(decisions) > 1 else None,
    }
