"""Databases through SQLAlchemy (SQLite, PostgreSQL, MariaDB) and DuckDB files."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from tests.scanner.conftest import HEADER, PG, assert_no_values, column

from separation.errors import InputError
from separation.scanner import ScanOptions, scan

MY = "mysql+pymysql://root@127.0.0.1:3306/test"


def _fill(url: str, table: str, rows: list[dict[str, Any]], schema: str | None = None) -> None:
    engine = create_engine(url)
    qual = f"{schema}.{table}" if schema else table
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {qual} (id INTEGER PRIMARY KEY, amount FLOAT, code VARCHAR(10), "
                "citizenship VARCHAR(40), case_ref VARCHAR(40), notes VARCHAR(200))"
            )
        )
        conn.execute(
            text(
                f"INSERT INTO {qual} ({', '.join(HEADER)}) "
                "VALUES (:id, :amount, :code, :citizenship, :case_ref, :notes)"
            ),
            rows,
        )
    engine.dispose()


def _check(report: dict[str, Any], name: str) -> None:
    assert_no_values(json.dumps(report))
    src = next(s for s in report["sources"] if s["source"] == name)
    assert src["errors"] == []
    assert {c["column"] for c in src["columns"]} == {"citizenship", "case_ref", "notes"}
    assert column(report, name, "case_ref")["rows"] == [3, 7]
    assert column(report, name, "notes")["rows"] == [5, 10]


def test_sqlite_every_table_and_named_tables(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    url = f"sqlite:///{tmp_path / 'city.sqlite'}"
    _fill(url, "permits", rows)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE plain (id INTEGER PRIMARY KEY, label TEXT)"))
        conn.execute(text("INSERT INTO plain VALUES (1, 'parks')"))
    engine.dispose()
    report = scan([url]).to_dict()
    assert [s["source"] for s in report["sources"]] == ["permits", "plain"]
    _check(report, "permits")
    only = scan([url], ScanOptions(tables=("plain",))).to_dict()
    assert [s["source"] for s in only["sources"]] == ["plain"] and not only["sources"][0]["columns"]
    with pytest.raises(InputError, match="no such table"):
        scan([url], ScanOptions(tables=("nope",)))
    # the file itself is a target too
    by_file = scan([str(tmp_path / "city.sqlite")]).to_dict()
    assert by_file["sources"][0]["source"].endswith("city.sqlite:permits")


def test_duckdb_file(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    import duckdb
    import pyarrow as pa

    path = tmp_path / "lake.duckdb"
    con = duckdb.connect(str(path))
    data = pa.Table.from_pylist(rows)
    con.register("data", data)
    con.execute("CREATE TABLE permits AS SELECT * FROM data")
    con.execute("CREATE SCHEMA hr")
    con.execute("CREATE TABLE hr.staff AS SELECT id, citizenship FROM data")
    con.close()
    report = scan([str(path)]).to_dict()
    names = [s["source"] for s in report["sources"]]
    assert names == [f"{path}:hr.staff", f"{path}:permits"]
    _check(report, f"{path}:permits")
    by_url = scan([f"duckdb:///{path}"]).to_dict()
    assert {s["source"] for s in by_url["sources"]} == {"hr.staff", "permits"}


@pytest.mark.postgres
def test_postgres_schema_and_a_table_without_permission(pg_schema: str, rows: list[dict[str, Any]]) -> None:
    _fill(PG, "permits", rows, pg_schema)
    _fill(PG, "secret", rows[:3], pg_schema)
    role = f"{pg_schema}_ro"
    engine = create_engine(PG)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {pg_schema} TO {role}"))
        conn.execute(text(f"GRANT SELECT ON {pg_schema}.permits TO {role}"))
    engine.dispose()
    report = scan([PG], ScanOptions(schema=pg_schema)).to_dict()
    _check(report, f"{pg_schema}.permits")
    limited = scan([PG.replace("postgres@", f"{role}@")], ScanOptions(schema=pg_schema)).to_dict()
    secret = next(s for s in limited["sources"] if s["source"] == f"{pg_schema}.secret")
    assert secret["errors"] and "permission denied" in secret["errors"][0]["reason"]
    _check(limited, f"{pg_schema}.permits")  # the scan went on


def test_mariadb_named_table(rows: list[dict[str, Any]]) -> None:
    try:
        engine = create_engine(MY)
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("MariaDB not reachable: CI starts it (127.0.0.1:3306)")
        pytest.skip("MariaDB not reachable")
    table = f"scan_{uuid.uuid4().hex[:8]}"
    try:
        _fill(MY, table, rows)
        report = scan([MY], ScanOptions(tables=(table,))).to_dict()
        _check(report, table)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def test_bad_database_url_is_bad_usage() -> None:
    with pytest.raises(InputError):
        scan(["nosuchdriver://x/y"])
    with pytest.raises(InputError, match="cannot list tables"):
        scan(["postgresql+psycopg://nobody@127.0.0.1:1/none"])
