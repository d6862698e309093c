"""CI gate: the detector meets the issue's accuracy targets on the development corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from separation.firewall import detect_many
from separation.firewall.evaluate import evaluate, parse_record

DEV = Path(__file__).resolve().parents[2] / "corpus" / "firewall" / "dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason="development corpus not written yet")
def test_dev_corpus_meets_targets() -> None:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    records = [parse_record(json.loads(line), f"line {i}") for i, line in enumerate(lines, 1) if line.strip()]
    report = evaluate(records, detect_many)
    assert report.documents >= 500
    assert report.failures() == []
