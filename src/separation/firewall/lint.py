"""The form linter: which questions and fields of a form ask about immigration or citizenship status.

Reads structure, not only text: HTML forms (labels, placeholders, names and ids, option lists, help
text), JSON Schema (property names, titles, descriptions, enums), CSV headers, SQL ``CREATE TABLE``
columns, and plain-text questionnaires. An allow-list records the legal basis for the questions a
law or program rule requires (an I-9, an eligibility rule); those are reported as allowed.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any

import yaml

from separation.errors import InputError
from separation.firewall.columns import classify_column_name, value_kind

__all__ = ["MAX_FORM_BYTES", "AllowRule", "LintFlag", "apply_allow_list", "lint_text", "load_allow_list"]

MAX_FORM_BYTES = 20 << 20
_SQL_SKIP = frozenset(
    {"primary", "foreign", "constraint", "unique", "key", "index", "check", "exclude", "like"}
)


@dataclass(frozen=True, slots=True)
class LintFlag:
    """One field or question that asks for status. Carries names and positions, never data values."""

    source: str
    line: int
    field: str | None
    kind: str
    reasons: tuple[str, ...]
    rule: str
    allowed: bool = False
    basis: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "field": self.field,
            "kind": self.kind,
            "reasons": list(self.reasons),
            "rule": self.rule,
            "allowed": self.allowed,
            "basis": self.basis,
        }


@dataclass(frozen=True, slots=True)
class AllowRule:
    source: str
    field: str
    basis: str


def load_allow_list(text: str, where: str = "allow-list") -> tuple[AllowRule, ...]:
    """``allow: [{source: GLOB, field: GLOB, basis: TEXT}]`` — every entry must state its legal basis."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        raise InputError("not valid YAML", where=where) from None
    entries = doc.get("allow") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise InputError("expected a list under 'allow'", where=where)
    rules = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InputError(f"entry {i} must be a mapping", where=where)
        basis = entry.get("basis")
        if not isinstance(basis, str) or not basis.strip():
            raise InputError(f"entry {i} needs a legal basis", field="basis", where=where)
        source = entry.get("source", "*")
        field_glob = entry.get("field", "*")
        if not isinstance(source, str) or not isinstance(field_glob, str):
            raise InputError(f"entry {i}: source and field must be strings", where=where)
        rules.append(AllowRule(source=source, field=field_glob, basis=basis.strip()))
    return tuple(rules)


def apply_allow_list(flags: Iterable[LintFlag], allow: Sequence[AllowRule]) -> list[LintFlag]:
    out = []
    for flag in flags:
        for rule in allow:
            src_ok = fnmatch.fnmatch(flag.source, rule.source) or fnmatch.fnmatch(
                PurePath(flag.source).name, rule.source
            )
            fld_ok = rule.field == "*" or (flag.field is not None and fnmatch.fnmatch(flag.field, rule.field))
            if src_ok and fld_ok:
                flag = replace(flag, allowed=True, basis=rule.basis)
                break
        out.append(flag)
    return out


# -- text checks ------------------------------------------------------------------------------------


def _text_kind(text: str) -> tuple[str, str] | None:
    """(kind, rule) when a label, placeholder or help text asks for status or an identifier."""
    if not text or not text.strip():
        return None
    from separation.firewall import detect

    findings = detect(text[:4096])
    for kind in ("question", "identifier", "status"):
        for f in findings:
            if f.kind == kind:
                return ("question" if kind == "status" else kind), f.rule
    name_kind = classify_column_name(text) if len(text) <= 120 else None
    if name_kind is not None:
        return name_kind, f"lint.label.{name_kind}"
    return None


