"""Planted identifiers and status phrases never appear in findings, logs, errors or redaction logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from separation.cli import app
from separation.errors import InputError
from separation.firewall import detect, redact, redact_record

PLANTED = [
    "A213456789",
    "EAC2212345678",
    "N0027813562",
    "entered without inspection",
    "indocumentada",
    "overstayed her visa",
]
TEXT = (
    "Client A213456789 (receipt EAC2212345678, SEVIS N0027813562) entered without inspection; "
    "su hermana es indocumentada and overstayed her visa."
)


def _clean(blob: str) -> None:
    for value in PLANTED:
        assert value not in blob, value


def test_findings_and_logs_carry_no_values(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    findings = detect(TEXT)
    assert len(findings) >= 6
    _clean(json.dumps([f.to_dict() for f in findings]))
    _clean(repr(findings))
    result = redact(TEXT)
    _clean(result.text)
    _clean(json.dumps(result.log.to_dict()))
    record = redact_record({"a_number": "A213456789", "notes": TEXT, "visa_type": "overstayed her visa"})
    _clean(json.dumps(record.record))
    _clean(json.dumps(record.log.to_dict()))
    _clean(caplog.text)


def test_cli_output_and_errors_carry_no_values(tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "x", "text": TEXT}) + "\n", encoding="utf-8")
    detect_out = runner.invoke(app, ["detect", str(path)])
    _clean(detect_out.output)
    redact_out = runner.invoke(app, ["redact", "--json", str(path)])
    _clean(redact_out.output)
    # A malformed line holding the values: the error names the line, not its content.
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "A213456789", "text": ' + json.dumps(TEXT) + ", oops}\n", encoding="utf-8")
    result = runner.invoke(app, ["detect", str(bad)])
    assert result.exit_code == 2
    _clean(result.output)


def test_input_errors_name_fields_not_values() -> None:
    with pytest.raises(InputError) as err:
        redact(TEXT, operator="A213456789")
    _clean(str(err.value))
