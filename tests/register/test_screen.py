"""``POST /api/screen``: the firewall's findings and redacted copy; nothing is stored."""

from __future__ import annotations

import sqlalchemy as sa

from ._support import Api

TEXT = "Caller said her neighbour is undocumented and gave A-number A123456789."


def _event_count(api: Api) -> int:
    db = api.client.app.state.register.db  # type: ignore[attr-defined]
    with db.read() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one())


def test_screen_text_returns_findings_without_values_and_a_redacted_copy(api: Api) -> None:
    before = _event_count(api)
    r = api.post("/api/screen", "clerk", json={"text": TEXT})
    assert r.status_code == 200
    body = r.json()
    kinds = {f["kind"] for f in body["findings"]}
    assert {"status", "identifier"} <= kinds
    assert all(set(f) >= {"start", "end", "kind", "rule"} and "text" not in f for f in body["findings"])
    assert "undocumented" not in body["redacted"] and "A123456789" not in body["redacted"]
    assert body["log"]["total"] == len(body["findings"])
    assert _event_count(api) == before


def test_screen_record(api: Api) -> None:
    r = api.post("/api/screen", "auditor", json={"record": {"note": TEXT, "citizenship_status": "x", "n": 3}})
    assert r.status_code == 200
    record = r.json()["redacted"]
    assert record["n"] == 3 and "undocumented" not in record["note"] and record["citizenship_status"] != "x"


def test_screen_needs_exactly_one_of_text_or_record(api: Api) -> None:
    assert api.post("/api/screen", "clerk", json={}).status_code == 422
    assert api.post("/api/screen", "clerk", json={"text": "a", "record": {}}).status_code == 422
