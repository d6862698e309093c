"""Small generated data stores with planted status and identifier columns (never committed data)."""

from __future__ import annotations

import csv
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text

# Values planted in the fixtures; a report must never contain any of them.
STATUS_VALUES = ["Permanent resident", "undocumented", "DACA"]
IDENTIFIERS = ["A123456789", "EAC2212345678"]
TEXT_HIT = "neighbor says the tenant is undocumented and afraid to call"
TEXT_MISS = "asked about snow removal on 5th street"
PLANTED = [*STATUS_VALUES, *IDENTIFIERS, TEXT_HIT]

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

HEADER = ["id", "amount", "code", "citizenship", "case_ref", "notes"]


def make_rows(n: int = 40) -> list[dict[str, Any]]:
    """Rows where: citizenship (by name) is filled on even rows, case_ref (values) holds an
    A-number on rows 3 and 7 (1-based), notes (text) is flagged on rows 5 and 10."""
    rows = []
    for i in range(1, n + 1):
        rows.append(
            {
                "id": i,
                "amount": round(i * 1.25, 2),
                "code": ["X1", "Y2", "Z3"][i % 3],
                "citizenship": STATUS_VALUES[i % 3] if i % 2 == 0 else "",
                "case_ref": IDENTIFIERS[0] if i in (3, 7) else f"CR-{i:05d}",
                "notes": TEXT_HIT if i in (5, 10) else TEXT_MISS,
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER, delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_json(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]], sheets: int = 1) -> Path:
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    for s in range(sheets):
        ws = book.active if s == 0 else book.create_sheet(f"Sheet{s + 1}")
        ws.append(HEADER)
        for r in rows:
            ws.append([r[h] if r[h] != "" else None for h in HEADER])
    book.save(path)
    return path


@pytest.fixture
def rows() -> list[dict[str, Any]]:
    return make_rows()


def column(report: dict[str, Any], source: str, name: str | None) -> dict[str, Any]:
    for src in report["sources"]:
        if src["source"] == source:
            for col in src["columns"]:
                if col["column"] == name:
                    return dict(col)
            raise AssertionError(f"column {name!r} not flagged in {source}: {src['columns']}")
    raise AssertionError(f"no source {source!r}")


def assert_no_values(blob: str) -> None:
    for value in PLANTED:
        assert value not in blob, "a planted value leaked into the output"


@pytest.fixture
def pg_schema() -> Iterator[str]:
    try:
        engine = create_engine(PG)
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL not reachable: CI must have it (127.0.0.1:5432)")
        pytest.skip("PostgreSQL not reachable")
    schema = f"scan_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield schema
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        conn.execute(text(f"DROP ROLE IF EXISTS {schema}_ro"))
    engine.dispose()
