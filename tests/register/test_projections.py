"""The current state is derived from events: replaying the ledger into an empty database reproduces every
projection table exactly."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path

import sqlalchemy as sa

from separation.register import Database, Settings
from separation.register.projections import PROJECTIONS, replay

from ._support import DETAINER, JUDICIAL, Api
from .conftest import PG_URL


def _dump(db: Database) -> dict[str, list[tuple[object, ...]]]:
    with db.read() as conn:
        return {
            t.name: sorted(tuple(str(v) for v in row) for row in conn.execute(sa.select(t)))
            for t in PROJECTIONS
        }


def test_replaying_the_ledger_rebuilds_every_projection(api: Api, settings: Settings, tmp_path: Path) -> None:
    a = api.post("/api/requests", "clerk", json={**DETAINER, "description": "kept apart"}).json()
    b = api.post(
        "/api/requests", "clerk_fire", json={k: v for k, v in JUDICIAL.items() if k != "received_by"}
    ).json()
    api.post(f"/api/requests/{a['id']}/review", "attorney", json={"action": "confirm", "reason": "detainer"})
    api.post(
        f"/api/requests/{b['id']}/review",
        "attorney",
        json={"action": "override", "outcome": "refer", "reason": "check the warrant"},
    )
    first = api.get("/api/obligations", "attorney").json()["items"][0]["id"]
    api.post(f"/api/obligations/{first}/done", "attorney", json={"note": "done"})
    c = api.post("/api/complaints", "clerk", json={"category": "other", "anonymous": True}).json()
    api.post(
        f"/api/complaints/{c['id']}/status", "attorney", json={"status": "closed", "disposition": "unfounded"}
    )
    t = api.post("/api/tokens", "admin", json={"role": "auditor", "name": "temp"}).json()
    api.post(f"/api/tokens/{t['token_id']}/revoke", "admin")

    source = api.client.app.state.register.db  # type: ignore[attr-defined]
    if settings.db_schema:
        schema = "sep_test_" + secrets.token_hex(6)
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        fresh = dataclasses.replace(settings, db_schema=schema)
    else:
        fresh = dataclasses.replace(settings, db_url=f"sqlite:///{tmp_path / 'replayed.db'}")
    target = Database.from_settings(fresh)
    try:
        with source.read() as src, target.write() as dst:
            count = replay(src, dst)
        assert count == api.get("/api/ledger/verify", "auditor").json()["entries"]
        assert _dump(target) == _dump(source)
    finally:
        target.dispose()
        if settings.db_schema:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


def test_grouped_writes_of_every_kind_stay_consistent(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    """Filings (buffered in groups), reviews, closings and failures racing on one writer: the chain verifies
    and a replay still reproduces every table."""
    from concurrent.futures import ThreadPoolExecutor

    from separation.policy import Request, decide, load_pack
    from separation.register import ReviewAction, authenticate, issue_token, verify
    from separation.register.workflow import (
        ConflictError,
        file_request,
        mark_obligation_done,
        review_decision,
    )

    pack = load_pack()
    clerk = authenticate(db, issue_token(db, role="clerk", name="c", department="police").token)
    lawyer = authenticate(db, issue_token(db, role="attorney", name="a").token)
    assert clerk and lawyer
    request = Request.model_validate({**DETAINER, "description": "racing"})
    decision = decide(request, pack)

    def work(i: int) -> str:
        filed = file_request(db, clerk, request, decision)
        if i % 2:
            review_decision(db, lawyer, filed.id, ReviewAction.confirm, "ok")
        if i % 3 == 0 and filed.obligation_ids:
            mark_obligation_done(db, clerk, filed.obligation_ids[0])
            try:
                mark_obligation_done(db, clerk, filed.obligation_ids[0])
            except ConflictError:
                return "conflict"
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(40)))
    assert results.count("conflict") == len([i for i in range(40) if i % 3 == 0])
    with db.read() as conn:
        assert verify(conn).ok
    fresh = dataclasses.replace(settings, db_url=f"sqlite:///{tmp_path / 'again.db'}", db_schema=None)
    target = Database.from_settings(fresh)
    try:
        with db.read() as src, target.write() as dst:
            replay(src, dst)
        assert _dump(target) == _dump(db)
    finally:
        target.dispose()
