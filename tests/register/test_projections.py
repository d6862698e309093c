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
