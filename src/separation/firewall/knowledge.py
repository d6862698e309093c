"""Reads the per-language knowledge files (YAML) into immutable rule objects, once.

The files are data, not code: adding Somali or Hmong means adding a folder, not a module. Loading
validates every rule so that a malformed file fails at build time with the file and rule named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from separation.errors import PackError
from separation.firewall.fold import fold_pattern

__all__ = [
    "KINDS",
    "LANGUAGES",
    "ColumnLexicon",
    "ContextClass",
    "Knowledge",
    "Rule",
    "load_knowledge",
]

KINDS = ("status", "identifier", "question")
LANGUAGES = ("en", "es")
_VALIDATORS = ("a_number", "receipt", "receipt_any", "column_name")
_RULE_FILES = ("status.yaml", "enforcement.yaml", "questions.yaml", "identifiers.yaml", "everyday.yaml")
# libyaml's safe loader when present: several times faster, which is most of the cold start.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Used only to substitute {name} placeholders at load time, never on text.
_VAR = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Rule:
    """One detection rule: its patterns and the checks made around each hit."""

    id: str
    kind: str
    language: str
    score: float
    caseless: bool
    patterns: tuple[str, ...]
    suppress_before: tuple[str, ...] = ()
    suppress_after: tuple[str, ...] = ()
    suppress_adjacent: tuple[str, ...] = ()
    require_after: tuple[str, ...] = ()
    require_before: tuple[str, ...] = ()
    window: int = 30
    require_window: int = 3
    options_ok: bool = False
    field_start: bool = False  # the hit must open a line or a form field (a label, not prose)
    topic: bool = False
    clause: bool = False
    validator: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class ContextClass:
    """Words that make a hit a statement about a person, or a mention of a topic."""

    name: str
    language: str
    window: int
    caseless: bool
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ColumnLexicon:
    """Normalised field-name phrases per kind, negatives, and enumerated status values."""

    phrases: Mapping[str, tuple[str, ...]]
    negative: tuple[str, ...]
    status_values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Knowledge:
    rules: tuple[Rule, ...]
    contexts: tuple[ContextClass, ...]
    columns: ColumnLexicon
    languages: tuple[str, ...] = field(default=LANGUAGES)


def _read(lang: str, name: str) -> Any:
    ref = resources.files("separation.firewall").joinpath("knowledge").joinpath(lang).joinpath(name)
    if not ref.is_file():
        return None
    try:
        return yaml.load(ref.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - _LOADER is CSafeLoader or SafeLoader
    except yaml.YAMLError as exc:
        raise PackError(f"invalid YAML ({type(exc).__name__})", file=f"knowledge/{lang}/{name}") from None


def _substitute(pattern: str, variables: Mapping[str, str], where: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in variables:
            raise PackError(f"unknown variable {{{name}}}", file=where)
        return variables[name]

    out = _VAR.sub(repl, pattern)
    return fold_pattern(out)


def _check_pattern(pattern: str, where: str, rule: str) -> None:
    # A pattern may not match the NUL that separates batched texts: no '.', no negated class.
    unescaped = re.sub(r"\\.", "", pattern)
    if "." in unescaped or "[^" in pattern or "(?=" in pattern or "(?!" in pattern or "(?<" in pattern:
        raise PackError("pattern uses '.', a negated class or lookaround", file=where, rule=rule)


def _strings(value: Any, where: str, rule: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PackError(f"'{key}' must be a list of strings", file=where, rule=rule)
    return tuple(value)


def _rule(raw: Any, lang: str, variables: Mapping[str, str], where: str) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise PackError("each rule needs an 'id'", file=where)
    rid = raw["id"]
    kind = raw.get("kind")
    if kind not in KINDS:
        raise PackError(f"kind must be one of {', '.join(KINDS)}", file=where, rule=rid)
    validator = raw.get("validator")
    if validator is not None and validator not in _VALIDATORS:
        raise PackError("unknown validator", file=where, rule=rid)

    def subst(items: tuple[str, ...], *, windowed: bool = False) -> tuple[str, ...]:
        out = tuple(_substitute(p, variables, where) for p in items)
        for p in out:
            # Window patterns run on one text's slice only, so negated classes are safe there.
            if not windowed:
                _check_pattern(p, where, rid)
        return out

    patterns = subst(_strings(raw.get("patterns"), where, rid, "patterns"))
    if not patterns:
        raise PackError("a rule needs at least one pattern", file=where, rule=rid)
    value = raw.get("value")
    return Rule(
        id=rid,
        kind=kind,
        language=lang,
        score=float(raw.get("score", 0.8)),
        caseless=raw.get("case", "insensitive") != "sensitive",
        patterns=patterns,
        suppress_before=subst(
            _strings(raw.get("suppress_before"), where, rid, "suppress_before"), windowed=True
        ),
        suppress_after=subst(
            _strings(raw.get("suppress_after"), where, rid, "suppress_after"), windowed=True
        ),
        suppress_adjacent=subst(
            _strings(raw.get("suppress_adjacent"), where, rid, "suppress_adjacent"), windowed=True
        ),
        require_after=subst(_strings(raw.get("require_after"), where, rid, "require_after"), windowed=True),
        require_before=subst(
            _strings(raw.get("require_before"), where, rid, "require_before"), windowed=True
        ),
        options_ok=bool(raw.get("options_ok", False)),
        field_start=bool(raw.get("field_start", False)),
        window=int(raw.get("window", 30)),
        require_window=int(raw.get("require_window", 3)),
        topic=bool(raw.get("topic", False)),
        clause=bool(raw.get("clause", False)),
        validator=validator,
        value=_substitute(value, variables, where) if isinstance(value, str) else None,
    )


def _phrases(raw: Any, key: str, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    value = raw.get(key) if isinstance(raw, dict) else None
    if value is None:
        return ()
    return _strings(value, where, key, key)


def load_knowledge(languages: Sequence[str] = LANGUAGES) -> Knowledge:
    """Read and validate every knowledge file of the given languages."""
    rules: list[Rule] = []
    contexts: list[ContextClass] = []
    phrases: dict[str, list[str]] = {k: [] for k in KINDS}
    negative: list[str] = []
    values: list[str] = []
    seen: set[str] = set()
    for lang in languages:
        variables = _read(lang, "vars.yaml") or {}
        for name in _RULE_FILES:
            where = f"knowledge/{lang}/{name}"
            doc = _read(lang, name)
            if doc is None:
                continue
            for raw in doc.get("rules", []) if isinstance(doc, dict) else []:
                rule = _rule(raw, lang, variables, where)
                if rule.id in seen:
                    raise PackError("duplicate rule id", file=where, rule=rule.id)
                seen.add(rule.id)
                rules.append(rule)
        ctx = _read(lang, "context.yaml") or {}
        for cname in ("person", "topic", "asked", "institution", "mention", "title"):
            raw = ctx.get(cname)
            if raw is None:
                continue
            where = f"knowledge/{lang}/context.yaml"
            pats = tuple(
                _substitute(p, variables, where) for p in _strings(raw.get("patterns"), where, cname, cname)
            )
            for p in pats:
                _check_pattern(p, where, cname)
            contexts.append(
                ContextClass(
                    name=cname,
                    language=lang,
                    window=int(raw.get("window", 60)),
                    caseless=raw.get("case", "insensitive") != "sensitive",
                    patterns=pats,
                )
            )
        cols = _read(lang, "columns.yaml")
        where = f"knowledge/{lang}/columns.yaml"
        for kind in KINDS:
            phrases[kind].extend(_phrases(cols, kind, where))
        negative.extend(_phrases(cols, "negative", where))
        values.extend(_phrases(_read(lang, "values.yaml"), "status", f"knowledge/{lang}/values.yaml"))
    return Knowledge(
        rules=tuple(rules),
        contexts=tuple(contexts),
        columns=ColumnLexicon(
            phrases={k: tuple(v) for k, v in phrases.items()},
            negative=tuple(negative),
            status_values=tuple(values),
        ),
        languages=tuple(languages),
    )
