"""Worked examples as tests: each scenario states a request and the answer the pack must give.

A scenario's ``expect`` lists what must hold, and only that: the outcome, per-ask outcomes, rules
that must (``rules``) or must not (``not_rules``) be cited, obligations that must be present (kind,
and due date when given), obligation kinds that must be absent, flags, and the pack version used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from separation.errors import InputError
from separation.policy.engine import decide
from separation.policy.intake import parse_request
from separation.policy.model import Decision
from separation.policy.pack import Pack

__all__ = ["ScenarioResult", "run_scenario", "run_scenarios"]

_EXPECT_KEYS = frozenset(
    {"outcome", "asks", "rules", "not_rules", "obligations", "no_obligations", "flags", "no_flags", "version"}
)


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    file: str
    name: str
    passed: bool
    problems: tuple[str, ...]
    decision: Decision | None


def run_scenarios(pack: Pack) -> list[ScenarioResult]:
    return [run_scenario(pack, file, scenario) for file, scenario in pack.scenarios]


def run_scenario(pack: Pack, file: str, scenario: Mapping[str, Any]) -> ScenarioResult:
    name = str(scenario["name"])
    expect = scenario.get("expect")
    if not isinstance(expect, dict) or not expect:
        return ScenarioResult(file, name, False, ("no 'expect' block",), None)
    unknown = set(expect) - _EXPECT_KEYS
    if unknown:
        return ScenarioResult(file, name, False, (f"unknown expect keys {sorted(unknown)}",), None)
    as_of = scenario.get("as_of")
    if as_of is not None and not isinstance(as_of, dt.date):
        return ScenarioResult(file, name, False, ("as_of must be a date YYYY-MM-DD",), None)
    try:
        request = parse_request(dict(scenario["request"]), where=f"{file}: {name}")
        decision = decide(request, pack, as_of=as_of)
    except InputError as exc:
        return ScenarioResult(file, name, False, (f"bad request: {exc}",), None)
    problems = _compare(decision, expect)
    return ScenarioResult(file, name, not problems, tuple(problems), decision)


def _compare(decision: Decision, expect: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if "outcome" in expect and decision.outcome.value != expect["outcome"]:
        problems.append(f"outcome {decision.outcome.value}, expected {expect['outcome']}")
    got_asks = {a.ask.value: a.outcome.value for a in decision.asks}
    for ask, outcome in (expect.get("asks") or {}).items():
        if got_asks.get(ask) != outcome:
            problems.append(f"ask {ask}: {got_asks.get(ask, 'absent')}, expected {outcome}")
    cited = [r.id for r in decision.rules]
    for rule in expect.get("rules") or []:
        if rule not in cited:
            problems.append(f"rule {rule} not cited (cited: {', '.join(cited)})")
    for rule in expect.get("not_rules") or []:
        if rule in cited:
            problems.append(f"rule {rule} cited but should not be")
    for wanted in expect.get("obligations") or []:
        if not any(_obligation_matches(o.kind.value, o.due, wanted) for o in decision.obligations):
            got = ", ".join(f"{o.kind.value}@{o.due}" for o in decision.obligations) or "none"
            problems.append(f"missing obligation {wanted} (got {got})")
    kinds = {o.kind.value for o in decision.obligations}
    for kind in expect.get("no_obligations") or []:
        if kind in kinds:
            problems.append(f"obligation {kind} present but should not be")
    for flag in expect.get("flags") or []:
        if flag not in decision.flags:
            problems.append(f"flag {flag} missing (got {', '.join(decision.flags) or 'none'})")
    for flag in expect.get("no_flags") or []:
        if flag in decision.flags:
            problems.append(f"flag {flag} present but should not be")
    if "version" in expect and decision.pack.version != str(expect["version"]):
        problems.append(f"pack version {decision.pack.version}, expected {expect['version']}")
    return problems


def _obligation_matches(kind: str, due: dt.date | None, wanted: Any) -> bool:
    if isinstance(wanted, str):
        return kind == wanted
    if not isinstance(wanted, dict) or wanted.get("kind") != kind:
        return False
    if "due" not in wanted:
        return True
    expected = wanted["due"]
    if expected is None or expected == "asap":
        return due is None
    return bool(due == expected)
