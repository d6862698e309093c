"""Sample mode skips what the format lets it skip; keys of flagged rows; Parquet reads only what matters."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text
from tests.scanner.conftest import PG, assert_no_values, column, make_rows, write_csv

from separation.scanner import ScanOptions, discover, scan
from separation.scanner.classify import needs_values
from separation.scanner.readers import iter_batches, sample_rows

MY = "mysql+pymysql://root@127.0.0.1:3306/test"


def _table(url: str, name: str, rows: list[dict[str, Any]], key: str = "id INTEGER PRIMARY KEY") -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {name} ({key}, amount FLOAT, code VARCHAR(10), citizenship VARCHAR(40), "
                "case_ref VARCHAR(40), notes VARCHAR(200))"
            )
        )
        conn.execute(
            text(
                f"INSERT INTO {name} (id, amount, code, citizenship, case_ref, notes) "
                "VALUES (:id, :amount, :code, :citizenship, :case_ref, :notes)"
            ),
            rows,
        )
    engine.dispose()


# --- Parquet: only the cells that matter are read --------------------------------------------------


def test_parquet_columns_decided_by_type_are_not_read(tmp_path: Path) -> None:
    rows = make_rows(50)
    table = pa.Table.from_pylist(rows).append_column("a_number", pa.array(range(50), pa.int64()))
    path = tmp_path / "p.parquet"
    pq.write_table(table, path)
    (source,) = discover([str(path)])
    batch, first = next(iter_batches(source, 1000, wanted=lambda n, t: needs_values(n, t)))
    assert first == 0 and batch.schema.names == table.schema.names
    assert pa.types.is_null(batch.column("amount").type)  # a float: its name and type decide it
    assert batch.column("a_number").to_pylist() == list(range(50))  # named as status: its cells count
    assert batch.column("notes").null_count == 0
    report = scan([str(path)]).to_dict()
    assert column(report, str(path), "a_number")["rows_flagged"] == 50
    assert "amount" not in {c["column"] for c in report["sources"][0]["columns"]}


def test_a_shared_dictionary_reports_each_batch_by_its_own_rows(tmp_path: Path) -> None:
    # One row group, so every batch carries the whole dictionary, with the A-number in it; only the
    # rows that hold it are flagged, whatever the batch size.
    rows = make_rows(40)
    path = tmp_path / "p.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=1000)
    for batch_rows in (5, 40):
        report = scan([str(path)], ScanOptions(batch_rows=batch_rows)).to_dict()
        assert column(report, str(path), "case_ref")["rows"] == [3, 7]


# --- Sample mode -----------------------------------------------------------------------------------


def test_parquet_sample_reads_a_share_of_the_row_groups(tmp_path: Path) -> None:
    rows = make_rows(4000)
    path = tmp_path / "big.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=100)  # 40 row groups
    (source,) = discover([str(path)])
    seen = [numbers.to_pylist() for _, numbers in iter_batches(source, 1000, sample=0.1)]
    groups = {(n - 1) // 100 for part in seen for n in part}
    assert len(groups) == 4  # 4 of 40 row groups read, whole
    assert sum(len(p) for p in seen) == 400
    report = scan([str(path)], ScanOptions(sample=0.1)).to_dict()
    assert report["summary"]["mode"] == "sample" and report["summary"]["sample"] == 0.1
    assert report["sources"][0]["rows_scanned"] == 400
    cit = column(report, str(path), "citizenship")
    assert cit["rows"] and all(r % 2 == 0 and (r - 1) // 100 in groups for r in cit["rows"])


def test_parquet_sample_in_one_row_group_keeps_a_share_of_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "one.parquet"
    pq.write_table(pa.Table.from_pylist(make_rows(4000)), path)
    report = scan([str(path)], ScanOptions(sample=0.1)).to_dict()
    assert 350 < report["sources"][0]["rows_scanned"] < 450


def test_parquet_sample_is_the_same_with_workers(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    pq.write_table(pa.Table.from_pylist(make_rows(3000)), path, row_group_size=100)
    one = scan([str(path)], ScanOptions(sample=0.2)).to_dict()
    two = scan([str(path)], ScanOptions(sample=0.2, workers=2)).to_dict()
    assert one == two and one["sources"][0]["rows_scanned"] == 600


def _rows_of(report: dict[str, Any], source: str) -> dict[str, list[int]]:
    src = next(s for s in report["sources"] if s["source"] == source)
    return {c["column"]: c["rows"] for c in src["columns"]}


def test_sqlite_sample_is_selected_in_sql_with_the_same_rows_as_a_file(tmp_path: Path) -> None:
    rows = make_rows(2000)
    url = f"sqlite:///{tmp_path / 'city.sqlite'}"
    _table(url, "permits", rows)
    csv = write_csv(tmp_path / "permits.csv", rows)
    db = scan([url], ScanOptions(sample=0.25)).to_dict()
    files = scan([str(csv)], ScanOptions(sample=0.25)).to_dict()
    assert db["sources"][0]["rows_scanned"] == files["sources"][0]["rows_scanned"]
    assert 450 < db["sources"][0]["rows_scanned"] < 550
    assert _rows_of(db, "permits") == _rows_of(files, str(csv))


def _server(url: str) -> None:
    import os

    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{url.split(':')[0]} not reachable: CI must have it")
        pytest.skip("database server not reachable")


@pytest.mark.parametrize("url", [PG, MY])
def test_server_sample_and_keys(url: str, tmp_path: Path) -> None:
    _server(url)
    name = f"sample_{uuid.uuid4().hex[:8]}"
    rows = make_rows(1000)
    for r in rows:
        r["id"] = r["id"] * 10  # keys that are not row numbers
    _table(url, name, rows)
    try:
        csv = write_csv(tmp_path / "rows.csv", rows)
        sampled = scan([url], ScanOptions(sample=0.3, tables=(name,))).to_dict()
        files = scan([str(csv)], ScanOptions(sample=0.3)).to_dict()
        assert _rows_of(sampled, name) == _rows_of(files, str(csv))
        full = scan([url], ScanOptions(tables=(name,))).to_dict()
        src = full["sources"][0]
        assert src["key"] == ["id"]
        assert src["keys"]["case_ref"] == [30, 70] and column(full, name, "case_ref")["rows"] == [3, 7]
        assert src["keys"]["notes"] == [50, 100]
        assert_no_values(json.dumps(full))
    finally:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE {name}"))
        engine.dispose()


def test_csv_sample_keeps_the_same_rows_in_every_batch_size(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", make_rows(1000))
    a = scan([str(path)], ScanOptions(sample=0.3)).to_dict()
    b = scan([str(path)], ScanOptions(sample=0.3, batch_rows=7)).to_dict()
    assert a == b


def test_sample_rows_keeps_about_the_share_evenly() -> None:
    batch = pa.RecordBatch.from_pydict({"x": list(range(10_000))})
    kept, numbers = sample_rows(batch, 0, 0.1)
    assert 950 <= kept.num_rows <= 1050
    assert numbers.to_pylist() == [x + 1 for x in kept.column("x").to_pylist()]
    # Evenly spread: every run of 100 rows holds some.
    assert {n // 100 for n in kept.column("x").to_pylist()} == set(range(100))


# --- Keys ------------------------------------------------------------------------------------------


def test_sqlite_primary_key_gives_the_keys_of_flagged_rows(tmp_path: Path) -> None:
    rows = make_rows(40)
    for r in rows:
        r["id"] = 1000 + r["id"]
    url = f"sqlite:///{tmp_path / 'city.sqlite'}"
    _table(url, "permits", rows)
    report = scan([url]).to_dict()
    src = report["sources"][0]
    assert src["key"] == ["id"]
    assert src["keys"]["case_ref"] == [1003, 1007]
    assert src["keys"]["citizenship"] == [1000 + r for r in column(report, "permits", "citizenship")["rows"]]


def test_a_table_without_a_primary_key_lists_rows_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'city.sqlite'}"
    _table(url, "permits", make_rows(20), key="id INTEGER")
    src = scan([url]).to_dict()["sources"][0]
    assert "key" not in src and "keys" not in src


def test_key_option_for_files_and_composite_keys(tmp_path: Path) -> None:
    rows = make_rows(40)
    path = write_csv(tmp_path / "cases.csv", rows)
    report = scan([str(path)], ScanOptions(key=("id",))).to_dict()
    src = report["sources"][0]
    assert src["key"] == ["id"] and src["keys"]["case_ref"] == ["3", "7"]  # a CSV holds text
    assert src["errors"] == []
    pq_path = tmp_path / "cases.parquet"
    pq.write_table(pa.Table.from_pylist(rows), pq_path, row_group_size=7)
    report = scan([str(pq_path)], ScanOptions(key=("id", "code"), batch_rows=5, workers=2)).to_dict()
    assert report["sources"][0]["keys"]["case_ref"] == [[3, "X1"], [7, "Y2"]]


def test_keys_are_withheld_when_the_key_column_is_itself_flagged(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.csv", make_rows(40))
    report = scan([str(path)], ScanOptions(key=("case_ref",))).to_dict()
    src = report["sources"][0]
    assert src["key"] == ["case_ref"] and src["keys"] == {} and "keys_withheld" in src
    assert_no_values(json.dumps(report))


def test_a_missing_key_column_is_said_once(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.csv", make_rows(40))
    report = scan([str(path)], ScanOptions(key=("case_id",), batch_rows=7)).to_dict()
    src = report["sources"][0]
    assert [e["reason"] for e in src["errors"]] == [
        "no such key column (--key); rows are listed without keys"
    ]
    assert "keys" not in src


def test_keys_survive_resume(tmp_path: Path) -> None:
    from separation.scanner.classify import ColumnTally, SourceTally

    tally = SourceTally(key=("id",))
    tally.columns["x"] = ColumnTally("x", {"status"}, {"values"}, 2, [3, 7], False, [30, 70])
    again = SourceTally.from_state(json.loads(json.dumps(tally.to_state())))
    assert again.key == ("id",) and again.columns["x"].keys == [30, 70]


def test_duckdb_primary_key_and_the_rendered_keys(tmp_path: Path) -> None:
    import duckdb
    from rich.console import Console

    from separation.scanner import render_html, render_rich

    path = tmp_path / "lake.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE permits (permit_no INTEGER PRIMARY KEY, case_ref VARCHAR)")
    con.execute("INSERT INTO permits VALUES (501, 'CR-1'), (502, 'A123456789'), (503, 'CR-3')")
    con.close()
    result = scan([str(path)])
    src = result.to_dict()["sources"][0]
    assert src["key"] == ["permit_no"] and src["keys"] == {"case_ref": [502]}
    console = Console(record=True, width=200)
    render_rich(result, console)
    assert "2 (permit_no 502)" in console.export_text()
    assert "2 (permit_no 502)" in render_html(result)
    assert_no_values(render_html(result) + console.export_text())


def test_large_and_small_dictionaries_decide_alike(tmp_path: Path) -> None:
    # Past a few thousand distinct values a batch's dictionary is cut to the values with a letter
    # before any look-up; small batches take the other path. Both must give the same report.
    rows = make_rows(6000)
    for r in rows:
        r["amount"] = f"{r['amount']:.2f}"
        r["code"] = f"C{r['id']:05d}" if r["id"] % 11 else "LPR"
    path = write_csv(tmp_path / "wide.csv", rows)
    big = scan([str(path)], ScanOptions(batch_rows=6000)).to_dict()
    small = scan([str(path)], ScanOptions(batch_rows=700)).to_dict()
    assert big == small
    assert column(big, str(path), "code")["rows_flagged"] == 6000 // 11
    assert column(big, str(path), "case_ref")["rows"] == [3, 7]


@pytest.mark.parametrize("share", [0.05, 0.2, 0.5])
def test_a_sample_flags_only_what_its_own_rows_hold(tmp_path: Path, share: float) -> None:
    # One row group: the sampled batches still carry the whole dictionary, A-number included; the
    # column is flagged only when a sampled row holds it.
    path = tmp_path / "p.parquet"
    pq.write_table(pa.Table.from_pylist(make_rows(40)), path)
    ids = pa.RecordBatch.from_pydict({"i": list(range(40))})
    kept = set(sample_rows(ids, 0, share)[1].to_pylist())
    report = scan([str(path)], ScanOptions(sample=share)).to_dict()
    flagged = {c["column"]: c["rows"] for c in report["sources"][0]["columns"]}
    expected = [r for r in (3, 7) if r in kept]
    assert flagged.get("case_ref", []) == expected
