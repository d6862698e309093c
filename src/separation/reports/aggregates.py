"""Read the register's aggregates for a period (grouped counts in SQL) and build the ``Report``.

Only counts and the per-investigation accounts leave the database here: never a description, a
complaint's narrative or contact, or a name.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from separation.errors import InputError
from separation.policy.model import Ask
from separation.register.enums import ComplaintCategory, Disposition, ObligationState, ReviewState
from separation.register.ledger import make_checkpoint, now_iso
from separation.register.models import Complaint, DecisionRecord, ObligationRecord, RequestRecord
from separation.reports.model import (
    INVESTIGATION_FIELDS,
    Breakdown,
    Investigation,
    LedgerStamp,
    Report,
    Turnaround,
)
from separation.reports.tables import investigation_accounts

__all__ = [
    "INVESTIGATION_FLAG",
    "MAX_PERIOD_DAYS",
    "build_report",
    "investigation_request_ids",
    "is_investigation",
]

MAX_PERIOD_DAYS = 3660


# Packs mark the rules under which city personnel help a criminal investigation with an immigration
# angle (Minneapolis 19.30(a)(3)-(4) and (b); California's joint task forces) with this flag, so that
# which decisions count is policy, stated in the pack, not a guess from citation text.
INVESTIGATION_FLAG = "immigration_angle_assistance"


def is_investigation(decision: Mapping[str, Any] | None) -> bool:
    """Whether the engine's decision marks a use of city personnel in such an investigation."""
    return bool(decision) and INVESTIGATION_FLAG in (decision or {}).get("flags", ())


def _check_period(period_from: dt.date, period_to: dt.date) -> None:
    if period_to < period_from:
        raise InputError("the end of the period is before its start", field="to")
    if (period_to - period_from).days > MAX_PERIOD_DAYS:
        raise InputError(f"a report covers at most {MAX_PERIOD_DAYS} days", field="to")


def _grouped(
    conn: sa.Connection, column: Any, where: list[Any], empty: str = "not given"
) -> list[tuple[str, int]]:
    rows = conn.execute(sa.select(column, sa.func.count()).where(*where).group_by(column)).all()
    out = [(str(k.value if hasattr(k, "value") else k) if k is not None else empty, int(n)) for k, n in rows]
    return sorted(out, key=lambda r: (-r[1], r[0]))


def _hours(start: str, end: str) -> float:
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds() / 3600


def investigation_request_ids(conn: sa.Connection, where: list[Any]) -> list[str]:
    rows = conn.execute(
        sa.select(DecisionRecord.request_id, DecisionRecord.decision_json)
        .join(RequestRecord, RequestRecord.id == DecisionRecord.request_id)
        .where(
            *where,
            DecisionRecord.stage == ReviewState.proposed,
            DecisionRecord.decision_json.like(f'%"{INVESTIGATION_FLAG}"%'),
        )
    ).all()
    seen: dict[str, None] = {}
    for r in rows:
        if is_investigation(json.loads(r.decision_json)):
            seen.setdefault(r.request_id, None)
    return list(seen)


