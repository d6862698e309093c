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


# The later development corpora were written after the rules, by other hands; the detector does not
# meet every target on them yet. These floors are the figures at the last tuning, less a point, so
# that a change which loses what was gained there fails here.
FLOORS = {
    "dev2.jsonl": {
        ("status", "precision"): 0.94,
        ("status", "recall"): 0.97,
        ("identifier", "recall"): 0.99,
        ("question", "precision"): 0.94,
        ("question", "recall"): 0.95,
    },
    "dev3.jsonl": {
        ("status", "precision"): 0.91,
        ("status", "recall"): 0.92,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.96,
        ("question", "precision"): 0.87,
        ("question", "recall"): 0.935,
    },
    "dev4.jsonl": {
        ("status", "precision"): 0.87,
        ("status", "recall"): 0.82,
        ("identifier", "precision"): 0.95,
        ("identifier", "recall"): 0.89,
        ("question", "precision"): 0.80,
        ("question", "recall"): 0.85,
    },
    "dev5.jsonl": {
        ("status", "precision"): 0.91,
        ("status", "recall"): 0.86,
        ("identifier", "precision"): 0.97,
        ("identifier", "recall"): 0.90,
        ("question", "precision"): 0.86,
        ("question", "recall"): 0.86,
    },
    "dev6.jsonl": {
        ("status", "precision"): 0.89,
        ("status", "recall"): 0.86,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.90,
        ("question", "precision"): 0.87,
        ("question", "recall"): 0.89,
    },
    "dev7.jsonl": {
        ("status", "precision"): 0.88,
        ("status", "recall"): 0.89,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.96,
        ("question", "precision"): 0.88,
        ("question", "recall"): 0.81,
    },
    "dev8.jsonl": {
        ("status", "precision"): 0.83,
        ("status", "recall"): 0.77,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.92,
        ("question", "precision"): 0.84,
        ("question", "recall"): 0.67,
    },
    "dev9.jsonl": {
        ("status", "precision"): 0.87,
        ("status", "recall"): 0.74,
        ("identifier", "precision"): 0.96,
        ("identifier", "recall"): 0.92,
        ("question", "precision"): 0.84,
        ("question", "recall"): 0.80,
    },
    # dev10 … dev14: the learned pass was trained on them (their untouched figures are in the corpus log).
    "dev10.jsonl": {
        ("status", "precision"): 0.87,
        ("status", "recall"): 0.96,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.95,
        ("question", "precision"): 0.96,
        ("question", "recall"): 0.90,
    },
    "dev11.jsonl": {
        ("status", "precision"): 0.89,
        ("status", "recall"): 0.98,
        ("identifier", "precision"): 0.95,
        ("identifier", "recall"): 0.99,
        ("question", "precision"): 0.89,
        ("question", "recall"): 0.92,
    },
    "dev12.jsonl": {
        ("status", "precision"): 0.88,
        ("status", "recall"): 0.97,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.99,
        ("question", "precision"): 0.88,
        ("question", "recall"): 0.93,
    },
    "dev13.jsonl": {
        ("status", "precision"): 0.86,
        ("status", "recall"): 0.97,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.95,
        ("question", "precision"): 0.84,
        ("question", "recall"): 0.99,
    },
    "dev14.jsonl": {
        ("status", "precision"): 0.81,
        ("status", "recall"): 0.98,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.91,
        ("question", "precision"): 0.86,
        ("question", "recall"): 0.93,
    },
    "dev15.jsonl": {
        ("status", "precision"): 0.39,
        ("status", "recall"): 0.92,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.99,
        ("question", "precision"): 0.95,
        ("question", "recall"): 0.90,
    },
    "dev16.jsonl": {
        ("status", "precision"): 0.90,
        ("status", "recall"): 0.88,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.74,
        ("question", "precision"): 0.88,
        ("question", "recall"): 0.80,
    },
    "dev17.jsonl": {
        ("status", "precision"): 0.83,
        ("status", "recall"): 0.97,
        ("identifier", "precision"): 0.99,
        ("identifier", "recall"): 0.99,
        ("question", "precision"): 0.69,
        ("question", "recall"): 0.99,
    },
}
FP_CEILINGS = {
    "dev2.jsonl": 0.01,
    "dev3.jsonl": 0.025,
    "dev4.jsonl": 0.065,
    "dev5.jsonl": 0.055,
    "dev6.jsonl": 0.045,
    "dev7.jsonl": 0.05,
    "dev8.jsonl": 0.05,
    "dev9.jsonl": 0.07,
    "dev10.jsonl": 0.07,
    "dev11.jsonl": 0.05,
    "dev12.jsonl": 0.04,
    "dev13.jsonl": 0.10,
    "dev14.jsonl": 0.12,
    "dev15.jsonl": 0.03,
    "dev16.jsonl": 0.03,
    "dev17.jsonl": 0.14,
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_later_dev_corpora_keep_their_figures(name: str) -> None:
    path = DEV.parent / name
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [parse_record(json.loads(line), f"line {i}") for i, line in enumerate(lines, 1) if line.strip()]
    report = evaluate(records, detect_many)
    below = {
        key: report.figure(*key)
        for key, floor in FLOORS[name].items()
        if (report.figure(*key) or 0.0) < floor
    }
    assert below == {}
    fp_rate = report.hard_negative_fp_rate()
    assert fp_rate is not None and fp_rate <= FP_CEILINGS[name]