def _field_flag(
    source: str,
    line: int,
    field: str | None,
    names: Iterable[str],
    texts: Mapping[str, str],
    options: Sequence[str] = (),
) -> LintFlag | None:
    reasons: list[str] = []
    kind: str | None = None
    rule = ""
    for name in names:
        k = classify_column_name(name) if name else None
        if k is not None:
            reasons.append("name")
            kind, rule = kind or k, rule or f"lint.name.{k}"
            break
    for reason, text in texts.items():
        hit = _text_kind(text)
        if hit is not None:
            reasons.append(reason)
            kind, rule = kind or hit[0], rule or hit[1]
    status_options = sum(1 for o in options if value_kind(o) == "status")
    if status_options >= 2:
        reasons.append("options")
        kind, rule = kind or "status", rule or "lint.options.status"
    if kind is None:
        return None
    return LintFlag(
        source=source, line=line, field=field, kind=kind, reasons=tuple(dict.fromkeys(reasons)), rule=rule
    )


# -- HTML -------------------------------------------------------------------------------------------


@dataclass
class _Field:
    line: int
    name: str | None
    id: str | None
    attrs: dict[str, str]
    options: list[str]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[_Field] = []
        self.labels: dict[str, str] = {}  # for-id -> text
        self.wrapped: list[tuple[str, _Field | None]] = []  # label text wrapping a field
        self.texts: list[tuple[int, str]] = []  # free text with its line
        self._label: list[str] | None = None
        self._label_for: str | None = None
        self._label_fields: list[_Field] = []
        self._select: _Field | None = None
        self._option: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        line = self.getpos()[0]
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("input", "select", "textarea"):
            if a.get("type", "").lower() in ("hidden", "submit", "button", "reset", "image"):
                return
            field = _Field(line=line, name=a.get("name"), id=a.get("id"), attrs=a, options=[])
            self.fields.append(field)
            if self._label is not None:
                self._label_fields.append(field)
            if tag == "select":
                self._select = field
            if a.get("type", "").lower() in ("radio", "checkbox") and a.get("value"):
                field.options.append(a["value"])
        elif tag == "label":
            self._label, self._label_for, self._label_fields = [], a.get("for"), []
        elif tag == "option":
            self._option = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "label" and self._label is not None:
            text = " ".join("".join(self._label).split())
            if self._label_for:
                self.labels[self._label_for] = text
            elif self._label_fields:
                for f in self._label_fields:
                    self.wrapped.append((text, f))
            else:
                self.wrapped.append((text, None))
            self._label = None
        elif tag == "option" and self._option is not None:
            if self._select is not None:
                self._select.options.append(" ".join("".join(self._option).split()))
            self._option = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._option is not None:
            self._option.append(data)
        elif self._label is not None:
            self._label.append(data)
        elif data.strip():
            self.texts.append((self.getpos()[0], " ".join(data.split())))


def _lint_html(source: str, text: str) -> list[LintFlag]:
    parser = _FormParser()
    parser.feed(text)
    parser.close()
    flags: list[LintFlag] = []
    wrapped = {id(f): t for t, f in parser.wrapped if f is not None}
    # Radio buttons and check boxes sharing a name are one question.
    groups: dict[str, _Field] = {}
    fields: list[_Field] = []
    for f in parser.fields:
        key = f.name or f.id or ""
        if f.attrs.get("type", "").lower() in ("radio", "checkbox") and key in groups:
            groups[key].options.extend(f.options)
            continue
        if key:
            groups[key] = f
        fields.append(f)
    for f in fields:
        label = parser.labels.get(f.id or "", "") or wrapped.get(id(f), "")
        texts = {
            "label": label,
            "placeholder": f.attrs.get("placeholder", ""),
            "help": " ".join(f.attrs.get(k, "") for k in ("title", "aria-label", "aria-description")).strip(),
        }
        flag = _field_flag(source, f.line, f.name or f.id, (f.name or "", f.id or ""), texts, f.options)
        if flag is not None:
            flags.append(flag)
    for label, owner in parser.wrapped:
        if owner is None:
            hit = _text_kind(label)
            if hit is not None:
                flags.append(LintFlag(source, 1, None, hit[0], ("label",), hit[1]))
    flags.extend(_lint_plain_lines(source, parser.texts, reason="text"))
    return flags


# -- JSON Schema ------------------------------------------------------------------------------------


