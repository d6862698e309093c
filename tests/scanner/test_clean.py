"""Clean copies: flagged columns dropped or masked, flagged text redacted, everything else the same."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text
from tests.scanner.conftest import (
    TEXT_HIT,
    TEXT_MISS,
    assert_no_values,
    write_csv,
    write_jsonl,
    write_parquet,
    write_xlsx,
)
from tests.scanner.test_databases import _fill

from separation.errors import InputError
from separation.scanner import CleanOptions, clean, load_allow_list, scan, write_log

KEPT = ["id", "amount", "code"]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_csv_copy_drops_and_redacts_and_keeps_the_rest(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    src = write_csv(tmp_path / "people.csv", rows)
    before = src.read_bytes()
    out = tmp_path / "out" / "people.csv"
    log = clean(str(src), str(out))
    assert src.read_bytes() == before  # the source is never touched
    got = _read_csv(out)
    original = _read_csv(src)
    assert list(got[0]) == ["id", "amount", "code", "notes"]  # citizenship and case_ref dropped
    for new, old in zip(got, original, strict=True):
        assert all(new[k] == old[k] for k in KEPT)
        assert new["notes"] == old["notes"] if old["notes"] == TEXT_MISS else TEXT_HIT not in new["notes"]
    assert sum(1 for r in got if "[REDACTED]" in r["notes"]) == 2
    data = log.to_dict()
    assert_no_values(json.dumps(data))
    cols = {c["column"]: c for c in data["sources"][0]["columns"]}
    assert cols["citizenship"]["action"] == "dropped" and cols["citizenship"]["cells"] == 20
    assert cols["case_ref"]["action"] == "dropped"
    assert cols["notes"]["action"] == "redacted" and cols["notes"]["cells"] == 2
    assert cols["notes"]["findings"] == {"status": 2}
    assert scan([str(out)]).found is False


def test_mask_keeps_the_columns(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    src = write_parquet(tmp_path / "p.parquet", rows)
    out = tmp_path / "clean.parquet"
    clean(str(src), str(out), CleanOptions(mask=True))
    table = pq.read_table(out)
    assert table.column_names == ["id", "amount", "code", "citizenship", "case_ref", "notes"]
    assert set(table.column("case_ref").to_pylist()) == {"[REDACTED]"}
    assert set(table.column("citizenship").to_pylist()) == {"[REDACTED]"}  # blanks too: no row stands out
    original = pq.read_table(src)
    for name in KEPT:
        assert table.column(name).equals(original.column(name))  # same values, same types


def test_allowed_columns_are_left_alone(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    src = write_jsonl(tmp_path / "cases.jsonl", rows)
    allow = tmp_path / "allow.yaml"
    allow.write_text(
        'allow:\n  - source: "*"\n    column: citizenship\n    basis: "19.30(a)(2)"\n', encoding="utf-8"
    )
    out = tmp_path / "clean.jsonl"
    clean(str(src), str(out), CleanOptions(allow=load_allow_list(allow)))
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["citizenship"] for r in got] == [r["citizenship"] for r in rows]
    assert all("case_ref" not in r for r in got)
    assert [r["id"] for r in got] == [r["id"] for r in rows]


def test_folder_copy_with_log_and_left_out_files(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    root = tmp_path / "store"
    (root / "sub").mkdir(parents=True)
    write_csv(root / "sub" / "a.csv", rows)
    write_xlsx(root / "b.xlsx", rows)
    (root / "memo.txt").write_text(f"{TEXT_MISS}\n{TEXT_HIT}\n", encoding="utf-8")
    (root / "readme.txt").write_text("nothing here\n", encoding="utf-8")
    (root / "photo.png").write_bytes(b"\x89PNG")
    (root / "ragged.csv").write_text("a,b\n1,2,3\n", encoding="utf-8")
    out = tmp_path / "copy"
    log = clean(str(root), str(out))
    data = log.to_dict()
    assert sorted(data["left_out"]) == ["photo.png", "ragged.csv"]
    assert (out / "readme.txt").read_text(encoding="utf-8") == "nothing here\n"
    memo = (out / "memo.txt").read_text(encoding="utf-8").splitlines()
    assert memo[0] == TEXT_MISS and "[REDACTED]" in memo[1]
    assert not (out / "photo.png").exists()
    report = scan([str(out)]).to_dict()
    assert report["summary"]["columns_flagged"] == 0, report
    import openpyxl  # type: ignore[import-untyped]

    ws = openpyxl.load_workbook(out / "b.xlsx").active
    assert [c.value for c in ws[1]] == ["id", "amount", "code", "notes"]
    write_log(log, tmp_path / "log.json")
    assert_no_values((tmp_path / "log.json").read_text(encoding="utf-8"))


def test_sqlite_tables_copied_into_new_tables(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    url = f"sqlite:///{tmp_path / 'city.sqlite'}"
    _fill(url, "permits", rows)
    clean(url, url)
    engine = create_engine(url)
    with engine.connect() as conn:
        cols = list(conn.execute(text("SELECT * FROM clean_permits ORDER BY id")).keys())
        got = conn.execute(text("SELECT id, amount, code, notes FROM clean_permits ORDER BY id")).all()
        orig = conn.execute(text("SELECT id, amount, code FROM permits ORDER BY id")).all()
    engine.dispose()
    assert cols == ["id", "amount", "code", "notes"]
    assert [tuple(r[:3]) for r in got] == [tuple(r) for r in orig]
    assert sum(1 for r in got if "[REDACTED]" in r[3]) == 2
    with pytest.raises(InputError, match="already exists"):
        clean(url, url)


def test_duckdb_copy_into_another_file(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    import duckdb
    import pyarrow as pa

    src = tmp_path / "lake.duckdb"
    con = duckdb.connect(str(src))
    con.register("data", pa.Table.from_pylist(rows))
    con.execute("CREATE TABLE permits AS SELECT * FROM data")
    con.close()
    out = tmp_path / "clean.duckdb"
    clean(str(src), f"duckdb:///{out}")
    con = duckdb.connect(str(out), read_only=True)
    cols = [r[0] for r in con.execute("DESCRIBE clean_permits").fetchall()]
    con.close()
    assert cols == ["id", "amount", "code", "notes"]


def test_in_place_and_bad_destinations(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    src = write_csv(tmp_path / "people.csv", rows)
    with pytest.raises(InputError, match="must not overwrite"):
        clean(str(src), str(src))
    with pytest.raises(InputError, match="give a path"):
        clean(str(src), "sqlite:///x.db")
    clean(str(src), str(src), CleanOptions(in_place=True))
    assert list(_read_csv(src)[0]) == ["id", "amount", "code", "notes"]


@pytest.mark.postgres
def test_postgres_tables_copied_into_another_schema(pg_schema: str, rows: list[dict[str, Any]]) -> None:
    from tests.scanner.conftest import PG

    _fill(PG, "permits", rows, pg_schema)
    engine = create_engine(PG)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {pg_schema}_clean"))
    try:
        log = clean(PG, PG, CleanOptions(schema=pg_schema, out_schema=f"{pg_schema}_clean"))
        assert log.to_dict()["sources"][0]["action"] == "cleaned"
        with engine.connect() as conn:
            got = conn.execute(text(f"SELECT * FROM {pg_schema}_clean.clean_permits ORDER BY id")).all()
            cols = list(conn.execute(text(f"SELECT * FROM {pg_schema}_clean.clean_permits LIMIT 1")).keys())
        assert cols == ["id", "amount", "code", "notes"] and len(got) == len(rows)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {pg_schema}_clean CASCADE"))
        engine.dispose()


def _pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for page in pages:
        pdf.add_page()
        pdf.cell(text=page)
    pdf.output(str(path))
    return path


def test_pdf_with_flagged_text_gives_its_redacted_text_layer_not_a_copy(tmp_path: Path) -> None:
    src = _pdf(tmp_path / "memo.pdf", [TEXT_MISS, TEXT_HIT])
    out = tmp_path / "out" / "memo.pdf"
    log = clean(str(src), str(out))
    assert not out.exists()  # a PDF would still show the text on its pages
    written = tmp_path / "out" / "memo.pdf.txt"
    pages = written.read_text(encoding="utf-8").rstrip("\n").split("\f")
    assert len(pages) == 2 and "snow removal" in pages[0] and "[REDACTED]" in pages[1]
    assert_no_values(written.read_text(encoding="utf-8"))
    entry = log.to_dict()["sources"][0]
    assert entry["action"] == "cleaned" and entry["written"] == "memo.pdf.txt"
    assert entry["columns"][0]["action"] == "redacted" and entry["columns"][0]["cells"] == 1


def test_pdf_without_findings_is_copied_and_in_place_is_refused(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    plain = _pdf(tmp_path / "src" / "plain.pdf", [TEXT_MISS])
    _pdf(tmp_path / "src" / "memo.pdf", [TEXT_HIT])
    log = clean(str(tmp_path / "src"), str(tmp_path / "out"))
    assert (tmp_path / "out" / "plain.pdf").read_bytes() == plain.read_bytes()
    assert (tmp_path / "out" / "memo.pdf.txt").exists() and not (tmp_path / "out" / "memo.pdf").exists()
    assert log.to_dict()["left_out"] == []
    log = clean(str(tmp_path / "src"), str(tmp_path / "src"), CleanOptions(in_place=True))
    assert log.to_dict()["left_out"] == ["memo.pdf"]
    assert not (tmp_path / "src" / "memo.pdf.txt").exists()
