"""Field and column names that ask for status, and cell values that are a status or an identifier.

The scanner, the linter and ``redact_record`` share these. Names are normalised (camelCase and
snake_case split, accents folded, lower case) and matched as whole words against the per-language
lexicons in ``knowledge/*/columns.yaml``; values against ``knowledge/*/values.yaml`` and the detector.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2

from separation.firewall.fold import fold_text
from separation.firewall.knowledge import ColumnLexicon, load_knowledge

__all__ = ["MAX_NAME_CHARS", "classify_column_name", "normalise_name", "value_kind"]

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
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    if not stripped or len(stripped) > _MAX_VALUE_CHARS:
        return None
    if len(stripped) <= 64 and normalise_name(stripped) in _lexicon().status_values:
        return "status"
    from separation.firewall import detect

    covered: dict[str, int] = {}
    for f in detect(stripped):
        covered[f.kind] = covered.get(f.kind, 0) + (f.end - f.start)
    if covered.get("identifier", 0) * 10 >= len(stripped) * 6:
        return "identifier"
    if covered.get("status", 0) * 2 >= len(stripped) or covered.get("question", 0) * 2 >= len(stripped):
        return "status"
    return None
