"""The current state, derived from events: every projection table is written here and only here.

The workflow appends events and hands the entries to ``apply_entries`` in the same transaction; ``replay``
feeds a whole chain through the same function, so the tables can be rebuilt from the ledger alone (a test
checks that a replay reproduces them exactly). The texts kept apart (descriptions, complaint narratives) are
not projections: events carry only their salted hashes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from separation.errors import SeparationError
from separation.register.enums import ComplaintStatus, EventKind, ObligationState, ReviewState
from separation.register.ledger import Entry, NewEvent, append_entries, canonical, insert_rows
from separation.register.models import (
    Complaint,
    DecisionRecord,
    Event,
    ObligationRecord,
    RequestRecord,
    Token,
    User,
    table,
)

__all__ = ["PROJECTIONS", "append_and_apply", "apply_entries", "replay"]

_REQUESTS = table(RequestRecord)
_DECISIONS = table(DecisionRecord)
_OBLIGATIONS = table(ObligationRecord)
_COMPLAINTS = table(Complaint)
_USERS = table(User)
_TOKENS = table(Token)
# In dependency order: what replay empties (last first) and refills.
PROJECTIONS = (_USERS, _TOKENS, _REQUESTS, _DECISIONS, _OBLIGATIONS, _COMPLAINTS)

_INSERT_DECISION = sa.insert(_DECISIONS)


def append_and_apply(conn: sa.Connection, events: Iterable[NewEvent], at: str | None = None) -> list[int]:
    """Append events to the ledger and bring the projections up to date, in the caller's transaction."""
    entries = append_entries(conn, events, at)
    apply_entries(conn, entries)
    return [e.seq for e in entries]


def apply_entries(conn: sa.Connection, entries: Sequence[Entry]) -> None:
    """Project entries in order. A filing's ``request.filed`` and ``decision.proposed`` come together."""
    pending_request: dict[str, Any] | None = None
    obligations: list[dict[str, Any]] = []
    for e in entries:
        if pending_request is not None and e.kind is not EventKind.decision_proposed:
            raise SeparationError(f"entry {e.seq}: a filed request must be followed by its proposed decision")
        handler = _HANDLERS[e.kind]
        if e.kind is EventKind.request_filed:
            pending_request = _request_row(e)
        elif e.kind is EventKind.decision_proposed:
            if pending_request is None or pending_request["id"] != e.request_id:
                raise SeparationError(f"entry {e.seq}: a proposed decision without its filed request")
            _proposed(conn, e, pending_request)
            pending_request = None
        elif e.kind is EventKind.obligation_opened:
            obligations.append(_obligation_row(conn, e))
        else:
            insert_rows(conn, _OBLIGATIONS, obligations)
            obligations = []
            handler(conn, e)
    if pending_request is not None:
        raise SeparationError("a filed request must be followed by its proposed decision")
    insert_rows(conn, _OBLIGATIONS, obligations)


def _request_row(e: Entry) -> dict[str, Any]:
    request = e.body["request"]
    received_at = str(request["received_at"])
    return {
        "id": e.subject_id,
        "caller_ref": request.get("id"),
        "received_at": received_at,
        "received_on": dt.datetime.fromisoformat(received_at).date(),
        "department": e.body.get("department"),
        "agency": (request.get("requester") or {}).get("agency"),
        "asks": "," + ",".join(request["asks"]) + ",",
        "request_json": canonical(request).decode(),
        "filed_by": e.actor,
        "filed_at": e.at,
        "filed_seq": e.seq,
        # A request may come before the engine's answer only for a moment: see ``_proposed``.
        "review_state": ReviewState.proposed,
    }


def _proposed(conn: sa.Connection, e: Entry, request_row: dict[str, Any]) -> None:
    decision = e.body["decision"]
    outcome = decision["outcome"]
    pack = decision["pack"]
    request_row.update(
        pack_id=pack["id"], pack_version=pack["version"], proposed_outcome=outcome, final_outcome=outcome
    )
    insert_rows(conn, _REQUESTS, [request_row])
    insert_rows(
        conn,
        _DECISIONS,
        [
            {
                "id": e.subject_id,
                "request_id": e.request_id,
                "stage": ReviewState.proposed,
                "outcome": outcome,
                "pack_version": pack["version"],
                "decision_json": canonical(decision).decode(),
                "reason": None,
                "decided_by": None,
                "decided_at": e.at,
                "seq": e.seq,
            }
        ],
    )


def _obligation_row(conn: sa.Connection, e: Entry) -> dict[str, Any]:
    due = e.body.get("due")
    return {
        "id": e.subject_id,
        "request_id": e.request_id,
        "department": e.body.get("department"),
        "kind": e.body["kind"],
        "due": dt.date.fromisoformat(due) if due else None,
        "rule": e.body["rule"],
        "citation": e.body["citation"],
        "state": ObligationState.open,
        "opened_at": e.at,
        "closed_by": None,
        "closed_at": None,
    }


