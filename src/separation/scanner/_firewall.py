"""The one place the scanner touches the detector (``separation.firewall``).

Everything the scanner needs from detection goes through these few functions, so that the Spark
workers and the local engine share exactly the same classification, and so that the detector's
own API can grow without the scanner following it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = [
    "MISS",
    "Redaction",
    "cell_kind",
    "classify_cells",
    "column_name_kind",
    "redact_text",
    "status_value_keys",
    "text_kinds",
    "warm",
]

PLACEHOLDER = "[REDACTED]"
_MAX_VALUE_CHARS = 4096  # value_kind's own limit


def warm() -> None:
    """Compile the detector now (seconds, once per process): before forking workers, they share it."""
    from separation.firewall import detect, value_kind

    detect("warm up")
    value_kind("warm up")
    if status_value_keys() is not None:
        _status_values()


@lru_cache(maxsize=4096)
def column_name_kind(name: str) -> str | None:
    """The kind a column's name reveals ("status", "identifier", "question") or None."""
    from separation.firewall import classify_column_name

    kind: str | None = classify_column_name(name)
    return kind


def cell_kind(value: str) -> str | None:
    """The kind one short cell is, on its own (a status value, an identifier), or None."""
    from separation.firewall import value_kind

    kind: str | None = value_kind(value)
    return kind


@lru_cache(maxsize=1)
def status_value_keys() -> frozenset[str] | None:
    """Status vocabulary entries as bare keys (lower-case ASCII letters and digits, no spaces).

    ``value_kind`` says "status" for a cell whose normalised form is in the vocabulary, or when the
    detector finds something in it. An ASCII cell whose bare key is not one of these keys, and in which
    the detector finds nothing, therefore cannot be flagged: the scanner uses that to call
    ``value_kind`` only on the few cells that can be, after one batched detector pass. None when the
    vocabulary is not available (every cell then goes to ``value_kind``).
    """
    try:
        from separation.firewall.columns import normalise_name
        from separation.firewall.knowledge import load_knowledge

        values = load_knowledge().columns.status_values
    except (ImportError, AttributeError):
        return None
    return frozenset(normalise_name(v).replace(" ", "") for v in values)


@lru_cache(maxsize=1)
def _status_values() -> frozenset[str]:
    from separation.firewall.columns import normalise_name
    from separation.firewall.knowledge import load_knowledge

    return frozenset(normalise_name(v) for v in load_knowledge().columns.status_values)


def _kind_from(value: str, found: Sequence[Any], vocabulary: bool) -> str | None:
    """``value_kind(value)`` given the detector's findings in ``value`` (stripped): the same rules,
    without a second detector call. ``tests/scanner/test_classify.py`` holds the two equal."""
    if not value or len(value) > _MAX_VALUE_CHARS:
        return None
    if vocabulary and len(value) <= 64:
        from separation.firewall.columns import normalise_name

        if normalise_name(value) in _status_values():
            return "status"
    covered: dict[str, int] = {}
    for f in found:
        covered[f.kind] = covered.get(f.kind, 0) + (f.end - f.start)
    if covered.get("identifier", 0) * 10 >= len(value) * 6:
        return "identifier"
    if covered.get("status", 0) * 2 >= len(value) or covered.get("question", 0) * 2 >= len(value):
        return "status"
    return None


MISS: tuple[str | None, frozenset[str]] = (None, frozenset())  # the result of most cells, shared


def classify_cells(
    values: Sequence[str], short: Sequence[bool], candidate: Sequence[bool]
) -> list[tuple[str | None, frozenset[str]]]:
    """For stripped cells: (``value_kind`` for the short ones, else None; the detector's kinds).

    One batched detector pass that returns findings only for the cells that have any
    (``Detector.detect_sparse``); ``candidate`` says the cell may be in the status vocabulary. Cells
    with no finding that are not candidates (nearly all) get the shared ``MISS``.
    """
    if not values:
        return []
    from separation.firewall import detector

    out = [MISS] * len(values)
    found = detector().detect_sparse(values)
    for i, cell in found.items():
        kind = _kind_from(values[i], cell, candidate[i]) if short[i] else None
        out[i] = (kind, frozenset(f.kind for f in cell))
    for i, maybe in enumerate(candidate):  # vocabulary entries with no finding
        if maybe and short[i] and i not in found:
            kind = _kind_from(values[i], (), True)
            if kind is not None:
                out[i] = (kind, MISS[1])
    return out


def text_kinds(texts: Sequence[str]) -> list[frozenset[str]]:
    """For each free-text cell, the kinds the detector finds in it (empty when none)."""
    if not texts:
        return []
    from separation.firewall import detector

    empty: frozenset[str] = frozenset()
    out = [empty] * len(texts)
    for i, found in detector().detect_sparse(texts).items():
        out[i] = frozenset(f.kind for f in found)
    return out


class Redaction:
    """A redacted text and the number of findings replaced, per kind (never the values)."""

    __slots__ = ("counts", "text")

    def __init__(self, text: str, counts: dict[str, int]) -> None:
        self.text = text
        self.counts = counts


def redact_text(text: str) -> Redaction:
    """The text with every finding replaced by the neutral placeholder."""
    from separation.firewall import detect, redact

    findings = detect(text)
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    if not findings:
        return Redaction(text, counts)
    return Redaction(redact(text, findings).text, counts)
