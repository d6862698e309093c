"""Lawful exceptions: allowed columns are reported apart with their basis, never as violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.scanner.conftest import write_csv

from separation.errors import InputError
from separation.scanner import ScanOptions, load_allow_list, scan

I9 = "Form I-9 employment eligibility verification, 8 U.S.C. 1324a"
PROSECUTION = "Prosecution files, Minneapolis Code 19.30(a)(2)"


def test_allowed_columns_are_listed_apart_with_their_basis(
    tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    (tmp_path / "hr").mkdir()
    write_csv(tmp_path / "hr" / "i9.csv", rows)
    write_csv(tmp_path / "cases.csv", rows)
    allow_file = tmp_path / "allow.yaml"
    allow_file.write_text(
        f'allow:\n  - source: "hr/*.csv"\n    basis: "{I9}"\n'
        f'  - source: cases.csv\n    column: "citizen*"\n    basis: "{PROSECUTION}"\n',
        encoding="utf-8",
    )
    report = scan([str(tmp_path)], ScanOptions(allow=load_allow_list(allow_file))).to_dict()
    cases, i9 = report["sources"]
    assert i9["source"] == "hr/i9.csv" and i9["columns"] == []
    assert {c["column"] for c in i9["allowed"]} == {"citizenship", "case_ref", "notes"}
    assert {c["basis"] for c in i9["allowed"]} == {I9}
    assert i9["rows_flagged"] == 0
    assert [c["column"] for c in cases["allowed"]] == ["citizenship"]
    assert cases["allowed"][0]["basis"] == PROSECUTION
    assert {c["column"] for c in cases["columns"]} == {"case_ref", "notes"}
    assert cases["rows_flagged"] == 4  # rows 3 and 7 (case_ref), 5 and 10 (notes)
    assert report["summary"]["columns_allowed"] == 4


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("allow: 3\n", "expected a list"),
        ("allow:\n  - source: x\n", "basis"),
        ("allow:\n  - basis: y\n", "source"),
        ("allow:\n  - source: x\n    basis: y\n    why: z\n", "unknown key"),
        ("allow: [\n", "not valid YAML"),
    ],
)
def test_broken_allow_lists_are_bad_input(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "allow.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        load_allow_list(path)


def test_missing_allow_list_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_allow_list(tmp_path / "none.yaml")
