"""Redaction of text and records, with a log of counts per kind and per rule (never values).

The default placeholder is the same for every kind, so the marker itself does not reveal that a
text was about immigration status.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from separation.errors import InputError
from separation.firewall.columns import classify_column_name, value_kind
from separation.firewall.finding import Finding

__all__ = [
    "OPERATORS",
    "PLACEHOLDER",
    "RecordRedactionResult",
    "RedactionLog",
    "RedactionResult",
    "redact",
    "redact_record",
]

PLACEHOLDER = "[REDACTED]"
OPERATORS = ("placeholder", "mask", "remove", "hash")
_MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class RedactionLog:
    """How many spans or fields were redacted, per kind and per rule."""

    by_kind: Mapping[str, int] = field(default_factory=dict)
    by_rule: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "by_kind": dict(self.by_kind), "by_rule": dict(self.by_rule)}

    def __add__(self, other: RedactionLog) -> RedactionLog:
        kinds = dict(self.by_kind)
        rules = dict(self.by_rule)
        for k, n in other.by_kind.items():
            kinds[k] = kinds.get(k, 0) + n
        for r, n in other.by_rule.items():
            rules[r] = rules.get(r, 0) + n
        return RedactionLog(by_kind=kinds, by_rule=rules)


@dataclass(frozen=True, slots=True)
class RedactionResult:
    text: str
    log: RedactionLog


@dataclass(frozen=True, slots=True)
class RecordRedactionResult:
    record: dict[str, Any]
    log: RedactionLog


def _check_operator(operator: str, key: bytes | None) -> None:
    if operator not in OPERATORS:
        raise InputError(f"unknown operator (expected one of {', '.join(OPERATORS)})", field="operator")
    if operator == "hash" and not key:
        raise InputError("the hash operator needs a key", field="key")


def _pseudonym(value: str, key: bytes) -> str:
    # Normalised first so that "A 123-456-789" and "A123456789" get the same pseudonym.
    canonical = "".join(c for c in value.upper() if c.isalnum())
    digest = hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
    return f"ID-{digest}"


def _replacement(original: str, kind: str, operator: str, key: bytes | None) -> str:
    if operator == "remove":
        return ""
    if operator == "mask":
        return "".join(c if c.isspace() else "*" for c in original)
    if operator == "hash" and kind == "identifier" and key:
        return _pseudonym(original, key)
    return PLACEHOLDER


def redact(
    text: str,
    findings: Sequence[Finding] | None = None,
    *,
    operator: str = "placeholder",
    key: bytes | None = None,
) -> RedactionResult:
    """Replace every finding (detected now when ``findings`` is None) using ``operator``."""
    _check_operator(operator, key)
    if not isinstance(text, str):
        raise InputError("text must be a string", field="text")
    if findings is None:
        from separation.firewall import detect

        findings = detect(text)
    spans = sorted(findings, key=lambda f: (f.start, -f.end))
    kinds: dict[str, int] = {}
    rules: dict[str, int] = {}
    out: list[str] = []
    pos = 0
    for f in spans:
        if not (0 <= f.start < f.end <= len(text)):
            raise InputError("finding outside the text", field="findings")
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
        rules[f.rule] = rules.get(f.rule, 0) + 1
        if f.start < pos:  # overlaps a span already replaced: extend it
            if f.end > pos:
                pos = f.end
            continue
        out.append(text[pos : f.start])
        out.append(_replacement(text[f.start : f.end], f.kind, operator, key))
        pos = f.end
    out.append(text[pos:])
    return RedactionResult(text="".join(out), log=RedactionLog(by_kind=kinds, by_rule=rules))


def _redact_whole(value: Any, kind: str, operator: str, key: bytes | None) -> Any:
    if isinstance(value, str):
        return _replacement(value, kind, operator, key)
    if value is None:
        return None
    if operator == "hash" and kind == "identifier" and key and isinstance(value, (int, float)):
        return _pseudonym(str(value), key)
    return "" if operator == "remove" else PLACEHOLDER


def _walk(value: Any, operator: str, key: bytes | None, depth: int) -> tuple[Any, RedactionLog]:
    from separation.firewall import detect

    if depth > _MAX_DEPTH:
        raise InputError(f"record nested deeper than {_MAX_DEPTH} levels", field="record")
    if isinstance(value, str):
        # A short value that is itself a status code ("C09", "(c)(9)", "EWI") goes whole.
        kind = value_kind(value) if len(value) <= 64 else None
        if kind is not None and not detect(value):
            return _redact_whole(value, kind, operator, key), RedactionLog(
                by_kind={kind: 1}, by_rule={f"value.{kind}": 1}
            )
        result = redact(value, operator=operator, key=key)
        return result.text, result.log
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        log = RedactionLog()
        for name, item in value.items():
            kind = classify_column_name(name) if isinstance(name, str) else None
            if kind is not None and item is not None and item != "":
                if operator == "remove":
                    log = log + RedactionLog(by_kind={kind: 1}, by_rule={f"field.{kind}": 1})
                    continue
                out[name] = _redact_whole(item, kind, operator, key)
                log = log + RedactionLog(by_kind={kind: 1}, by_rule={f"field.{kind}": 1})
                continue
            out[name], sub = _walk(item, operator, key, depth + 1)
            log = log + sub
        return out, log
    if isinstance(value, (list, tuple)):
        items = []
        log = RedactionLog()
        for item in value:
            new, sub = _walk(item, operator, key, depth + 1)
            items.append(new)
            log = log + sub
        return items, log
    return value, RedactionLog()


def redact_record(
    record: Mapping[str, Any], *, operator: str = "placeholder", key: bytes | None = None
) -> RecordRedactionResult:
    """A copy of ``record`` with fields flagged by name redacted whole and status text removed from values."""
    _check_operator(operator, key)
    if not isinstance(record, Mapping):
        raise InputError("record must be a JSON object", field="record")
    new, log = _walk(record, operator, key, 0)
    return RecordRedactionResult(record=new, log=log)
