"""The classifier's rules, loaded from data and checked before anything runs.

Three axes (who, why, how), each an ordered list whose first matching rule wins. Every pattern is
compiled with RE2 at load time, which both proves it linear-time and keeps it inside the syntax that
DuckDB (RE2) and Spark (java.util.regex) read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import re2
import yaml

from separation.errors import PackError

__all__ = ["CATEGORIES", "AxisRules", "Rule", "RuleSet", "default_rules", "load_rules", "parse_rules"]

CATEGORIES: tuple[str, ...] = ("immigration_enforcement", "vague_or_missing", "criminal_stated", "other")
_AXES = ("who", "why", "how")
_TEXT_FIELDS = frozenset({"org", "user", "reason", "moderation", "filters", "search_type", "case_number"})
# lookback_days is derived: the days between the start and end of the searched time frame.
_NUMERIC_FIELDS = frozenset({"networks", "devices", "lookback_days"})
# Constructs java.util.regex reads differently from RE2, or that RE2 lacks (look-around is caught
# by the RE2 compile itself).
_NOT_PORTABLE = ("(?P<", "\\Q", "\\E", "\\p{", "\\z", "[[:")


@dataclass(frozen=True)
class Rule:
    """One rule: its id, the field it reads and its single condition."""

    id: str
    axis: str
    field: str
    pattern: str | None = None
    values: tuple[str, ...] | None = None
    at_least: int | None = None
    empty: bool = False
    category: str | None = None
    federal_immigration_agency: bool = False
    agency: str | None = None
    # A who/how rule that only applies when the why axis put the entry in this category.
    only_in_category: str | None = None

    @property
    def unconditional(self) -> bool:
        return self.pattern is None and self.values is None and self.at_least is None and not self.empty


@dataclass(frozen=True)
class AxisRules:
    """The ordered rules of one axis."""

    axis: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class RuleSet:
    """All three axes plus the version the outputs cite."""

    version: str
    who: tuple[Rule, ...]
    why: tuple[Rule, ...]
    how: tuple[Rule, ...]

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in (*self.who, *self.why, *self.how)}

    @cached_property
    def federal_who_ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.who if r.federal_immigration_agency)

    @cached_property
    def _categories(self) -> dict[str, str]:
        return {r.id: r.category or "other" for r in self.why}

    def category_of(self, why_id: str) -> str:
        return self._categories[why_id]


def _check_pattern(pattern: str, file: str, rule_id: str) -> None:
    for construct in _NOT_PORTABLE:
        if construct in pattern:
            raise PackError(
                f"pattern uses {construct!r}, which RE2 and Java read differently", file=file, rule=rule_id
            )
    try:
        re2.compile("(?i)" + pattern)
    except re2.error:
        raise PackError("pattern is not a valid linear-time (RE2) regex", file=file, rule=rule_id) from None


def _rule(axis: str, data: Any, file: str) -> Rule:
    if not isinstance(data, dict):
        raise PackError(f"each {axis} rule must be a mapping", file=file)
    rule_id = data.get("id")
    if not isinstance(rule_id, str) or not rule_id.startswith(f"{axis}."):
        raise PackError(f"rule id must be a string starting with '{axis}.'", file=file, rule=str(rule_id))
    field = data.get("field", "reason")
    if field not in _TEXT_FIELDS | _NUMERIC_FIELDS:
        raise PackError(f"unknown field {field!r}", file=file, rule=rule_id)
    pattern = data.get("pattern")
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern:
            raise PackError("pattern must be a non-empty string", file=file, rule=rule_id)
        _check_pattern(pattern, file, rule_id)
    raw_values = data.get("values")
    values: tuple[str, ...] | None = None
    if raw_values is not None:
        if not isinstance(raw_values, list) or not all(isinstance(v, str) for v in raw_values):
            raise PackError("values must be a list of strings", file=file, rule=rule_id)
        values = tuple(v.strip().lower() for v in raw_values)
    at_least = data.get("at_least")
    if at_least is not None and (not isinstance(at_least, int) or isinstance(at_least, bool) or at_least < 1):
        raise PackError("at_least must be a positive integer", file=file, rule=rule_id)
    if (at_least is not None) != (field in _NUMERIC_FIELDS):
        raise PackError(
            "at_least goes with a numeric field (networks, devices) and only there", file=file, rule=rule_id
        )
    empty = data.get("empty", False)
    if not isinstance(empty, bool):
        raise PackError("empty must be true or false", file=file, rule=rule_id)
    conditions = sum(x for x in (pattern is not None, values is not None, at_least is not None, empty))
    if conditions > 1:
        raise PackError(
            "a rule has one condition: pattern, values, at_least or empty", file=file, rule=rule_id
        )
    category = data.get("category")
    if axis == "why":
        if category not in CATEGORIES:
            raise PackError(f"category must be one of {', '.join(CATEGORIES)}", file=file, rule=rule_id)
    elif category is not None:
        raise PackError("only why rules set a category", file=file, rule=rule_id)
    federal = data.get("federal_immigration_agency", False)
    if not isinstance(federal, bool) or (federal and axis != "who"):
        raise PackError(
            "federal_immigration_agency is a true/false flag of who rules", file=file, rule=rule_id
        )
    agency = data.get("agency")
    only_in = data.get("only_in_category")
    if only_in is not None and (axis == "why" or only_in not in CATEGORIES):
        raise PackError(
            f"only_in_category is for who/how rules, one of {', '.join(CATEGORIES)}", file=file, rule=rule_id
        )
    return Rule(
        id=rule_id,
        axis=axis,
        field=field,
        pattern=pattern,
        values=values,
        at_least=at_least,
        empty=empty,
        category=category,
        federal_immigration_agency=federal,
        agency=str(agency) if agency is not None else None,
        only_in_category=only_in,
    )


def parse_rules(data: Any, file: str = "rules") -> RuleSet:
    """Validate a rules document: unique ids, one condition each, a catch-all last why rule."""
    if not isinstance(data, dict):
        raise PackError("the rules file must be a mapping", file=file)
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise PackError("missing version", file=file)
    axes: dict[str, tuple[Rule, ...]] = {}
    for axis in _AXES:
        raw = data.get(axis)
        if not isinstance(raw, list) or not raw:
            raise PackError(f"'{axis}' must be a non-empty list of rules", file=file)
        axes[axis] = tuple(_rule(axis, item, file) for item in raw)
    seen: set[str] = set()
    for rule in (*axes["who"], *axes["why"], *axes["how"]):
        if rule.id in seen:
            raise PackError("duplicate rule id", file=file, rule=rule.id)
        seen.add(rule.id)
        if rule.unconditional and not (rule.axis == "why" and rule is axes["why"][-1]):
            raise PackError("only the last why rule may have no condition", file=file, rule=rule.id)
        if rule.axis == "why" and rule.field != "reason":
            raise PackError("why rules read the reason", file=file, rule=rule.id)
    if not axes["why"][-1].unconditional:
        raise PackError("the last why rule must have no condition (it catches everything else)", file=file)
    return RuleSet(version=version, who=axes["who"], why=axes["why"], how=axes["how"])


def load_rules(path: Path) -> RuleSet:
    """A rules file of the shape of the built-in ``rules/classifier.yaml``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError(f"cannot read ({type(exc).__name__})", file=path.name) from None
    except yaml.YAMLError:
        raise PackError("not valid YAML", file=path.name) from None
    return parse_rules(data, path.name)


def default_rules() -> RuleSet:
    """The built-in classifier."""
    text = (
        resources.files("separation.access")
        .joinpath("rules")
        .joinpath("classifier.yaml")
        .read_text(encoding="utf-8")
    )
    return parse_rules(yaml.safe_load(text), "rules/classifier.yaml")
