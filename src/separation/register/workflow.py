"""The register's writes: intake, review and override, obligations, complaints.

Each write is one transaction that appends its events to the ledger and updates the projections those
events justify. Nothing is updated except projections; nothing is deleted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from separation.errors import InputError, NotFoundError, SeparationError
from separation.policy.model import Decision, Outcome, Request
from separation.register.auth import Principal
from separation.register.db import Database, insert_only
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
from separation.register.ids import new_id
from separation.register.ledger import NewEvent, insert_rows, now_iso, seal
from separation.register.models import (
    Complaint,
    ComplaintText,
    ObligationRecord,
    RequestDescription,
    RequestRecord,
    table,
)
from separation.register.projections import append_and_apply

__all__ = [
    "ConflictError",
    "FiledRequest",
    "file_complaint",
    "file_request",
    "file_request_async",
    "mark_obligation_done",
    "plan_filing",
    "review_decision",
    "update_complaint",
]

MAX_REASON = 4000


class ConflictError(SeparationError):
    """The change does not fit the record's current state (e.g. closing an obligation twice)."""


@dataclass(frozen=True)
class FiledRequest:
    id: str
    seq: int
    decision: Decision
    obligation_ids: list[str]


_DESCRIPTIONS = table(RequestDescription)


def _uuid() -> str:
    return new_id()


def file_request(db: Database, principal: Principal, request: Request, decision: Decision) -> FiledRequest:
    """Record a request as received, the engine's decision and the obligations it opens."""
    job, finish = plan_filing(principal, request, decision)
    return finish(db.run_write(job))


async def file_request_async(
    db: Database, principal: Principal, request: Request, decision: Decision
) -> FiledRequest:
    """``file_request`` for an event loop: the write runs on the writer thread; the loop is not blocked."""
    job, finish = plan_filing(principal, request, decision)
    return finish(await asyncio.wrap_future(db.submit_write(job)))


def plan_filing(
    principal: Principal, request: Request, decision: Decision
) -> tuple[Callable[[sa.Connection], list[int]], Callable[[list[int]], FiledRequest]]:
    """Everything a filing needs, prepared outside the transaction: the write job and how to answer."""
    request_id, decision_id = _uuid(), _uuid()
    as_received = request.model_dump(mode="json", exclude_none=True, exclude={"description"})
    department = (
        request.received_by.department.value
        if request.received_by is not None and request.received_by.department is not None
        else principal.department
    )
    sealed: tuple[str, str] | None = None
    if request.description is not None:
        sealed = seal([request.description])
    decision_json = decision.to_json_dict()
    obligations = [(_uuid(), ob) for ob in decision.obligations]
    events = [
        NewEvent(
            EventKind.request_filed,
            "request",
            request_id,
            {"request": as_received, "department": department, "text_sha256": sealed[1] if sealed else None},
            actor=principal.user_id,
            request_id=request_id,
        ),
        NewEvent(
            EventKind.decision_proposed,
            "decision",
            decision_id,
            {"decision": decision_json},
            actor=principal.user_id,
            request_id=request_id,
        ),
        *(
            NewEvent(
                EventKind.obligation_opened,
                "obligation",
                oid,
                {**ob.model_dump(mode="json"), "department": department},
                actor=principal.user_id,
                request_id=request_id,
            )
            for oid, ob in obligations
        ),
    ]
    at = now_iso()

    @insert_only
    def _job(conn: sa.Connection) -> list[int]:
        seqs = append_and_apply(conn, events, at=at)
        if sealed is not None and request.description is not None:
            insert_rows(
                conn,
                _DESCRIPTIONS,
                [{"request_id": request_id, "salt": sealed[0], "description": request.description}],
            )
        return seqs

    def _finish(seqs: list[int]) -> FiledRequest:
        return FiledRequest(request_id, seqs[0], decision, [oid for oid, _ in obligations])

    return _job, _finish


def _clean_reason(reason: str | None, *, required: bool) -> str | None:
    if reason is not None:
        reason = reason.strip()
    if not reason:
        if required:
            raise InputError("a reason is required", field="reason")
        return None
    if len(reason) > MAX_REASON:
        raise InputError(f"must be at most {MAX_REASON} characters", field="reason")
    return reason


