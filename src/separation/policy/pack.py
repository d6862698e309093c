"""Policy packs: YAML folders loaded, validated and compiled once.

A pack folder holds ``pack.yaml`` (jurisdiction, sources, versions, provisions with their citations,
classification tables, named conditions, flags), ``rules/*.yaml`` (the rules, one file per source
text) and ``scenarios/*.yaml`` (worked examples). Loading is the only I/O; the compiled ``Pack`` is
plain immutable data plus a holiday cache, safe to share between threads and to ship to workers.

Every problem is reported as a PackError naming the file, the rule id and what is wrong.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import hashlib
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from separation.errors import NotFoundError, PackError
from separation.policy.calendar import BusinessCalendar
from separation.policy.conditions import Test, compile_condition
from separation.policy.facts import NameTable
from separation.policy.model import Ask, ObligationKind, Outcome, PackRef, RuleRef

__all__ = [
    "CompiledRule",
    "ObligationSpec",
    "Pack",
    "PackVersion",
    "load_pack",
    "packs_root",
    "parse_pack_ref",
]

_MAX_PACK_FILE = 2_000_000
_REASON_FIELDS = frozenset({"ask", "agency"})


# ---------------------------------------------------------------------------------------------
# The documents, as a city attorney writes them. Unknown keys are errors: a misspelt key must not
# silently drop a condition.


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Due(_Doc):
    business_days: int = Field(ge=0, le=365)


class _ObligationDoc(_Doc):
    kind: ObligationKind
    due: Literal["asap", "report"] | _Due = "asap"
    by: str | None = None  # another provision that imposes it (defaults to the rule's own)
    from_: dt.date | None = Field(default=None, alias="from")


class _RuleDoc(_Doc):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$", max_length=80)
    provision: str
    title: str
    from_: dt.date = Field(alias="from")
    until: dt.date | None = None
    order: int = Field(ge=0, le=100_000)
    asks: list[Ask] | Literal["all"]
    when: Any = None
    unless: Any = None  # the drafting's "except when …": the rule does not apply when this holds
    outcome: Literal["comply", "decline", "refer"] | None = None
    concur: bool = False
    obligations: list[_ObligationDoc] = []
    flags: list[str] = []
    reason: str = Field(min_length=10, max_length=1000)


class _RulesFile(_Doc):
    rules: list[_RuleDoc]


class _VersionDoc(_Doc):
    id: str
    effective_from: dt.date
    title: str
    sources: list[str] = []


class _ProvisionDoc(_Doc):
    citation: str = Field(min_length=3)
    section: str | None = None
    url: str | None = None
    source: str
    pending: bool
    note: str | None = None


class _SourceDoc(_Doc):
    title: str
    url: str | None = None
    confidence: Literal["V", "R", "U"]


class _ClassTableDoc(_Doc):
    mode: Literal["contains", "prefix", "exact"]
    default: str
    names: dict[str, list[str]]
    labels: dict[str, str] = {}


class _CalendarDoc(_Doc):
    country: str
    subdivision: str | None = None
    city_holidays: list[dt.date] = []


class _DefaultsDoc(_Doc):
    report_business_days: int = Field(ge=0, le=60)
    refer_obligations: list[_ObligationDoc] = []


class _PackDoc(_Doc):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str
    jurisdiction: str
    timezone: str
    calendar: _CalendarDoc
    defaults: _DefaultsDoc
    sources: dict[str, _SourceDoc]
    versions: list[_VersionDoc] = Field(min_length=1)
    provisions: dict[str, _ProvisionDoc]
    classes: dict[Literal["agency_class", "offense_classes", "form_classes"], _ClassTableDoc]
    flags: dict[str, str]
    conditions: dict[str, Any] = {}


# ---------------------------------------------------------------------------------------------
# The compiled form the engine runs.


# Specs are made once per compiled pack and used as memo keys: identity is their equality, which
# also keeps hashing them cheap on the hot path.
@dataclass(frozen=True, slots=True, eq=False)
class ObligationSpec:
    kind: ObligationKind
    business_days: int | None  # None: as soon as possible
    rule: str
    citation: str
    effective_from: dt.date | None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    title: str
    provision: str
    order: int
    asks: frozenset[str]
    test: Test
    when: Any
    outcome: Outcome | None  # None: a request-level rule that only adds obligations and flags
    concur: bool
    obligations: tuple[ObligationSpec, ...]
    flags: tuple[str, ...]
    reason: str
    needs_render: bool
    ref: RuleRef
    effective_from: dt.date
    until: dt.date | None
    digest: str
    file: str
    rank: int = 0  # position in "most decisive first" order: deciding, then concurring, then request-level

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.until is None or day < self.until)


@dataclass(frozen=True, slots=True)
class PackVersion:
    id: str
    effective_from: dt.date
    title: str
    ref: PackRef
    deciding: Mapping[str, tuple[CompiledRule, ...]]
    concurring: Mapping[str, tuple[CompiledRule, ...]]
    request_rules: tuple[CompiledRule, ...]
    rules: Mapping[str, CompiledRule]


@dataclass(frozen=True, slots=True)
class Pack:
    id: str
    name: str
    jurisdiction: str
    root: Path
    timezone: ZoneInfo
    calendar: BusinessCalendar
    report_business_days: int
    versions: tuple[PackVersion, ...]  # oldest first
    version_dates: tuple[dt.date, ...]  # their effective dates, for bisecting
    agencies: NameTable
    offenses: NameTable
    forms: NameTable
    agency_labels: Mapping[str, str]
    named_conditions: Mapping[str, Any]
    flags: Mapping[str, str]
    sources: Mapping[str, Mapping[str, Any]]
    scenarios: tuple[tuple[str, Mapping[str, Any]], ...] = field(default=())
    # Pieces of answers (per-ask results, obligations) are immutable and repeat across requests;
    # the engine keeps them here instead of rebuilding them. Bounded; never affects an answer.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def version_for(self, day: dt.date) -> PackVersion:
        """The version in force on ``day``."""
        index = bisect.bisect_right(self.version_dates, day) - 1
        if index < 0:
            first = self.versions[0].effective_from
            raise NotFoundError(f"pack '{self.id}' has no version in force on {day} (it starts {first})")
        return self.versions[index]


def packs_root() -> Path:
    """The folder that holds one folder per bundled pack."""
    return Path(__file__).resolve().parent.parent / "packs"


def parse_pack_ref(text: str) -> tuple[str, dt.date | None]:
    """'minneapolis@2025-11-01' -> ('minneapolis', date(2025, 11, 1)); 'minneapolis' -> (.., None)."""
    name, _, when = text.partition("@")
    if not when:
        return name, None
    try:
        return name, dt.date.fromisoformat(when)
    except ValueError:
        raise NotFoundError(f"'{text}': the part after @ must be a date YYYY-MM-DD") from None


def load_pack(name: str = "minneapolis") -> Pack:
    """Load, validate and compile a bundled pack by name, or a pack folder by path."""
    candidate = Path(name)
    root = candidate if candidate.is_dir() and (candidate / "pack.yaml").exists() else packs_root() / name
    if not (root / "pack.yaml").is_file():
        known = sorted(p.name for p in packs_root().iterdir() if (p / "pack.yaml").is_file())
        raise NotFoundError(f"no pack named '{name}'; bundled packs: {', '.join(known)}")
    return _compile(root)


def _read_yaml(path: Path) -> Any:
    try:
        if path.stat().st_size > _MAX_PACK_FILE:
            raise PackError(f"file is larger than {_MAX_PACK_FILE} bytes", file=str(path))
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise PackError(f"not valid YAML{at}", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"cannot read: {type(exc).__name__}", file=str(path)) from None


def _validation_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    return f"{loc}: {first['msg']}" if loc else first["msg"]


def _rule_locator(data: Any, exc: ValidationError) -> str | None:
    loc = exc.errors()[0]["loc"]
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rule_id = data["rules"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
        return str(rule_id) if rule_id is not None else f"#{loc[1] + 1}"
    return None


def _compile(root: Path) -> Pack:
    pack_file = root / "pack.yaml"
    raw = _read_yaml(pack_file)
    try:
        doc = _PackDoc.model_validate(raw)
    except ValidationError as exc:
        raise PackError(_validation_problem(exc), file=str(pack_file)) from None
    try:
        tz = ZoneInfo(doc.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PackError(f"unknown timezone '{doc.timezone}'", file=str(pack_file)) from None

    for pid, prov in doc.provisions.items():
        if prov.source not in doc.sources:
            raise PackError(f"provision {pid} names unknown source '{prov.source}'", file=str(pack_file))
    for version in doc.versions:
        for source in version.sources:
            if source not in doc.sources:
                raise PackError(f"version {version.id} names unknown source '{source}'", file=str(pack_file))
    dates = [v.effective_from for v in doc.versions]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise PackError("versions must be listed oldest first with distinct dates", file=str(pack_file))

    tables: dict[str, NameTable] = {
        key: NameTable.build(table.names, mode=table.mode, default=table.default)
        for key, table in doc.classes.items()
    }
    for key in ("agency_class", "offense_classes", "form_classes"):
        if key not in tables:
            raise PackError(f"classes.{key} is missing", file=str(pack_file))
    classes: dict[str, frozenset[str]] = {
        key: frozenset(table.names) | {table.default} for key, table in doc.classes.items()
    }
    for name, node in doc.conditions.items():
        compile_condition(node, refs=doc.conditions, classes=classes, where=f"{pack_file} condition {name}")

    rules = _rank(_compile_rules(root, doc, classes))
    versions = tuple(_compile_version(doc, v, rules) for v in doc.versions)
    scenarios = _load_scenarios(root)
    agency_table = doc.classes["agency_class"]
    return Pack(
        id=doc.id,
        name=doc.name,
        jurisdiction=doc.jurisdiction,
        root=root,
        timezone=tz,
        calendar=BusinessCalendar(doc.calendar.country, doc.calendar.subdivision, doc.calendar.city_holidays),
        report_business_days=doc.defaults.report_business_days,
        versions=versions,
        version_dates=tuple(v.effective_from for v in versions),
        agencies=tables["agency_class"],
        offenses=tables["offense_classes"],
        forms=tables["form_classes"],
        agency_labels=dict(agency_table.labels),
        named_conditions=dict(doc.conditions),
        flags=dict(doc.flags),
        sources={k: v.model_dump() for k, v in doc.sources.items()},
        scenarios=scenarios,
    )


def _obligation(
    spec: _ObligationDoc, rule_id: str, provisions: Mapping[str, _ProvisionDoc], report_days: int, where: str
) -> ObligationSpec:
    by = spec.by
    if by is not None and by not in provisions:
        raise PackError(f"obligation names unknown provision '{by}'", file=where, rule=rule_id)
    provision = provisions[by] if by else None
    days: int | None
    if spec.due == "asap":
        days = None
    elif spec.due == "report":
        days = report_days
    else:
        assert isinstance(spec.due, _Due)
        days = spec.due.business_days
    return ObligationSpec(
        kind=spec.kind,
        business_days=days,
        rule=rule_id,
        citation=provision.citation if provision else "",
        effective_from=spec.from_,
    )


def _compile_rules(root: Path, doc: _PackDoc, classes: Mapping[str, frozenset[str]]) -> list[CompiledRule]:
    files = sorted((root / "rules").glob("*.yaml"))
    if not files:
        raise PackError("no rules/*.yaml files", file=str(root))
    seen: dict[str, str] = {}
    compiled: list[CompiledRule] = []
    formatter = string.Formatter()
    for path in files:
        raw = _read_yaml(path)
        try:
            rules_file = _RulesFile.model_validate(raw)
        except ValidationError as exc:
            raise PackError(_validation_problem(exc), file=str(path), rule=_rule_locator(raw, exc)) from None
        for rule in rules_file.rules:
            where = str(path)
            if rule.id in seen:
                raise PackError(f"duplicate rule id (also in {seen[rule.id]})", file=where, rule=rule.id)
            seen[rule.id] = where
            provision = doc.provisions.get(rule.provision)
            if provision is None:
                raise PackError(f"unknown provision '{rule.provision}'", file=where, rule=rule.id)
            if rule.until is not None and rule.until <= rule.from_:
                raise PackError("'until' must be after 'from'", file=where, rule=rule.id)
            if rule.concur and rule.outcome is None:
                raise PackError(
                    "a concurring rule needs the outcome it concurs with", file=where, rule=rule.id
                )
            if rule.outcome is None and not (rule.obligations or rule.flags):
                raise PackError(
                    "a rule without an outcome must add obligations or flags", file=where, rule=rule.id
                )
            for flag in rule.flags:
                if flag not in doc.flags:
                    raise PackError(
                        f"unknown flag '{flag}' (declare it under flags)", file=where, rule=rule.id
                    )
            fields = {f for _, f, _, _ in formatter.parse(rule.reason) if f is not None}
            if not fields <= _REASON_FIELDS:
                raise PackError(
                    f"reason uses unknown placeholders {sorted(fields - _REASON_FIELDS)}; "
                    f"allowed: {', '.join(sorted(_REASON_FIELDS))}",
                    file=where,
                    rule=rule.id,
                )
            when = rule.when if rule.unless is None else _with_exception(rule.when, rule.unless)
            try:
                test = compile_condition(when, refs=doc.conditions, classes=classes, where=where)
            except PackError as exc:
                raise PackError(exc.problem, file=where, rule=rule.id) from None
            obligations = [
                _obligation(o, rule.id, doc.provisions, doc.defaults.report_business_days, where)
                for o in rule.obligations
            ]
            if rule.outcome == "refer" and not any(o.kind == "counsel_review" for o in obligations):
                obligations += [
                    _obligation(o, rule.id, doc.provisions, doc.defaults.report_business_days, where)
                    for o in doc.defaults.refer_obligations
                ]
            obligations = [
                ObligationSpec(
                    o.kind, o.business_days, o.rule, o.citation or provision.citation, o.effective_from
                )
                for o in obligations
            ]
            asks = (
                frozenset(a.value for a in Ask)
                if rule.asks == "all"
                else frozenset(a.value for a in rule.asks)
            )
            digest_source = rule.model_dump(mode="json", by_alias=True) | {
                "provision_doc": provision.model_dump()
            }
            compiled.append(
                CompiledRule(
                    id=rule.id,
                    title=rule.title,
                    provision=rule.provision,
                    order=rule.order,
                    asks=asks,
                    test=test,
                    when=when,
                    outcome=Outcome(rule.outcome) if rule.outcome else None,
                    concur=rule.concur,
                    obligations=tuple(obligations),
                    flags=tuple(rule.flags),
                    reason=rule.reason,
                    needs_render=bool(fields),
                    ref=RuleRef(
                        id=rule.id,
                        citation=provision.citation,
                        reason=rule.reason,
                        citation_pending=provision.pending,
                        url=provision.url,
                    ),
                    effective_from=rule.from_,
                    until=rule.until,
                    digest=hashlib.sha256(
                        json.dumps(digest_source, sort_keys=True, default=str).encode()
                    ).hexdigest()[:16],
                    file=path.name,
                )
            )
    return compiled


def _rank(rules: list[CompiledRule]) -> list[CompiledRule]:
    def key(rule: CompiledRule) -> tuple[int, int, str]:
        group = 0 if rule.outcome is not None and not rule.concur else 1 if rule.concur else 2
        return (group, rule.order, rule.id)

    ordered = sorted(rules, key=key)
    return [dataclasses.replace(rule, rank=position) for position, rule in enumerate(ordered)]


def _with_exception(when: Any, unless: Any) -> Any:
    """'when … except when …' as one condition, so the trace shows the exception being checked."""
    exception = {"not": unless}
    return {"all": [exception]} if when is None else {"all": [when, exception]}


def _compile_version(doc: _PackDoc, version: _VersionDoc, rules: list[CompiledRule]) -> PackVersion:
    day = version.effective_from
    active = sorted((r for r in rules if r.in_force(day)), key=lambda r: (r.order, r.id))
    deciding: dict[str, tuple[CompiledRule, ...]] = {}
    concurring: dict[str, tuple[CompiledRule, ...]] = {}
    for ask in Ask:
        deciding[ask.value] = tuple(r for r in active if r.outcome and not r.concur and ask.value in r.asks)
        concurring[ask.value] = tuple(r for r in active if r.concur and ask.value in r.asks)
        if not any(r.when is None for r in deciding[ask.value]):
            raise PackError(
                f"version {version.id}: ask '{ask.value}' has no unconditional rule, so some requests "
                "would get no answer; add a catch-all rule (usually: refer)",
                file="pack.yaml",
            )
    return PackVersion(
        id=version.id,
        effective_from=day,
        title=version.title,
        ref=PackRef(id=doc.id, version=version.id, effective_from=day),
        deciding=deciding,
        concurring=concurring,
        request_rules=tuple(r for r in active if r.outcome is None),
        rules={r.id: r for r in active},
    )


def _load_scenarios(root: Path) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """Worked examples; a file's ``defaults.request`` is merged under each scenario's request."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    for path in sorted((root / "scenarios").glob("*.yaml")):
        raw = _read_yaml(path)
        items = raw.get("scenarios") if isinstance(raw, dict) else None
        if not isinstance(items, list):
            raise PackError("expected a top-level 'scenarios:' list", file=str(path))
        defaults = raw.get("defaults", {}).get("request", {}) if isinstance(raw.get("defaults"), dict) else {}
        for item in items:
            if not isinstance(item, dict) or "name" not in item:
                raise PackError("every scenario needs a name", file=str(path))
            merged = dict(item)
            merged["request"] = _deep_merge(defaults, item.get("request") or {})
            found.append((path.name, merged))
    return tuple(found)


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
