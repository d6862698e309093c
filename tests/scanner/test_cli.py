"""`separation scan` and `separation clean` from the command line: output shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.scanner.conftest import TEXT_MISS, assert_no_values, write_csv
from typer.testing import CliRunner

from separation.cli import app

runner = CliRunner()


def test_scan_json_follows_the_contract_and_exits_1(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    write_csv(tmp_path / "permits.csv", rows)
    result = runner.invoke(app, ["scan", str(tmp_path), "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert_no_values(result.stdout)
    assert set(data) == {"sources", "summary"}
    src = data["sources"][0]
    assert src["source"] == "permits.csv" and src["errors"] == []
    col = src["columns"][0]
    assert {"column", "kinds", "reasons", "rows_flagged", "rows"} <= set(col)
    assert {"sources": 1, "columns_flagged": 3, "rows_flagged": 23}.items() <= data["summary"].items()


def test_scan_nothing_found_exits_0_and_writes_html(tmp_path: Path) -> None:
    (tmp_path / "memo.txt").write_text(TEXT_MISS + "\n", encoding="utf-8")
    html = tmp_path / "report.html"
    result = runner.invoke(app, ["scan", str(tmp_path / "memo.txt"), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "nothing found" in result.stdout
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "Nothing found" in page and "<script" not in page


def test_scan_rich_table_and_html_name_no_values(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    write_csv(tmp_path / "permits.csv", rows)
    html = tmp_path / "r.html"
    result = runner.invoke(app, ["scan", str(tmp_path), "--html", str(html), "--sample", "0.5"])
    assert result.exit_code == 1
    assert "case_ref" in result.stdout and "Sample mode" in result.stdout
    assert_no_values(result.stdout)
    assert_no_values(html.read_text(encoding="utf-8"))


def test_bad_usage_exits_2_with_one_line(tmp_path: Path) -> None:
    for args in (
        ["scan", str(tmp_path / "missing.csv")],
        ["scan", str(tmp_path), "--sample", "2"],
        ["scan", "nosuchdb://x"],
        ["clean", str(tmp_path)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_clean_writes_copy_and_log_and_in_place_needs_confirmation(
    tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    src = write_csv(tmp_path / "permits.csv", rows)
    out = tmp_path / "clean.csv"
    result = runner.invoke(app, ["clean", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    log = json.loads((tmp_path / "clean.csv.redaction-log.json").read_text(encoding="utf-8"))
    assert log["sources"][0]["action"] == "cleaned"
    assert runner.invoke(app, ["scan", str(out)]).exit_code == 0
    before = src.read_bytes()
    refused = runner.invoke(app, ["clean", str(src), "--in-place"], input="n\n")
    assert refused.exit_code in (0, 2) and src.read_bytes() == before
    done = runner.invoke(app, ["clean", str(src), "--in-place", "--yes", "--json"])
    assert done.exit_code == 0 and src.read_bytes() != before
    assert json.loads(done.stdout)["mode"] == "drop"
