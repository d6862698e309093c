"""The data firewall: find immigration- and citizenship-status information in text and remove it.

    detect(text, lang=None) -> list[Finding]
    detect_many(texts, lang=None) -> list[list[Finding]]
    redact(text, findings=None, operator="placeholder", key=None) -> RedactionResult
    redact_record(record, operator=..., key=None) -> RecordRedactionResult
    classify_column_name(name) -> "status" | "identifier" | "question" | None
    value_kind(value) -> "status" | "identifier" | None
    value_kinds(values) -> list of the same, one batched detector pass

The detector is compiled once, on first use, and shared (it is immutable).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from separation.firewall.columns import classify_column_name, value_kind, value_kinds
from separation.firewall.detector import Detector
from separation.firewall.finding import Finding
from separation.firewall.redact import (
    OPERATORS,
    RecordRedactionResult,
    RedactionLog,
    RedactionResult,
    redact,
    redact_record,
)

__all__ = [
    "OPERATORS",
    "Detector",
    "Finding",
    "RecordRedactionResult",
    "RedactionLog",
    "RedactionResult",
    "classify_column_name",
    "detect",
    "detect_many",
    "detector",
    "redact",
    "redact_record",
    "value_kind",
    "value_kinds",
]


@lru_cache(maxsize=1)
def detector() -> Detector:
    """The shared detector, compiled on first use."""
    return Detector()


def detect(text: str, lang: str | None = None) -> list[Finding]:
    """Findings in one text (``lang`` None: English and Spanish rules both apply)."""
    return detector().detect(text, lang)


def detect_many(texts: Sequence[str], lang: str | None = None) -> list[list[Finding]]:
    """Findings for many texts, scanned as batched buffers; one list per text, in order."""
    return detector().detect_many(texts, lang)
