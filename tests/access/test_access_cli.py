"""`separation access audit`: summary, flagged export, HTML report, exit codes, Okaloosa."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from separation.cli import app

from .conftest import FIXTURES, OKALOOSA


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["access", "audit", *args])


def summary_of(*args: str) -> tuple[int, dict[str, Any]]:
    result = run(*args, "--json")
    return result.exit_code, json.loads(result.stdout)


def test_no_hits_says_so_plainly_and_exits_0(tmp_path: Path) -> None:
    flagged = tmp_path / "flagged.jsonl"
    result = run(str(FIXTURES / "no-hits.csv"), "--flagged", str(flagged))
    assert result.exit_code == 0
    assert "No immigration-enforcement searches found in 5 searches" in result.stdout
    assert flagged.read_text() == ""


def test_hits_exit_1_and_the_flagged_lines_follow_the_contract(tmp_path: Path) -> None:
    flagged = tmp_path / "flagged.jsonl"
    result = run(str(FIXTURES / "network-audit.csv"), "--flagged", str(flagged))
    assert result.exit_code == 1
    lines = [json.loads(line) for line in flagged.read_text().splitlines()]
    assert list(lines[0])[:4] == ["row", "category", "rule", "federal_immigration_agency"]
    by_row = {line["row"]: line for line in lines}
    assert by_row[1] == by_row[1] | {
        "category": "immigration_enforcement",
        "rule": "why.immigration.ero",
        "federal_immigration_agency": False,
    }
    assert by_row[2]["rule"] == "who.federal.cbp" and by_row[2]["federal_immigration_agency"] is True
    assert by_row[3]["rules"] == ["why.vague.investigation", "who.federal.ice", "how.case.missing"]
    assert by_row[7]["rule"] == "who.federal.user_domain"
    assert by_row[9]["rules"] == [
        "why.immigration.ice",
        "who.on_behalf.reason",
        "how.scope.nationwide_filter",
    ]
    assert by_row[12]["rule"] == "who.partner.287g" and by_row[12]["federal_immigration_agency"] is False
    # other / criminal_stated rows that no who or how rule flags are not written
    assert set(by_row) == {1, 2, 3, 4, 7, 8, 9, 10, 11, 12}
    assert all("file" not in line for line in lines)


def test_several_files_and_folders_add_the_file_name(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("network-audit.csv", "export-13.csv", "no-hits.csv"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    (folder / "sharing-agencies.csv").write_text("Agency,State\nLakeview MN PD,MN\n", encoding="utf-8")
    flagged = tmp_path / "out.jsonl"
    code, data = summary_of(str(folder), "--flagged", str(flagged))
    assert code == 1
    assert [f["file"] for f in data["files"]] == ["export-13.csv", "network-audit.csv", "no-hits.csv"]
    assert data["rows"] == 14 + 5 + 5
    assert data["skipped"] == [
        {
            "file": "sharing-agencies.csv",
            "problem": "columns match no known log profile; pass --profile NAME or a mapping .yaml",
        }
    ]
    lines = [json.loads(line) for line in flagged.read_text().splitlines()]
    assert {line["file"] for line in lines} == {"export-13.csv", "network-audit.csv"}


def test_summary_by_category_agency_and_month() -> None:
    code, data = summary_of(str(FIXTURES / "network-audit.csv"))
    assert code == 1 and data["found"] is True
    assert data["categories"] == {
        "immigration_enforcement": 2,
        "vague_or_missing": 4,
        "criminal_stated": 4,
        "other": 4,
    }
    assert data["federal_immigration_agency"] == 4
    assert [m["month"] for m in data["by_month"]] == ["2025-10", "2025-11"]
    agencies = {a["agency"]: a for a in data["by_agency"]}
    assert agencies["US Border Patrol - Blaine Sector"]["federal_immigration_agency"] is True
    assert agencies["Rice County Sheriff's Office"]["federal_immigration_agency"] is False
    assert data["networks"] == {"multi_network": 4, "max": 4200}
    assert data["lookback_days"] == {"over_30": 0, "max": 7}


def test_csv_export_and_formula_cells_are_neutralised(tmp_path: Path) -> None:
    flagged = tmp_path / "flagged.csv"
    src = tmp_path / "log.csv"
    src.write_text(
        "Name,Org Name,Total Networks Searched,Total Devices Searched,Time Frame,License Plate,"
        "Case #,Filters,Reason,Search Date/Time\n"
        '=cmd,=HYPERLINK("x"),1,1,x,P1,1,,ICE,2025-11-01 10:00:00\n',
        encoding="utf-8",
    )
    assert run(str(src), "--flagged", str(flagged), "--include-identifiers").exit_code == 1
    rows = list(csv.DictReader(flagged.open(encoding="utf-8")))
    assert rows[0]["rule"] == "why.immigration.ice"
    assert rows[0]["org"].startswith("'=") and rows[0]["user"] == "'=cmd"


def test_html_report_is_self_contained_with_svg_charts(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    assert run(str(FIXTURES / "network-audit.csv"), "--html", str(html)).exit_code == 1
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and "<svg" in text
    for external in ("http://", "https://", "<script", "<link", "src="):
        assert external not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_malformed_rows_are_reported_not_fatal() -> None:
    result = run(str(FIXTURES / "malformed.csv"))
    assert result.exit_code == 1
    assert "3 malformed row(s), starting on line(s) 4, 7, 10" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/file.csv"], "no such file"),
        ([str(FIXTURES / "network-audit.csv"), "--profile", "nope"], "unknown profile"),
        ([str(FIXTURES / "network-audit.csv"), "--include-identifiers"], "--include-identifiers"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_folder_without_logs_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "notes.txt.bak").write_text("x", encoding="utf-8")
    result = run(str(tmp_path))
    assert result.exit_code == 2 and "no log files" in result.stderr


def test_generic_sources_through_the_cli() -> None:
    code, data = summary_of(str(FIXTURES / "generic.jsonl"), "--profile", str(FIXTURES / "generic.yaml"))
    assert code == 1
    assert data["files"][0]["rows_malformed"] == 2
    assert data["rules"]["who"] == {"who.federal.hsi": 1}


@pytest.mark.skipif(not OKALOOSA.exists(), reason="the real Okaloosa file is outside this checkout")
def test_okaloosa_real_audit(tmp_path: Path) -> None:
    flagged = tmp_path / "flagged.jsonl"
    code, data = summary_of(str(OKALOOSA), "--flagged", str(flagged))
    assert code == 0 and data["found"] is False
    assert data["headline"].startswith("No immigration-enforcement searches found in 7,273 searches")
    assert data["rows"] == 7273 and data["rows_malformed"] == 0
    assert data["files"][0]["profile"] == "okaloosa.converted"
    assert data["categories"]["immigration_enforcement"] == 0
    assert data["federal_immigration_agency"] == 0
    vague = data["categories"]["vague_or_missing"]
    assert vague > 3000  # "investigation", "warrant", "bolo", "inv", blank ... a majority of all searches
    for rule in ("why.vague.investigation", "why.vague.warrant", "why.vague.bolo", "why.vague.missing"):
        assert data["rules"]["why"][rule] > 0
    assert data["networks"]["multi_network"] > 3000 and data["networks"]["max"] == 6709
    assert data["rules"]["how"]["how.scope.nationwide"] > 1000
    assert data["rules"]["how"]["how.vendor.blocked"] == 12 and data["rules"]["how"]["how.vendor.warned"] == 2
    assert [m["month"] for m in data["by_month"]] == ["2025-11", "2025-12"]
    assert sum(m["rows"] for m in data["by_month"]) == 7273
    # Time frames reaching back past the vendor's 30-day retention (up to 746 full days in this file).
    assert data["lookback_days"]["over_30"] > 100 and data["lookback_days"]["max"] == 746
    assert data["rules"]["how"]["how.scope.long_lookback"] > 0
    lines = flagged.read_text().splitlines()
    assert len(lines) == data["flagged"]
    assert not any('"immigration_enforcement"' in line for line in lines)


def test_parquet_log_with_a_mapping_file_and_identifiers(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "queries.parquet"
    pq.write_table(
        pa.table(
            {
                "ts": ["2025-11-01T10:00:00Z", "2025-11-02T10:00:00Z", "2025-11-03T10:00:00Z"],
                "department": ["Homeland Security Investigations", "Records Unit", "Records Unit"],
                "purpose": ["records check", "deportation case", "burglary follow-up"],
                "actor": ["Ola Sund", "Bea Holm", "Bea Holm"],
                "case_ref": ["A-1", "A-2", "A-3"],
            }
        ),
        path,
    )
    flagged = tmp_path / "f.jsonl"
    result = run(str(path), "--profile", str(FIXTURES / "generic.yaml"), "--flagged", str(flagged), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["rows"] == 3 and data["files"][0]["format"] == "parquet"
    assert data["categories"]["immigration_enforcement"] == 1
    lines = [json.loads(line) for line in flagged.read_text().splitlines()]
    assert [(x["row"], x["rule"]) for x in lines] == [(1, "who.federal.hsi"), (2, "why.immigration.removal")]
    assert "user" not in lines[0]
    result = run(
        str(path),
        "--profile",
        str(FIXTURES / "generic.yaml"),
        "--flagged",
        str(flagged),
        "--include-identifiers",
    )
    lines = [json.loads(line) for line in flagged.read_text().splitlines()]
    assert lines[1]["user"] == "Bea Holm" and lines[1]["reason"] == "deportation case"


def test_a_broken_parquet_file_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    result = run(str(path), "--profile", str(FIXTURES / "generic.yaml"))
    assert result.exit_code == 2 and "Traceback" not in result.stderr


_HEADER = (
    b"Name,Org Name,Total Networks Searched,Total Devices Searched,Time Frame,License Plate,"
    b"Case #,Filters,Reason,Search Date/Time\r\n"
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=400), with_header=st.booleans())
def test_any_bytes_give_an_exit_code_never_a_traceback(
    tmp_path: Path, body: bytes, with_header: bool
) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes((_HEADER if with_header else b"") + body)
    result = run(str(path), "--json")
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code != 2:
        data = json.loads(result.stdout)
        assert data["rows"] + data["rows_malformed"] == data["files"][0]["rows"]
