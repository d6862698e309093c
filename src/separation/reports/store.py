"""The reports' storage: make a report from the register, publish its public version, read the latest
published one (public pages read nothing else), and append investigation accounts."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import sqlalchemy as sa

from separation.errors import InputError, NotFoundError
from separation.register.db import Database
from separation.register.enums import EventKind
from separation.register.ledger import NewEvent, canonical, load_or_create_key, now_iso
from separation.register.models import RequestRecord
from separation.register.projections import append_and_apply
from separation.register.settings import Settings
from separation.reports.aggregates import build_report, investigation_request_ids
from separation.reports.model import INVESTIGATION_FIELDS, Report, suppress
from separation.reports.tables import investigation_accounts, published_reports

__all__ = [
    "MAX_ACCOUNT_FIELD",
    "latest_account",
    "latest_published",
    "make_report",
    "publish",
    "record_account",
]

MAX_ACCOUNT_FIELD = 4000


def make_report(
    db: Database,
    settings: Settings,
    *,
    period_from: dt.date,
    period_to: dt.date,
    jurisdiction: str,
    public: bool,
) -> Report:
    key = load_or_create_key(settings.key_path)
    with db.read() as conn:
        report = build_report(
            conn, key, period_from=period_from, period_to=period_to, jurisdiction=jurisdiction
        )
    return suppress(report) if public else report


def publish(db: Database, report: Report, *, actor: str | None) -> str:
    """Store the public version of ``report`` as the snapshot the public pages show."""
    if not report.public:
        raise InputError("only the public version of a report can be published", field="public")
    body = canonical(report.to_dict()).decode()
    report_id = str(uuid.uuid4())

    digest = hashlib.sha256(body.encode()).hexdigest()

    def _job(conn: sa.Connection) -> None:
        at = now_iso()
        # The snapshot and its entry in the ledger go in together: verify checks one against the other.
        append_and_apply(
            conn,
            [
                NewEvent(
                    EventKind.report_published,
                    "published_reports",
                    report_id,
                    {
                        "period_from": report.period_from.isoformat(),
                        "period_to": report.period_to.isoformat(),
                        "sha256": digest,
                    },
                    actor=actor,
                )
            ],
            at=at,
        )
        conn.execute(
            sa.insert(published_reports).values(
                id=report_id,
                published_at=at,
                period_from=report.period_from,
                period_to=report.period_to,
                published_by=actor,
                body=body,
                sha256=digest,
            )
        )

    db.run_write(_job)
    return report_id


def latest_published(db: Database) -> tuple[Report, str, str] | None:
    """The newest published report with when it was published and its SHA-256, or None."""
    with db.read() as conn:
        row = conn.execute(
            sa.select(published_reports.c.body, published_reports.c.published_at, published_reports.c.sha256)
            .order_by(published_reports.c.published_at.desc())
            .limit(1)
        ).one_or_none()
    if row is None:
        return None
    return Report.from_dict(json.loads(row.body)), row.published_at, row.sha256


def _clean_fields(fields: dict[str, Any]) -> dict[str, str | None]:
    names = {n for n, _ in INVESTIGATION_FIELDS}
    unknown = set(fields) - names
    if unknown:
        raise InputError(
            f"unknown field; expected one of {', '.join(sorted(names))}", field=sorted(unknown)[0]
        )
    out: dict[str, str | None] = {}
    for name, _ in INVESTIGATION_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError("must be text", field=name)
        value = (value or "").strip()
        if len(value) > MAX_ACCOUNT_FIELD:
            raise InputError(f"must be at most {MAX_ACCOUNT_FIELD} characters", field=name)
        out[name] = value or None
    return out


def record_account(db: Database, request_id: str, fields: dict[str, Any], *, actor: str | None) -> int:
    """Append a new version of the account of a use of city personnel in a criminal investigation with an
    immigration angle (the 2025 amendments' fields); returns its version number."""
    clean = _clean_fields(fields)
    body = canonical(clean).decode()

    def _job(conn: sa.Connection) -> int:
        exists = conn.execute(sa.select(RequestRecord.id).where(RequestRecord.id == request_id)).scalar()
        if exists is None or not investigation_request_ids(conn, [RequestRecord.id == request_id]):
            raise NotFoundError("no such request with a criminal-investigation report obligation")
        current = conn.execute(
            sa.select(sa.func.max(investigation_accounts.c.version)).where(
                investigation_accounts.c.request_id == request_id
            )
        ).scalar()
        version = int(current or 0) + 1
        account_id, at, digest = str(uuid.uuid4()), now_iso(), hashlib.sha256(body.encode()).hexdigest()
        # The account and its entry in the ledger go in together: verify checks one against the other.
        append_and_apply(
            conn,
            [
                NewEvent(
                    EventKind.investigation_recorded,
                    "investigation_accounts",
                    account_id,
                    {"version": version, "sha256": digest},
                    actor=actor,
                    request_id=request_id,
                )
            ],
            at=at,
        )
        conn.execute(
            sa.insert(investigation_accounts).values(
                id=account_id,
                request_id=request_id,
                version=version,
                recorded_at=at,
                recorded_by=actor,
                body=body,
                sha256=digest,
            )
        )
        return version

    return db.run_write(_job)


def latest_account(db: Database, request_id: str) -> tuple[int, dict[str, str | None]] | None:
    with db.read() as conn:
        row = conn.execute(
            sa.select(investigation_accounts.c.version, investigation_accounts.c.body)
            .where(investigation_accounts.c.request_id == request_id)
            .order_by(investigation_accounts.c.version.desc())
            .limit(1)
        ).one_or_none()
    if row is None:
        return None
    return int(row.version), json.loads(row.body)