def _line_of(text: str, needle: str) -> int:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def _lint_json(source: str, text: str) -> list[LintFlag]:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise InputError("not valid JSON", where=source) from None
    flags: list[LintFlag] = []

    def walk(node: Any, depth: int) -> None:
        if depth > 64 or not isinstance(node, dict):
            return
        props = node.get("properties")
        if isinstance(props, dict):
            for name, spec in props.items():
                spec = spec if isinstance(spec, dict) else {}
                texts = {
                    "label": str(spec.get("title", "")),
                    "help": str(spec.get("description", "")),
                }
                options = [str(v) for v in spec.get("enum", []) or [] if isinstance(v, (str, int, float))]
                items = spec.get("items")
                if isinstance(items, dict) and isinstance(items.get("enum"), list):
                    options += [str(v) for v in items["enum"]]
                flag = _field_flag(
                    source, _line_of(text, f'"{name}"'), str(name), (str(name),), texts, options
                )
                if flag is not None:
                    flags.append(flag)
                walk(spec, depth + 1)
        for key in ("items", "definitions", "$defs", "allOf", "anyOf", "oneOf"):
            sub = node.get(key)
            if isinstance(sub, dict):
                for v in sub.values() if key in ("definitions", "$defs") else [sub]:
                    walk(v, depth + 1)
            elif isinstance(sub, list):
                for v in sub:
                    walk(v, depth + 1)

    walk(doc, 0)
    return flags


# -- CSV, SQL, plain text ---------------------------------------------------------------------------


def _lint_csv(source: str, text: str, delimiter: str) -> list[LintFlag]:
    first = text.split("\n", 1)[0]
    try:
        header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    except csv.Error:
        raise InputError("unreadable CSV header", where=source) from None
    flags = []
    for name in header:
        name = name.strip()
        flag = _field_flag(source, 1, name, (name,), {"header": name} if " " in name else {})
        if flag is not None:
            flags.append(flag)
    return flags


def _lint_sql(source: str, text: str) -> list[LintFlag]:
    flags: list[LintFlag] = []
    lower = text.lower()
    pos = 0
    while True:
        at = lower.find("create table", pos)
        if at < 0:
            break
        open_at = text.find("(", at)
        if open_at < 0:
            break
        depth, i, start = 0, open_at, open_at + 1
        parts: list[tuple[int, str]] = []
        while i < len(text):
            c = text[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    parts.append((start, text[start:i]))
                    break
            elif c == "," and depth == 1:
                parts.append((start, text[start:i]))
                start = i + 1
            i += 1
        pos = i + 1
        for offset, part in parts:
            words = part.split()
            if not words or words[0].lower().strip('`"[]') in _SQL_SKIP:
                continue
            name = words[0].strip('`"[]')
            lead = len(part) - len(part.lstrip())
            line = text.count("\n", 0, offset + lead) + 1
            comment = ""
            low = part.lower()
            if " comment " in low:
                comment = part[low.index(" comment ") + 9 :].strip().strip("'\"")
            flag = _field_flag(source, line, name, (name,), {"help": comment})
            if flag is not None:
                flags.append(flag)
    return flags


def _lint_plain_lines(
    source: str, lines: Iterable[tuple[int, str]], reason: str = "question"
) -> list[LintFlag]:
    from separation.firewall import detect

    flags = []
    for line, text in lines:
        for f in detect(text):
            if f.kind == "question":
                flags.append(LintFlag(source, line, None, "question", (reason,), f.rule))
    return flags


def lint_text(source: str, text: str) -> list[LintFlag]:
    """Lint one form's text; the format comes from the file name's suffix."""
    suffix = PurePath(source).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return _lint_html(source, text)
    if suffix == ".json":
        return _lint_json(source, text)
    if suffix in (".csv", ".tsv"):
        return _lint_csv(source, text, "\t" if suffix == ".tsv" else ",")
    if suffix == ".sql":
        return _lint_sql(source, text)
    return _lint_plain_lines(source, enumerate(text.splitlines(), 1))
