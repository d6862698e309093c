"""Every file format: the planted columns are found by name, values and text, with 1-based rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.scanner.conftest import (
    TEXT_HIT,
    TEXT_MISS,
    assert_no_values,
    column,
    write_csv,
    write_json,
    write_jsonl,
    write_parquet,
    write_xlsx,
)

from separation.scanner import ScanOptions, scan

WRITERS = {
    "people.csv": write_csv,
    "people.tsv": lambda p, r: write_csv(p, r, "\t"),
    "people.parquet": write_parquet,
    "people.jsonl": write_jsonl,
    "people.json": write_json,
    "people.xlsx": write_xlsx,
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_tabular_formats_flag_name_values_and_text(
    tmp_path: Path, rows: list[dict[str, Any]], name: str
) -> None:
    path = WRITERS[name](tmp_path / name, rows)
    report = scan([str(path)]).to_dict()
    blob = json.dumps(report)
    assert_no_values(blob)
    src = report["sources"][0]
    assert src["errors"] == []
    assert src["rows_scanned"] == 40
    flagged = {c["column"] for c in src["columns"]}
    assert flagged == {"citizenship", "case_ref", "notes"}
    cit = column(report, str(path), "citizenship")
    assert "name" in cit["reasons"] and "values" in cit["reasons"]
    assert cit["kinds"] == ["status"]
    assert cit["rows"] == list(range(2, 41, 2))
    ref = column(report, str(path), "case_ref")
    assert ref == {
        "column": "case_ref",
        "kinds": ["identifier"],
        "reasons": ["values"],
        "rows_flagged": 2,
        "rows": [3, 7],
    }
    notes = column(report, str(path), "notes")
    assert notes["reasons"] == ["text"] and notes["rows"] == [5, 10]
    # distinct rows flagged: the even rows, plus 3, 5, 7
    assert src["rows_flagged"] == 20 + 3


def test_text_and_markdown_report_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "memo.md").write_text(f"# Memo\n\n{TEXT_MISS}\n{TEXT_HIT}\n", encoding="utf-8")
    (tmp_path / "clean.txt").write_text(f"{TEXT_MISS}\n", encoding="utf-8")
    report = scan([str(tmp_path)]).to_dict()
    assert [s["source"] for s in report["sources"]] == ["clean.txt", "memo.md"]
    assert report["sources"][0]["columns"] == []
    col = column(report, "memo.md", None)
    assert col["rows"] == [4] and col["reasons"] == ["text"] and col["kinds"] == ["status"]


def test_word_document_paragraphs_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(TEXT_MISS)
    document.add_paragraph(TEXT_HIT)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Alien number"
    table.cell(0, 1).text = "A-number A123456789"
    document.save(str(tmp_path / "letter.docx"))
    report = scan([str(tmp_path / "letter.docx")]).to_dict()
    col = column(report, str(tmp_path / "letter.docx"), None)
    assert col["rows"][0] == 2
    assert {"status", "identifier"} <= set(col["kinds"])
    assert_no_values(json.dumps(report))


def test_pdf_with_a_text_layer(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.cell(text=TEXT_MISS)
    pdf.add_page()
    pdf.cell(text=TEXT_HIT)
    pdf.output(str(tmp_path / "report.pdf"))
    report = scan([str(tmp_path / "report.pdf")]).to_dict()
    col = column(report, str(tmp_path / "report.pdf"), None)
    assert col["rows"] == [2]  # page numbers


def test_multi_sheet_workbook_is_one_source_per_sheet(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    write_xlsx(tmp_path / "book.xlsx", rows, sheets=2)
    report = scan([str(tmp_path)]).to_dict()
    assert [s["source"] for s in report["sources"]] == ["book.xlsx#Sheet", "book.xlsx#Sheet2"]


def test_folder_names_are_relative_and_unknown_files_skipped(
    tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    (tmp_path / "sub").mkdir()
    write_csv(tmp_path / "sub" / "a.csv", rows)
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.csv").write_text("a_number\nA123456789\n")
    report = scan([str(tmp_path)]).to_dict()
    assert [s["source"] for s in report["sources"]] == ["sub/a.csv"]


def test_sample_mode_reads_a_share_and_says_so(tmp_path: Path) -> None:
    from tests.scanner.conftest import make_rows

    path = write_csv(tmp_path / "big.csv", make_rows(4000))
    report = scan([str(path)], ScanOptions(sample=0.1)).to_dict()
    assert report["summary"]["mode"] == "sample" and report["summary"]["sample"] == 0.1
    assert 300 < report["sources"][0]["rows_scanned"] < 500
    cit = column(report, str(path), "citizenship")
    assert all(r % 2 == 0 for r in cit["rows"])  # original row numbers, not sample positions
    full = scan([str(path)]).to_dict()
    assert full["summary"]["mode"] == "full"


def test_rows_list_truncated_past_the_limit(tmp_path: Path) -> None:
    from tests.scanner.conftest import make_rows

    from separation.scanner import ClassifyOptions

    path = write_csv(tmp_path / "big.csv", make_rows(400))
    report = scan([str(path)], ScanOptions(classify=ClassifyOptions(row_limit=10), batch_rows=7)).to_dict()
    cit = column(report, str(path), "citizenship")
    assert (
        cit["rows"] == list(range(2, 21, 2)) and cit["rows_truncated"] is True and cit["rows_flagged"] == 200
    )
    ref = column(report, str(path), "case_ref")
    assert "rows_truncated" not in ref


@pytest.mark.parametrize("batch_rows", [1, 3, 16, 1000])
def test_batch_size_does_not_change_the_report(
    tmp_path: Path, rows: list[dict[str, Any]], batch_rows: int
) -> None:
    path = write_parquet(tmp_path / "p.parquet", rows)
    base = scan([str(path)]).to_dict()
    assert scan([str(path)], ScanOptions(batch_rows=batch_rows)).to_dict() == base


def test_workers_give_the_same_report(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    for i in range(3):
        write_csv(tmp_path / f"part{i}.csv", rows)
    one = scan([str(tmp_path)]).to_dict()
    two = scan([str(tmp_path)], ScanOptions(workers=2)).to_dict()
    assert one == two and one["summary"]["columns_flagged"] == 9


def test_one_parquet_file_is_split_across_workers(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tests.scanner.conftest import make_rows

    path = tmp_path / "big.parquet"
    pq.write_table(pa.Table.from_pylist(make_rows(3000)), path, row_group_size=200)
    one = scan([str(path)]).to_dict()
    two = scan([str(path)], ScanOptions(workers=2)).to_dict()
    assert one == two and one["sources"][0]["rows_scanned"] == 3000