def review_decision(
    db: Database,
    principal: Principal,
    request_id: str,
    action: ReviewAction,
    reason: str,
    outcome: Outcome | None = None,
) -> dict[str, Any]:
    """An attorney confirms the engine's decision or overrides its outcome; a reason is required."""
    text = _clean_reason(reason, required=True)
    if action is ReviewAction.override and outcome is None:
        raise InputError("an override needs the new outcome", field="outcome")
    if action is ReviewAction.confirm and outcome is not None:
        raise InputError("a confirmation keeps the proposed outcome; leave it out", field="outcome")
    decision_id = _uuid()

    def _job(conn: sa.Connection) -> tuple[str, ReviewState, str, int]:
        current = conn.execute(
            sa.select(RequestRecord.proposed_outcome, RequestRecord.pack_version).where(
                RequestRecord.id == request_id
            )
        ).one_or_none()
        if current is None:
            raise NotFoundError("no such request")
        final = current.proposed_outcome if action is ReviewAction.confirm else outcome.value  # type: ignore[union-attr]
        stage = ReviewState.confirmed if action is ReviewAction.confirm else ReviewState.overridden
        at = now_iso()
        (seq,) = append_and_apply(
            conn,
            [
                NewEvent(
                    EventKind.decision_reviewed,
                    "decision",
                    decision_id,
                    {"action": action.value, "outcome": final, "reason": text},
                    actor=principal.user_id,
                    request_id=request_id,
                )
            ],
            at=at,
        )
        return final, stage, at, seq

    final, stage, at, seq = db.run_write(_job)
    return {
        "id": decision_id,
        "stage": stage.value,
        "outcome": final,
        "reason": text,
        "decided_at": at,
        "seq": seq,
    }


def mark_obligation_done(
    db: Database, principal: Principal, obligation_id: str, note: str | None = None
) -> dict[str, Any]:
    text = _clean_reason(note, required=False)

    def _job(conn: sa.Connection) -> tuple[str, int]:
        row = conn.execute(
            sa.select(ObligationRecord.state, ObligationRecord.department, ObligationRecord.request_id).where(
                ObligationRecord.id == obligation_id
            )
        ).one_or_none()
        if row is None or (principal.role is Role.clerk and row.department != principal.department):
            raise NotFoundError("no such obligation")
        if ObligationState(row.state) is ObligationState.done:
            raise ConflictError("the obligation is already done")
        at = now_iso()
        (seq,) = append_and_apply(
            conn,
            [
                NewEvent(
                    EventKind.obligation_done,
                    "obligation",
                    obligation_id,
                    {"note": text},
                    actor=principal.user_id,
                    request_id=row.request_id,
                )
            ],
            at=at,
        )
        return at, seq

    at, seq = db.run_write(_job)
    return {"id": obligation_id, "state": "done", "closed_by": principal.user_id, "closed_at": at, "seq": seq}


def file_complaint(
    db: Database,
    principal: Principal,
    *,
    category: ComplaintCategory,
    received_at: dt.datetime | None,
    department: str | None,
    anonymous: bool,
    narrative: str | None,
    contact: str | None,
) -> dict[str, Any]:
    """Intake of a complaint of an ordinance violation; anonymous complaints carry no contact."""
    if anonymous and contact:
        raise InputError("an anonymous complaint carries no contact", field="contact")
    complaint_id, at = _uuid(), now_iso()
    received = (received_at or dt.datetime.now(dt.UTC)).isoformat()
    department = department or principal.department
    sealed = seal([narrative, contact]) if (narrative or contact) else None

    def _job(conn: sa.Connection) -> int:
        (seq,) = append_and_apply(
            conn,
            [
                NewEvent(
                    EventKind.complaint_filed,
                    "complaint",
                    complaint_id,
                    {
                        "received_at": received,
                        "department": department,
                        "category": category.value,
                        "anonymous": anonymous,
                        "text_sha256": sealed[1] if sealed else None,
                    },
                    actor=principal.user_id,
                )
            ],
            at=at,
        )
        if sealed is not None:
            conn.execute(
                sa.insert(ComplaintText).values(
                    complaint_id=complaint_id, salt=sealed[0], narrative=narrative, contact=contact
                )
            )
        return seq

    seq = db.run_write(_job)
    return {"id": complaint_id, "status": ComplaintStatus.received.value, "filed_at": at, "seq": seq}


def update_complaint(
    db: Database,
    principal: Principal,
    complaint_id: str,
    status: ComplaintStatus,
    disposition: Disposition | None,
    note: str | None,
) -> dict[str, Any]:
    """Move a complaint on: investigating, or closed with a disposition (required to close)."""
    text = _clean_reason(note, required=False)
    if status is ComplaintStatus.closed and disposition is None:
        raise InputError("closing a complaint needs a disposition", field="disposition")
    if status is not ComplaintStatus.closed and disposition is not None:
        raise InputError("a disposition is given only when closing", field="disposition")

    def _job(conn: sa.Connection) -> int:
        current = conn.execute(sa.select(Complaint.status).where(Complaint.id == complaint_id)).scalar()
        if current is None:
            raise NotFoundError("no such complaint")
        if ComplaintStatus(current) is ComplaintStatus.closed:
            raise ConflictError("the complaint is closed")
        at = now_iso()
        (seq,) = append_and_apply(
            conn,
            [
                NewEvent(
                    EventKind.complaint_updated,
                    "complaint",
                    complaint_id,
                    {
                        "status": status.value,
                        "disposition": disposition.value if disposition else None,
                        "note": text,
                    },
                    actor=principal.user_id,
                )
            ],
            at=at,
        )
        return seq

    seq = db.run_write(_job)
    return {
        "id": complaint_id,
        "status": status.value,
        "disposition": disposition.value if disposition else None,
        "seq": seq,
    }
