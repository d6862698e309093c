"""A request's description stays in its own table: requests carrying a planted marker are filed (and some
refused, and one made to fail inside), then the captured logs, every answer that is not the attorney's
detail view, and every table but ``request_descriptions`` are searched for the marker."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from separation.register import workflow

from ._support import DETAINER, Api

MARKER = "PLANTED-MARKER-7f3a9c"


def test_the_description_never_leaves_its_table(
    api: Api,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    answers: list[str] = []
    ids = []
    for i in range(3):
        r = api.post("/api/requests", "clerk", json={**DETAINER, "description": f"{MARKER} case {i}"})
        assert r.status_code == 201
        answers.append(r.text)
        ids.append(r.json()["id"])
    # Refused inputs that carry the marker: the problem details name fields, never values.
    for bad in (
        {**DETAINER, "description": MARKER, "asks": ["nonsense"]},
        {**DETAINER, "description": MARKER, "received_at": MARKER},
        {**DETAINER, "description": MARKER * 40_000},
        {**DETAINER, "requester": {"agency": MARKER * 10}, "description": MARKER},
    ):
        r = api.post("/api/requests", "clerk", json=bad)
        assert r.status_code in (413, 422)
        answers.append(r.text)

    # An unexpected failure inside the store whose message carries the marker: logged by type only.
    async def boom(*_: object, **__: object) -> None:
        raise RuntimeError(f"driver said: {MARKER}")

    monkeypatch.setattr(workflow, "file_request_async", boom)
    r = api.post("/api/requests", "clerk", json={**DETAINER, "description": MARKER})
    assert r.status_code == 500
    answers.append(r.text)
    monkeypatch.undo()

    # Everything but the attorney's detail view.
    for who in ("clerk", "auditor", "attorney"):
        answers.append(api.get("/api/requests", who).text)
        answers.append(api.get("/api/obligations", who).text)
    for rid in ids:
        for who in ("clerk", "auditor"):
            answers.append(api.get(f"/api/requests/{rid}", who).text)
        answers.append(api.get(f"/api/requests/{rid}/letter", "clerk").text)
    answers.append(api.get("/api/ledger/verify", "auditor").text)
    assert MARKER in api.get(f"/api/requests/{ids[0]}", "attorney").text  # the one place it may appear

    for answer in answers:
        assert MARKER not in answer
    assert caplog.records, "expected the failure to be logged"
    for record in caplog.records:
        assert MARKER not in record.getMessage()
        assert record.exc_info is None or MARKER not in str(record.exc_info[1])
    out, err = capfd.readouterr()
    assert MARKER not in out and MARKER not in err

    db = api.client.app.state.register.db  # type: ignore[attr-defined]
    tables = sa.inspect(db.engine).get_table_names()
    assert "request_descriptions" in tables and "events" in tables
    with db.read() as conn:
        for table in tables:
            rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
            text = "\n".join(repr(tuple(row)) for row in rows)
            if table == "request_descriptions":
                assert text.count(MARKER) == 3
            else:
                assert MARKER not in text, table
