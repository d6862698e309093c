"""The form linter: HTML, JSON Schema, CSV, SQL, plain text; allow-list; CLI exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from separation.cli import app
from separation.firewall.lint import apply_allow_list, lint_text, load_allow_list

HTML = """<form>
  <label for="name">Full name</label><input id="name" name="full_name">
  <label for="cit">Are you a U.S. citizen?</label>
  <select id="cit" name="q7"><option>Yes</option><option>No</option></select>
  <input name="alien_number" placeholder="A-Number">
  <label>Status <select name="s"><option>U.S. citizen</option><option>Permanent resident</option>
    <option>Other</option></select></label>
  <input name="misc" placeholder="Country of citizenship">
  <p class="help">Estatus migratorio: ______</p>
  <input name="case_status" placeholder="Case status">
  <input name="email" type="email">
  <script>var immigration_status = 1;</script>
</form>"""


def _fields(flags: list) -> set[str | None]:
    return {f.field for f in flags}


def test_html_form() -> None:
    flags = lint_text("intake.html", HTML)
    assert _fields(flags) >= {"q7", "alien_number", "s", "misc"}
    assert "full_name" not in _fields(flags) and "case_status" not in _fields(flags)
    assert "email" not in _fields(flags)
    assert any(f.field is None and "text" in f.reasons for f in flags)  # the help paragraph
    by_field = {f.field: f for f in flags}
    assert "options" in by_field["s"].reasons
    assert by_field["alien_number"].kind == "identifier"


def test_json_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "title": "Name"},
            "immigration_status": {"type": "string"},
            "q3": {"type": "string", "title": "¿Es usted ciudadano(a) estadounidense?"},
            "doc": {"type": "string", "enum": ["Permanent resident", "U.S. citizen", "Refugee"]},
            "address": {"type": "object", "properties": {"numero_a": {"type": "string"}}},
        },
    }
    flags = lint_text("form.json", json.dumps(schema, indent=2))
    assert _fields(flags) == {"immigration_status", "q3", "doc", "numero_a"}


def test_csv_header_and_sql() -> None:
    csv_flags = lint_text("export.csv", "id,name,citizenship,alien_reg_no,notes\n1,x,y,z,w\n")
    assert _fields(csv_flags) == {"citizenship", "alien_reg_no"}
    sql = """CREATE TABLE clients (
      id serial PRIMARY KEY,
      name text,
      visa_type varchar(20),
      "CountryOfCitizenship" text,
      status text,
      CONSTRAINT x UNIQUE (name)
    );"""
    sql_flags = lint_text("schema.sql", sql)
    assert _fields(sql_flags) == {"visa_type", "CountryOfCitizenship"}
    assert {f.line for f in sql_flags} == {4, 5}


def test_plain_text_questionnaire() -> None:
    text = (
        "1. Name: ____\n2. Are you a U.S. citizen? Y/N\n3. ¿Cuál es su estatus migratorio?\n4. Case status:"
    )
    flags = lint_text("q.txt", text)
    assert sorted(f.line for f in flags) == [2, 3]


def test_allow_list_records_the_basis() -> None:
    allow = load_allow_list(
        "allow:\n  - source: 'i9*.html'\n    field: q7\n    basis: Form I-9, 8 U.S.C. 1324a\n"
    )
    flags = apply_allow_list(lint_text("forms/i9-section1.html", HTML), allow)
    q7 = next(f for f in flags if f.field == "q7")
    assert q7.allowed and q7.basis == "Form I-9, 8 U.S.C. 1324a"
    assert any(not f.allowed for f in flags)


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "intake.html"
    bad.write_text(HTML, encoding="utf-8")
    clean = tmp_path / "clean.csv"
    clean.write_text("id,name,case_status\n", encoding="utf-8")
    allow = tmp_path / "allow.yaml"
    allow.write_text("allow:\n  - source: '*'\n    basis: program eligibility rule\n", encoding="utf-8")
    assert runner.invoke(app, ["lint", str(clean)]).exit_code == 0
    result = runner.invoke(app, ["lint", "--json", str(bad)])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["summary"]["flagged"] >= 4
    assert runner.invoke(app, ["lint", "--allow", str(allow), str(bad)]).exit_code == 0
    assert runner.invoke(app, ["lint", str(tmp_path / "missing.html")]).exit_code == 2
    no_basis = tmp_path / "nobasis.yaml"
    no_basis.write_text("allow:\n  - source: '*'\n", encoding="utf-8")
    result = runner.invoke(app, ["lint", "--allow", str(no_basis), str(bad)])
    assert result.exit_code == 2 and "basis" in result.stderr
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02")
    assert runner.invoke(app, ["lint", str(binary)]).exit_code == 2