def _reviewed(conn: sa.Connection, e: Entry) -> None:
    stage = ReviewState.confirmed if e.body["action"] == "confirm" else ReviewState.overridden
    pack_version = conn.execute(
        sa.select(_REQUESTS.c.pack_version).where(_REQUESTS.c.id == e.request_id)
    ).scalar_one()
    conn.execute(
        _INSERT_DECISION,
        {
            "id": e.subject_id,
            "request_id": e.request_id,
            "stage": stage,
            "outcome": e.body["outcome"],
            "pack_version": pack_version,
            "decision_json": None,
            "reason": e.body.get("reason"),
            "decided_by": e.actor,
            "decided_at": e.at,
            "seq": e.seq,
        },
    )
    conn.execute(
        sa.update(_REQUESTS)
        .where(_REQUESTS.c.id == e.request_id)
        .values(final_outcome=e.body["outcome"], review_state=stage)
    )


def _obligation_done(conn: sa.Connection, e: Entry) -> None:
    conn.execute(
        sa.update(_OBLIGATIONS)
        .where(_OBLIGATIONS.c.id == e.subject_id)
        .values(state=ObligationState.done, closed_by=e.actor, closed_at=e.at)
    )


def _complaint_filed(conn: sa.Connection, e: Entry) -> None:
    conn.execute(
        sa.insert(_COMPLAINTS).values(
            id=e.subject_id,
            received_at=e.body["received_at"],
            department=e.body.get("department"),
            category=e.body["category"],
            anonymous=bool(e.body["anonymous"]),
            status=ComplaintStatus.received,
            disposition=None,
            filed_by=e.actor,
            filed_at=e.at,
            updated_by=None,
            updated_at=None,
        )
    )


def _complaint_updated(conn: sa.Connection, e: Entry) -> None:
    conn.execute(
        sa.update(_COMPLAINTS)
        .where(_COMPLAINTS.c.id == e.subject_id)
        .values(
            status=e.body["status"],
            disposition=e.body.get("disposition"),
            updated_by=e.actor,
            updated_at=e.at,
        )
    )


def _user_created(conn: sa.Connection, e: Entry) -> None:
    conn.execute(
        sa.insert(_USERS).values(
            id=e.subject_id,
            name=e.body["name"],
            role=e.body["role"],
            department=e.body.get("department"),
            created_at=e.at,
        )
    )


def _token_created(conn: sa.Connection, e: Entry) -> None:
    conn.execute(
        sa.insert(_TOKENS).values(
            id=e.subject_id,
            user_id=e.body["user_id"],
            token_sha256=e.body["token_sha256"],
            created_at=e.at,
            revoked_at=None,
        )
    )


def _token_revoked(conn: sa.Connection, e: Entry) -> None:
    conn.execute(sa.update(_TOKENS).where(_TOKENS.c.id == e.subject_id).values(revoked_at=e.at))


def _kept_apart(conn: sa.Connection, e: Entry) -> None:
    """Records with tables of their own: their module writes the row beside the event; no projection."""


def _never(conn: sa.Connection, e: Entry) -> None:  # handled inline in apply_entries
    raise AssertionError(e.kind)


_HANDLERS = {
    EventKind.request_filed: _never,
    EventKind.decision_proposed: _never,
    EventKind.obligation_opened: _never,
    EventKind.decision_reviewed: _reviewed,
    EventKind.obligation_done: _obligation_done,
    EventKind.complaint_filed: _complaint_filed,
    EventKind.complaint_updated: _complaint_updated,
    EventKind.user_created: _user_created,
    EventKind.token_created: _token_created,
    EventKind.token_revoked: _token_revoked,
    EventKind.investigation_recorded: _kept_apart,
    EventKind.report_published: _kept_apart,
}


def replay(source: sa.Connection, target: sa.Connection, batch: int = 2000) -> int:
    """Project every event of ``source`` (in chain order) into ``target``'s empty projection tables."""
    count = 0
    chunk: list[Entry] = []
    cols = (
        Event.seq,
        Event.at,
        Event.kind,
        Event.actor,
        Event.subject_type,
        Event.subject_id,
        Event.request_id,
        Event.body,
    )
    for row in source.execution_options(yield_per=batch).execute(sa.select(*cols).order_by(Event.seq)):
        chunk.append(
            Entry(
                int(row.seq),
                row.at,
                EventKind(row.kind),
                row.actor,
                row.subject_type,
                row.subject_id,
                row.request_id,
                json.loads(row.body),
            )
        )
        # Cut only between filings, never between a filed request and its proposal.
        if len(chunk) >= batch and chunk[-1].kind not in (EventKind.request_filed,):
            apply_entries(target, chunk)
            count += len(chunk)
            chunk = []
    apply_entries(target, chunk)
    return count + len(chunk)
