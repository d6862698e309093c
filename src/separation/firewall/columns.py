"""Field and column names that ask for status, and cell values that are a status or an identifier.

The scanner, the linter and ``redact_record`` share these. Names are normalised (camelCase and
snake_case split, accents folded, lower case) and matched as whole words against the per-language
lexicons in ``knowledge/*/columns.yaml``; values against ``knowledge/*/values.yaml`` and the detector.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2

from separation.firewall.finding import Finding
from separation.firewall.fold import fold_text
from separation.firewall.knowledge import ColumnLexicon, load_knowledge

__all__ = [
    "MAX_NAME_CHARS",
    "classify_column_name",
    "kind_of_findings",
    "normalise_name",
    "value_kind",
    "value_kinds",
]

MAX_NAME_CHARS = 512
_MAX_VALUE_CHARS = 4096
_ORDER = ("question", "identifier", "status")


def _opts() -> Any:
    o = re2.Options()
    o.case_sensitive = True
    return o


# Linear-time RE2 helpers, compiled once.
_CAMEL = re2.compile(r"([a-z0-9])([A-Z])")
_ACRONYM = re2.compile(r"([A-Z]+)([A-Z][a-z])")
_HASH = re2.compile(r"#")
_NON_ALNUM = re2.compile(r"[^a-z0-9]+")
_DIGIT_EDGE = re2.compile(r"([a-z])([0-9])")


def normalise_name(name: str) -> str:
    """``alienRegistrationNo`` → ``alien registration no``.

    Likewise ``País_de_Ciudadanía`` → ``pais de ciudadania``."""
    text = fold_text(name[:MAX_NAME_CHARS]).decode("ascii")
    text = _ACRONYM.sub(r"\1 \2", _CAMEL.sub(r"\1 \2", text))
    text = _HASH.sub(" number ", text).lower()
    text = _NON_ALNUM.sub(" ", text)
    # "i94" and "i 94" are the same word; "a123" is not a name word.
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class _Lexicon:
    kinds: tuple[tuple[str, Any, Any], ...]  # kind, anywhere-regex, at-start regex
    negative: Any
    status_values: frozenset[str]


def _alternation(phrases: list[str]) -> Any:
    if not phrases:
        return None
    body = "|".join(re2.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re2.compile(rf"(?:^| )(?:{body})(?: |$)", _opts())


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    lex: ColumnLexicon = load_knowledge().columns
    kinds = []
    for kind in _ORDER:
        phrases = [normalise_name(p) for p in lex.phrases.get(kind, ())]
        # One-letter words ("a number", "a no") are only a label at the start of a name.
        anywhere = [p for p in phrases if len(p.split()[0]) > 1]
        at_start = [p for p in phrases if len(p.split()[0]) == 1]
        start_re = (
            re2.compile(rf"^(?:{'|'.join(re2.escape(p) for p in at_start)})(?: |$)", _opts())
            if at_start
            else None
        )
        kinds.append((kind, _alternation(anywhere), start_re))
    return _Lexicon(
        kinds=tuple(kinds),
        negative=_alternation([normalise_name(p) for p in lex.negative]),
        status_values=frozenset(normalise_name(v) for v in lex.status_values),
    )


def classify_column_name(name: str) -> str | None:
    """The kind of information a field or column name asks for, or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    norm = normalise_name(name)
    lex = _lexicon()
    if lex.negative is not None and lex.negative.search(norm):
        return None
    for kind, anywhere, at_start in lex.kinds:
        if (anywhere is not None and anywhere.search(norm)) or (
            at_start is not None and at_start.search(norm)
        ):
            return kind
    return None


def value_kind(value: str) -> str | None:
    """Does one cell value look like a status value ("Permanent resident", "EWI") or an identifier?"""
    return value_kinds([value])[0]


def value_kinds(values: Sequence[object]) -> list[str | None]:
    """``value_kind`` for many cells, with one batched detector pass over those that need it."""
    from separation.firewall import detect_many

    kinds: list[str | None] = [None] * len(values)
    pending: list[int] = []
    stripped: list[str] = []
    status_values = _lexicon().status_values
    for i, value in enumerate(values):
        if not isinstance(value, str):
            continue
        cell = value.strip()
        if not cell or len(cell) > _MAX_VALUE_CHARS:
            continue
        if len(cell) <= 64 and normalise_name(cell) in status_values:
            kinds[i] = "status"
            continue
        pending.append(i)
        stripped.append(cell)
    for i, cell, found in zip(pending, stripped, detect_many(stripped) if stripped else (), strict=True):
        kinds[i] = kind_of_findings(cell, found)
    return kinds


def kind_of_findings(cell: str, found: Sequence[Finding]) -> str | None:
    """A cell is an identifier when findings cover 60% of it, a status when they cover half."""
    covered: dict[str, int] = {}
    for f in found:
        covered[f.kind] = covered.get(f.kind, 0) + (f.end - f.start)
    if covered.get("identifier", 0) * 10 >= len(cell) * 6:
        return "identifier"
    if covered.get("status", 0) * 2 >= len(cell) or covered.get("question", 0) * 2 >= len(cell):
        return "status"
    return None
