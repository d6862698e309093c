"""Investigation accounts and published reports are entered in the ledger: verify catches any edit,
deletion or row slipped in beside the chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from separation.register import Database, Settings
from separation.register.ledger import verify
from separation.reports.store import make_report, publish, record_account

CRIMINAL = {"agency": "ICE HSI", "asks": "personnel", "purpose": "criminal", "status_is_element": "yes"}


def _file_criminal_assistance(client: Any, csrf: str) -> str:
    data = {
        "csrf": csrf,
        "identified": "yes",
        "received_at": "2026-02-01T09:00",
        "action": "file",
        **CRIMINAL,
    }
    response = client.post("/requests/new", data=data | {"offenses": "8 U.S.C. 1324"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"].split("/")[2].split("?")[0])


def _verify(settings: Settings) -> Any:
    db = Database.from_settings(settings)
    try:
        with db.read() as conn:
            return verify(conn)
    finally:
        db.dispose()


def _execute(settings: Settings, statement: str) -> None:
    db = Database.from_settings(settings)
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    finally:
        db.dispose()


@pytest.fixture
def recorded(make_client: Any, settings: Settings) -> str:
    clerk, csrf = make_client("clerk")
    rid = _file_criminal_assistance(clerk, csrf)
    db = Database.from_settings(settings)
    try:
        record_account(db, rid, {"how_began": "HSI asked for two officers", "arrests": "2"}, actor=None)
        report = make_report(
            db,
            settings,
            period_from=dt.date(2026, 2, 1),
            period_to=dt.date(2026, 2, 28),
            jurisdiction="Minneapolis",
            public=True,
        )
        publish(db, report, actor=None)
    finally:
        db.dispose()
    assert _verify(settings).ok
    return rid


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE investigation_accounts SET body = replace(body, 'two', 'three')", "does not match entry"),
        (
            "UPDATE published_reports SET body = replace(body, 'Minneapolis', 'Elsewhere')",
            "does not match entry",
        ),
        ("DELETE FROM investigation_accounts", "is missing"),
        (
            "INSERT INTO published_reports (id, published_at, period_from, period_to, body, sha256) "
            "VALUES ('x', '2026-03-01', '2026-01-01', '2026-01-31', '{}', "
            "'44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a')",
            "was not entered through the ledger",
        ),
    ],
)
def test_tampering_with_kept_records_is_detected(
    recorded: str, settings: Settings, statement: str, problem: str
) -> None:
    _execute(settings, statement)
    result = _verify(settings)
    assert not result.ok
    assert problem in (result.problem or "")