def latest_accounts(conn: sa.Connection, request_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest account recorded for each request (accounts are appended, never changed)."""
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for start in range(0, len(request_ids), 500):
        chunk = request_ids[start : start + 500]
        for row in conn.execute(
            sa.select(
                investigation_accounts.c.request_id,
                investigation_accounts.c.version,
                investigation_accounts.c.body,
            ).where(investigation_accounts.c.request_id.in_(chunk))
        ):
            if row.request_id not in out or row.version > out[row.request_id][0]:
                out[row.request_id] = (row.version, json.loads(row.body))
    return {k: v[1] for k, v in out.items()}


def build_report(
    conn: sa.Connection,
    key: Ed25519PrivateKey,
    *,
    period_from: dt.date,
    period_to: dt.date,
    jurisdiction: str,
) -> Report:
    """The full (staff) report for requests and complaints received in ``[period_from, period_to]``."""
    _check_period(period_from, period_to)
    in_period = [RequestRecord.received_on >= period_from, RequestRecord.received_on <= period_to]
    total = int(
        conn.execute(sa.select(sa.func.count()).select_from(RequestRecord).where(*in_period)).scalar_one()
    )
    none_requests = "No requests were received in this period."

    ask_cols = [
        sa.func.sum(sa.case((RequestRecord.asks.contains(f",{a.value},"), 1), else_=0)).label(a.value)
        for a in Ask
    ]
    ask_row = conn.execute(sa.select(*ask_cols).where(*in_period)).one()
    by_ask = sorted(
        (
            (a.value.replace("_", " "), int(getattr(ask_row, a.value) or 0))
            for a in Ask
            if getattr(ask_row, a.value)
        ),
        key=lambda r: (-r[1], r[0]),
    )

    overridden = [*in_period, RequestRecord.review_state == ReviewState.overridden]
    override_rows = conn.execute(
        sa.select(RequestRecord.proposed_outcome, RequestRecord.final_outcome, sa.func.count())
        .where(*overridden)
        .group_by(RequestRecord.proposed_outcome, RequestRecord.final_outcome)
    ).all()
    overrides = sorted(
        ((f"{p} \u2192 {f}", int(n)) for p, f, n in override_rows), key=lambda r: (-r[1], r[0])
    )

    # Referral turnaround: from filing to the first attorney review.
    referred = conn.execute(
        sa.select(RequestRecord.id, RequestRecord.filed_at, RequestRecord.review_state).where(
            *in_period, RequestRecord.proposed_outcome == "refer"
        )
    ).all()
    reviewed_at = dict(
        conn.execute(
            sa.select(DecisionRecord.request_id, sa.func.min(DecisionRecord.decided_at))
            .join(RequestRecord, RequestRecord.id == DecisionRecord.request_id)
            .where(
                *in_period,
                RequestRecord.proposed_outcome == "refer",
                DecisionRecord.stage != ReviewState.proposed,
            )
            .group_by(DecisionRecord.request_id)
        ).all()
    )
    waits = sorted(_hours(r.filed_at, reviewed_at[r.id]) for r in referred if r.id in reviewed_at)
    turnaround = Turnaround(
        referred=len(referred),
        reviewed=len(waits),
        awaiting=sum(1 for r in referred if r.id not in reviewed_at),
        median_hours=round(statistics.median(waits), 1) if waits else None,
        p90_hours=round(waits[min(len(waits) - 1, int(0.9 * len(waits)))], 1) if waits else None,
    )

    # Obligations of the period's requests: met on time, met late, overdue, open and not yet due.
    today = dt.date.today()
    timeliness: Counter[str] = Counter()
    for row in conn.execute(
        sa.select(ObligationRecord.state, ObligationRecord.due, ObligationRecord.closed_at)
        .join(RequestRecord, RequestRecord.id == ObligationRecord.request_id)
        .where(*in_period)
    ):
        state = ObligationState(row.state)
        if state is ObligationState.done:
            late = (
                row.due is not None and row.closed_at is not None and row.closed_at[:10] > row.due.isoformat()
            )
            timeliness["met late" if late else "met on time"] += 1
        elif row.due is not None and row.due < today:
            timeliness["overdue"] += 1
        else:
            timeliness["open, not yet due"] += 1
    order = ["met on time", "met late", "overdue", "open, not yet due"]
    obligations = tuple((k, timeliness[k]) for k in order if timeliness[k])

    c_from = period_from.isoformat()
    c_to = (period_to + dt.timedelta(days=1)).isoformat()
    c_where = [Complaint.received_at >= c_from, Complaint.received_at < c_to]
    c_total = int(
        conn.execute(sa.select(sa.func.count()).select_from(Complaint).where(*c_where)).scalar_one()
    )
    by_category = _grouped(conn, Complaint.category, c_where)
    by_disposition = _grouped(conn, Complaint.disposition, c_where, empty="open (no disposition yet)")
    labels = {c.value: c.value.replace("_", " ") for c in (*ComplaintCategory, *Disposition)}
    none_complaints = "No complaints were received in this period."

    def pretty(rows: list[tuple[str, int]]) -> tuple[tuple[str, int | None], ...]:
        return tuple((labels.get(k, k.replace("_", " ")), n) for k, n in rows)

    breakdowns = (
        Breakdown(
            "agency",
            "Requests by agency",
            tuple(_grouped(conn, RequestRecord.agency, in_period)),
            none_requests,
            total,
        ),
        Breakdown("ask", "Requests by what was asked", tuple(by_ask), none_requests),
        Breakdown(
            "outcome",
            "Requests by final outcome",
            pretty(_grouped(conn, RequestRecord.final_outcome, in_period)),
            none_requests,
            total,
        ),
        Breakdown(
            "department",
            "Requests by city department",
            pretty(_grouped(conn, RequestRecord.department, in_period)),
            none_requests,
            total,
        ),
        Breakdown(
            "overrides",
            "Attorney overrides (proposed \u2192 final outcome)",
            tuple(overrides),
            "No decision was overridden in this period.",
            sum(n for _, n in overrides),
        ),
        Breakdown(
            "obligations",
            "Obligations of these requests",
            obligations,
            "No obligations arose in this period.",
            sum(n for _, n in obligations),
        ),
        Breakdown("complaint_category", "Complaints by type", pretty(by_category), none_complaints, c_total),
        Breakdown(
            "complaint_disposition",
            "Complaints by disposition",
            pretty(by_disposition),
            none_complaints,
            c_total,
        ),
    )

    ids = investigation_request_ids(conn, in_period)
    accounts = latest_accounts(conn, ids)
    info = {
        r.id: r
        for start in range(0, len(ids), 500)
        for r in conn.execute(
            sa.select(
                RequestRecord.id,
                RequestRecord.received_on,
                RequestRecord.agency,
                RequestRecord.department,
                RequestRecord.final_outcome,
                RequestRecord.filed_seq,
            ).where(RequestRecord.id.in_(ids[start : start + 500]))
        )
    }
    ordered = sorted(info.values(), key=lambda r: r.filed_seq)
    investigations = tuple(
        Investigation(
            number=i + 1,
            received_on=r.received_on.isoformat(),
            agency=r.agency or "not given",
            department=(r.department or "not given").replace("_", " "),
            outcome=r.final_outcome,
            fields={name: (accounts.get(r.id) or {}).get(name) or None for name, _ in INVESTIGATION_FIELDS},
        )
        for i, r in enumerate(ordered)
    )

    cp = make_checkpoint(conn, key).to_dict()
    stamp = LedgerStamp(
        seq=cp["seq"],
        head=cp["head"],
        at=cp["at"],
        key_id=cp["key_id"],
        public_key=cp["public_key"],
        signature=cp["signature"],
    )
    return Report(
        jurisdiction=jurisdiction,
        period_from=period_from,
        period_to=period_to,
        generated_at=now_iso(),
        public=False,
        requests_total=total,
        breakdowns=breakdowns,
        turnaround=turnaround,
        investigations=investigations,
        ledger=stamp,
    )
