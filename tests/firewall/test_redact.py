"""Redaction operators for text and records, and the redaction log."""

from __future__ import annotations

import pytest

from separation.errors import InputError
from separation.firewall import Finding, redact, redact_record

TEXT = "He is undocumented; A-Number: A213456789."


def test_placeholder_is_the_same_for_every_kind() -> None:
    out = redact(TEXT)
    assert out.text == "He is [REDACTED]; [REDACTED]: [REDACTED]."
    assert out.log.by_kind == {"status": 1, "question": 1, "identifier": 1}
    assert sum(out.log.by_rule.values()) == 3 and out.log.total == 3


def test_mask_keeps_length() -> None:
    out = redact(TEXT, operator="mask")
    assert len(out.text) == len(TEXT) and "undocumented" not in out.text


def test_remove() -> None:
    assert redact("He was deported in 2019.", operator="remove").text == "He was  in 2019."


def test_hash_pseudonym_is_keyed_and_stable() -> None:
    a = redact("File A213456789", operator="hash", key=b"k1").text
    b = redact("File A 213-456-789", operator="hash", key=b"k1").text
    c = redact("File A213456789", operator="hash", key=b"k2").text
    assert a == b and a != c and a.startswith("File ID-")
    # Non-identifiers still get the neutral placeholder.
    assert redact("He is undocumented", operator="hash", key=b"k1").text == "He is [REDACTED]"


def test_hash_needs_a_key_and_operators_are_checked() -> None:
    with pytest.raises(InputError):
        redact(TEXT, operator="hash")
    with pytest.raises(InputError):
        redact(TEXT, operator="shred")


def test_given_findings_and_overlaps() -> None:
    findings = [
        Finding(0, 5, "status", 0.9, "x.status.a", "en"),
        Finding(3, 8, "status", 0.9, "x.status.b", "en"),
    ]
    out = redact("abcdefghij", findings)
    assert out.text == "[REDACTED]ij"
    with pytest.raises(InputError):
        redact("abc", [Finding(0, 10, "status", 0.9, "r", "en")])


def test_record_by_name_and_by_value() -> None:
    record = {
        "name": "Jo",
        "immigration_status": "LPR",
        "aNumber": 213456789,
        "notes": ["he is undocumented", {"numero_a": "A123"}],
        "estatus_migratorio": "indocumentado",
        "country_of_citizenship": None,
        "case_status": "open",
    }
    out = redact_record(record)
    assert out.record == {
        "name": "Jo",
        "immigration_status": "[REDACTED]",
        "aNumber": "[REDACTED]",
        "notes": ["he is [REDACTED]", {"numero_a": "[REDACTED]"}],
        "estatus_migratorio": "[REDACTED]",
        "country_of_citizenship": None,
        "case_status": "open",
    }
    assert out.log.by_kind == {"status": 3, "identifier": 2}
    assert record["immigration_status"] == "LPR"  # the input is not changed


def test_record_remove_drops_flagged_fields() -> None:
    out = redact_record({"visa_type": "H-1B", "x": 1}, operator="remove")
    assert out.record == {"x": 1}


def test_record_too_deep_is_an_input_error() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(100):
        node["a"] = {}
        node = node["a"]  # type: ignore[assignment]
    with pytest.raises(InputError):
        redact_record(deep)


def test_record_values_that_are_status_codes() -> None:
    out = redact_record({"category": "(c)(9)", "class": "EWI", "note": "ok", "ward": "3"})
    assert out.record == {"category": "[REDACTED]", "class": "[REDACTED]", "note": "ok", "ward": "3"}
    assert out.log.by_kind == {"status": 2}
