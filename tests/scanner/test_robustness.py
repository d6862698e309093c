"""Broken inputs become errors on their source, with a reason that quotes no data; the scan goes on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.scanner.conftest import TEXT_HIT, assert_no_values, column, write_csv, write_parquet

from separation.scanner import ClassifyOptions, ScanOptions, scan


def _by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["source"]: s for s in report["sources"]}


def test_broken_files_are_reported_and_the_scan_goes_on(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    write_csv(tmp_path / "good.csv", rows)
    (tmp_path / "ragged.csv").write_text("a_number,notes\nA123456789,x\n1,2,3,4\n", encoding="utf-8")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not parquet A123456789")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (tmp_path / "broken.docx").write_bytes(b"nope")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nope")
    (tmp_path / "bad.json").write_text('{"a_number": "A123456789", ', encoding="utf-8")
    report = scan([str(tmp_path)]).to_dict()
    assert_no_values(json.dumps(report))
    by = _by_name(report)
    for name in ("ragged.csv", "broken.parquet", "broken.xlsx", "broken.docx", "broken.pdf", "bad.json"):
        assert by[name]["errors"], name
    assert "wrong number of columns" in by["ragged.csv"]["errors"][0]["reason"]
    assert not by["good.csv"]["errors"] and len(by["good.csv"]["columns"]) == 3


def test_mis_encoded_text_is_read_in_the_fallback_encoding_and_said(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("name,notes\nJos\xe9,the tenant is undocumented\n".encode("cp1252"))
    report = scan([str(path)]).to_dict()
    src = report["sources"][0]
    assert "not valid UTF-8" in src["errors"][0]["reason"]
    assert column(report, str(path), "notes")["rows"] == [1]
    txt = tmp_path / "latin.txt"
    txt.write_bytes("Se\xf1or\nthe tenant is undocumented\n".encode("cp1252"))
    assert column(scan([str(txt)]).to_dict(), str(txt), None)["rows"] == [2]


def test_huge_cell_is_scanned_in_part_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    big = "x " * 3000 + TEXT_HIT
    path.write_text(json.dumps({"id": 1, "notes": big}) + "\n", encoding="utf-8")
    report = scan([str(path)], ScanOptions(classify=ClassifyOptions(max_cell_chars=1000))).to_dict()
    err = report["sources"][0]["errors"][0]
    assert err["column"] == "notes" and err["row"] == 1 and "only the start" in err["reason"]


def test_unreadable_file(tmp_path: Path, rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    from separation.scanner import readers

    locked = write_csv(tmp_path / "locked.csv", rows)
    write_parquet(tmp_path / "locked.parquet", rows)
    write_csv(tmp_path / "open.csv", rows)

    def denied(path: Any, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    # Running as root ignores file modes, so the refusal is simulated where the readers open files.
    real_open = open
    monkeypatch.setattr(
        readers,
        "open",
        lambda p, *a, **k: denied(p) if str(p) == str(locked) else real_open(p, *a, **k),
        raising=False,
    )
    monkeypatch.setattr(pq, "ParquetFile", denied)
    report = scan([str(tmp_path)]).to_dict()
    by = _by_name(report)
    assert "permission denied" in by["locked.csv"]["errors"][0]["reason"]
    assert "permission denied" in by["locked.parquet"]["errors"][0]["reason"]
    assert not by["open.csv"]["errors"] and by["open.csv"]["columns"]


def test_read_errors_dont_raise_from_a_failing_detector(
    tmp_path: Path, rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from separation.scanner import _firewall

    def boom(*args: Any) -> Any:
        raise RuntimeError("detector down")

    monkeypatch.setattr(_firewall, "classify_cells", boom)
    path = write_parquet(tmp_path / "p.parquet", rows)
    report = scan([str(path)]).to_dict()
    src = report["sources"][0]
    assert any("detector failed" in e["reason"] for e in src["errors"])
    assert "citizenship" in {c["column"] for c in src["columns"]}  # by name, still


def test_missing_target_and_unknown_format_are_bad_usage(tmp_path: Path) -> None:
    from separation.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        scan([str(tmp_path / "nope.csv")])
    (tmp_path / "x.png").write_bytes(b"")
    with pytest.raises(InputError, match="unsupported format"):
        scan([str(tmp_path / "x.png")])
    with pytest.raises(InputError, match="--sample"):
        scan([str(tmp_path)], ScanOptions(sample=0))


def test_a_data_row_read_as_header_is_not_written_out(tmp_path: Path) -> None:
    path = tmp_path / "noheader.csv"
    path.write_text("A123456789,the tenant is undocumented\nA987654321,ok\n", encoding="utf-8")
    report = scan([str(path)]).to_dict()
    blob = json.dumps(report)
    assert "A123456789" not in blob and "the tenant is undocumented" not in blob
    names = {c["column"] for c in report["sources"][0]["columns"]}
    assert "(column 1, name withheld)" in names
    from separation.scanner import clean

    log = clean(str(path), str(tmp_path / "out.csv")).to_dict()
    assert "A123456789" not in json.dumps(log)
    assert "A987654321" not in (tmp_path / "out.csv").read_text(encoding="utf-8")
