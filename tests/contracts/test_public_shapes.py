"""Real outputs of the commands validate against the published JSON Schema files (CONTRACTS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
ACCESS_FIXTURES = ROOT / "tests" / "access" / "fixtures"


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return loaded


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "separation", *args], input=stdin, capture_output=True, text=True, timeout=300
    )


def test_detect_lines_and_findings() -> None:
    texts = [
        {"id": 1, "text": "She told the officer she was undocumented; A-number A123456789."},
        {"id": "b", "text": "¿Cuál es su estatus migratorio?"},
        {"id": 3, "text": "Ice on the sidewalk outside the police office."},
    ]
    proc = run("detect", "-", stdin="\n".join(json.dumps(t) for t in texts) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["id"] for line in lines] == [1, "b", 3]
    for line in lines:
        jsonschema.validate(line, schema("detect-line"))
        for finding in line["findings"]:
            jsonschema.validate(finding, schema("finding"))
    assert lines[0]["findings"] and lines[1]["findings"] and not lines[2]["findings"]


def test_scan_report(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "id,name,citizenship_status,notes\n1,Ann,undocumented,ok\n2,Bo,citizen,she overstayed her visa\n"
    )
    (tmp_path / "clean.csv").write_text("id,amount\n1,10\n2,20\n")
    proc = run("scan", str(tmp_path), "--json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, schema("scan-report"))
    assert "undocumented" not in proc.stdout and "overstayed" not in proc.stdout


def test_access_flagged_entries(tmp_path: Path) -> None:
    source = ACCESS_FIXTURES / "reasons-labelled.csv"
    profile = ACCESS_FIXTURES / "reasons-labelled.yaml"
    flagged = tmp_path / "flagged.jsonl"
    proc = run("access", "audit", str(source), "--profile", str(profile), "--flagged", str(flagged))
    assert proc.returncode in (0, 1), proc.stderr
    lines = [json.loads(line) for line in flagged.read_text().splitlines()]
    assert lines
    for line in lines:
        jsonschema.validate(line, schema("access-flagged-entry"))


def test_decision_from_triage() -> None:
    proc = run("triage", str(ROOT / "examples" / "requests.jsonl"), "--json")
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        jsonschema.validate(json.loads(line), schema("decision"))
