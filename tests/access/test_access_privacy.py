"""Plates, user names, case numbers and reason text stay out of everything but the flagged export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from separation.cli import app

from .conftest import FIXTURES

SOURCES = ("network-audit.csv", "export-13.csv", "org-audit.csv", "malformed.csv")


def _identifiers() -> set[str]:
    found: set[str] = set()
    for name in SOURCES:
        with (FIXTURES / name).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("Name", "License Plate", "Case #"):
                    value = (row.get(column) or "").strip()
                    if len(value) >= 5 and value != "***":
                        found.add(value)
    return found


IDENTIFIERS = _identifiers()


def test_fixtures_do_carry_identifiers() -> None:
    assert {"ZQX4821", "Avery Lindqvist", "jmarlow@ice.dhs.gov", "25-004512"} <= IDENTIFIERS


@pytest.mark.parametrize("name", SOURCES)
def test_summary_html_and_console_never_carry_identifiers(name: str, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    flagged = tmp_path / "f.jsonl"
    runner = CliRunner()
    as_json = runner.invoke(app, ["access", "audit", str(FIXTURES / name), "--json", "--html", str(html)])
    console = runner.invoke(app, ["access", "audit", str(FIXTURES / name), "--flagged", str(flagged)])
    outputs = {
        "json": as_json.stdout + as_json.stderr,
        "console": console.stdout + console.stderr,
        "html": html.read_text(encoding="utf-8"),
        "flagged without --include-identifiers": flagged.read_text(encoding="utf-8"),
    }
    for where, text in outputs.items():
        leaked = sorted(i for i in IDENTIFIERS if i in text)
        assert not leaked, f"{where} carries identifiers: {len(leaked)}"
    json.loads(as_json.stdout)


def test_identifiers_appear_only_in_the_flagged_export_when_asked(tmp_path: Path) -> None:
    flagged = tmp_path / "f.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "access",
            "audit",
            str(FIXTURES / "network-audit.csv"),
            "--flagged",
            str(flagged),
            "--include-identifiers",
        ],
    )
    assert result.exit_code == 1
    lines = [json.loads(line) for line in flagged.read_text().splitlines()]
    assert lines[0]["plate"] == "ZQX4821" and lines[0]["user"] == "Avery Lindqvist"
    assert lines[0]["reason"] == "ICE+ERO" and lines[0]["case_number"] == "25-004512"
    assert not any(i in result.stdout + result.stderr for i in IDENTIFIERS)


def test_error_messages_never_echo_cell_values(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Plate Owner,Secret\nZQX4821 Avery Lindqvist,x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["access", "audit", str(bad)])
    assert result.exit_code == 2
    assert "ZQX4821" not in result.stderr and "Avery" not in result.stderr
