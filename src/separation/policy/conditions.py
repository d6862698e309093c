"""The declarative condition language of policy packs, compiled to closures.

A condition is plain YAML data, never code:

    {all: [c, ...]}          every condition holds          {any: [c, ...]}   at least one holds
    {not: c}                 c does not hold                {ref: name}       a named condition of the pack
    {fact: F, is: V}         F equals V (V may be null: "not known")
    {fact: F, in: [V, ...]}  F is one of the values
    {fact: F, known: bool}   F was given (a list: is non-empty)
    {fact: F, has_any: [..]} list fact F contains at least one of the values
    {fact: F, has_only: [..]} list fact F is non-empty and every element is one of the values

Compilation checks fact names and values against ``facts.FACTS`` (and the pack's own class names),
so a malformed condition fails when the pack loads. The compiled closure is what the engine runs;
``explain`` walks the same data to say why a condition held or not, only when a trace is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from separation.errors import PackError
from separation.policy.facts import FACTS, Facts

__all__ = ["Test", "compile_condition", "explain"]

Test = Callable[[Facts], bool]

_LEAF_OPS = ("is", "in", "known", "has_any", "has_only")


def _always(_: Facts) -> bool:
    return True


def compile_condition(
    node: Any,
    *,
    refs: Mapping[str, Any],
    classes: Mapping[str, frozenset[str]],
    where: str,
    _seen: tuple[str, ...] = (),
) -> Test:
    """Compile a condition (None means "always"). Raises PackError naming ``where`` on any problem."""
    if node is None:
        return _always
    if not isinstance(node, dict) or not node:
        raise PackError(f"a condition must be a non-empty mapping, got {type(node).__name__}", file=where)
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        _only_keys(node, {key}, where)
        parts = node[key]
        if not isinstance(parts, list) or not parts:
            raise PackError(f"'{key}' needs a non-empty list of conditions", file=where)
        tests = tuple(
            compile_condition(p, refs=refs, classes=classes, where=where, _seen=_seen) for p in parts
        )
        return _all(tests) if key == "all" else _any(tests)
    if "not" in node:
        _only_keys(node, {"not"}, where)
        inner = compile_condition(node["not"], refs=refs, classes=classes, where=where, _seen=_seen)
        return lambda f: not inner(f)
    if "ref" in node:
        _only_keys(node, {"ref"}, where)
        name = node["ref"]
        if name not in refs:
            raise PackError(
                f"unknown named condition '{name}' (defined: {', '.join(sorted(refs))})", file=where
            )
        if name in _seen:
            raise PackError(f"named condition '{name}' refers to itself", file=where)
        inner = compile_condition(refs[name], refs=refs, classes=classes, where=where, _seen=(*_seen, name))
        if _mentions_ask(refs[name], refs):
            return inner
        # A named condition that does not look at the ask has one value per request: work it out
        # once and keep it beside the facts (each request gets a fresh facts mapping).
        slot = f"ref:{name}"

        def once(f: Facts) -> bool:
            value: bool | None = f.get(slot)
            if value is None:
                value = inner(f)
                f[slot] = value
            return value

        return once
    if "fact" in node:
        return _compile_leaf(node, classes=classes, where=where)
    raise PackError(f"unknown condition keys {sorted(node)}; use all, any, not, ref or fact", file=where)


# Small fixed arities get straight-line closures: this runs for every rule of every ask, and a
# generator inside all()/any() costs more than the tests themselves.
def _all(tests: tuple[Test, ...]) -> Test:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        a, b = tests
        return lambda f: a(f) and b(f)
    if len(tests) == 3:
        a, b, c = tests
        return lambda f: a(f) and b(f) and c(f)

    def every(f: Facts) -> bool:
        for test in tests:  # noqa: SIM110 - a plain loop is faster than a generator here
            if not test(f):
                return False
        return True

    return every


def _any(tests: tuple[Test, ...]) -> Test:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        a, b = tests
        return lambda f: a(f) or b(f)
    if len(tests) == 3:
        a, b, c = tests
        return lambda f: a(f) or b(f) or c(f)

    def some(f: Facts) -> bool:
        for test in tests:  # noqa: SIM110 - a plain loop is faster than a generator here
            if test(f):
                return True
        return False

    return some


def _mentions_ask(node: Any, refs: Mapping[str, Any]) -> bool:
    """Whether a (validated) condition depends on the ask being decided."""
    if isinstance(node, dict):
        if node.get("fact") == "ask":
            return True
        if "ref" in node:
            return _mentions_ask(refs[node["ref"]], refs)
        return any(_mentions_ask(v, refs) for k, v in node.items() if k in {"all", "any", "not"})
    if isinstance(node, list):
        return any(_mentions_ask(v, refs) for v in node)
    return False


def _only_keys(node: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = set(node) - allowed
    if extra:
        raise PackError(f"unexpected keys {sorted(extra)} beside {sorted(allowed)}", file=where)


def _allowed_values(fact: str, classes: Mapping[str, frozenset[str]]) -> frozenset[str]:
    spec = FACTS[fact]
    if spec.values is not None:
        return spec.values
    return classes[fact]


def _check_values(fact: str, values: list[Any], classes: Mapping[str, frozenset[str]], where: str) -> None:
    allowed = _allowed_values(fact, classes)
    for value in values:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if text not in allowed:
            raise PackError(
                f"fact '{fact}' has no value '{value}'; allowed: {', '.join(sorted(allowed))}", file=where
            )


def _compile_leaf(node: dict[str, Any], *, classes: Mapping[str, frozenset[str]], where: str) -> Test:
    fact = node["fact"]
    if fact not in FACTS:
        raise PackError(f"unknown fact '{fact}'; known facts: {', '.join(sorted(FACTS))}", file=where)
    ops = [k for k in node if k != "fact"]
    if len(ops) != 1 or ops[0] not in _LEAF_OPS:
        raise PackError(f"fact '{fact}' needs exactly one of {', '.join(_LEAF_OPS)}; got {ops}", file=where)
    op = ops[0]
    arg = node[op]
    is_list = FACTS[fact].is_list
    if op == "known":
        if not isinstance(arg, bool):
            raise PackError(f"'known' takes true or false (fact '{fact}')", file=where)
        if is_list:
            return (lambda f: bool(f[fact])) if arg else (lambda f: not f[fact])
        return (lambda f: f[fact] is not None) if arg else (lambda f: f[fact] is None)
    if op == "is":
        if is_list:
            raise PackError(f"list fact '{fact}' takes has_any or has_only, not 'is'", file=where)
        if arg is not None:
            _check_values(fact, [arg], classes, where)
        return lambda f: f[fact] == arg
    values = arg if isinstance(arg, list) else None
    if not values:
        raise PackError(f"'{op}' on fact '{fact}' needs a non-empty list", file=where)
    _check_values(fact, values, classes, where)
    allowed = frozenset(values)
    if op == "in":
        if is_list:
            raise PackError(f"list fact '{fact}' takes has_any or has_only, not 'in'", file=where)
        return lambda f: f[fact] in allowed
    if not is_list:
        raise PackError(f"'{op}' applies to list facts only; '{fact}' is single-valued", file=where)
    if op == "has_any":
        return lambda f: not allowed.isdisjoint(f[fact])
    return lambda f: bool(f[fact]) and f[fact] <= allowed


def explain(node: Any, facts: Facts, refs: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """Evaluate ``node`` on ``facts`` and say why, leaf by leaf (for ``--explain`` only)."""
    if node is None:
        return True, ["always"]
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        results = [explain(p, facts, refs) for p in node[key]]
        value = all(r[0] for r in results) if key == "all" else any(r[0] for r in results)
        why = [w for ok, ws in results for w in ws if ok == value] or [w for _, ws in results for w in ws]
        return value, why
    if "not" in node:
        ok, why = explain(node["not"], facts, refs)
        return not ok, [f"not ({w})" for w in why]
    if "ref" in node:
        ok, why = explain(refs[node["ref"]], facts, refs)
        return ok, [f"{node['ref']}: {w}" for w in why]
    fact = node["fact"]
    op = next(k for k in node if k != "fact")
    actual = facts.get(fact)
    shown = sorted(actual) if isinstance(actual, frozenset) else actual
    # Re-use the compiled semantics so the explanation can never disagree with the decision.
    ok = compile_condition(node, refs=refs, classes=_permissive_classes(), where="explain")(facts)
    return ok, [f"{fact} {op} {node[op]!r} (is {shown!r}): {'yes' if ok else 'no'}"]


class _AnyValues(dict[str, frozenset[str]]):
    """Classes table that accepts any value: explain runs on already-validated packs."""

    def __missing__(self, key: str) -> frozenset[str]:
        return _Everything()


class _Everything(frozenset[str]):
    def __contains__(self, item: object) -> bool:
        return True


def _permissive_classes() -> Mapping[str, frozenset[str]]:
    return _AnyValues()
