"""The decision engine: ``decide(request, pack)`` — pure, no I/O, no state beyond the compiled pack.

For each ask, the pack's rules for that ask are tried in precedence order (``order``, lowest first)
and the first whose condition holds decides it; rules that ``concur`` with the outcome reached are
cited beside it (e.g. the Attorney General's opinion beside the ordinance). Request-level rules add
obligations and flags. Obligations accumulate over every rule that applied, each with a due date in
business days on the pack's calendar, counted from the day the city received the request.
"""

from __future__ import annotations

import datetime as dt

from separation.policy.conditions import explain as explain_condition
from separation.policy.facts import Facts, extract_facts
from separation.policy.model import (
    Ask,
    AskDecision,
    Decision,
    Obligation,
    Outcome,
    Request,
    RuleRef,
    TraceEntry,
)
from separation.policy.pack import CompiledRule, ObligationSpec, Pack, PackVersion

__all__ = ["decide", "overall_outcome"]


def overall_outcome(outcomes: list[Outcome]) -> Outcome:
    """CONTRACTS.md: refer if any ask is referred; comply or decline if all agree; else partial."""
    kinds = set(outcomes)
    if Outcome.refer in kinds:
        return Outcome.refer
    if kinds == {Outcome.comply}:
        return Outcome.comply
    if kinds == {Outcome.decline}:
        return Outcome.decline
    return Outcome.partial


def decide(request: Request, pack: Pack, as_of: dt.date | None = None, explain: bool = False) -> Decision:
    """Decide every ask of ``request`` under the version of ``pack`` in force on ``as_of``.

    ``as_of`` defaults to the local date on which the city received the request; due dates are
    always counted from that date.
    """
    received = request.received_at.astimezone(pack.timezone).date()
    version = pack.version_for(as_of or received)
    facts = extract_facts(request, agencies=pack.agencies, offenses=pack.offenses, forms=pack.forms)
    trace: list[TraceEntry] | None = [] if explain else None

    applied: dict[str, CompiledRule] = {}  # every rule that shaped the answer, in precedence order
    ask_decisions: list[AskDecision] = []
    seen_asks: set[Ask] = set()
    for ask in request.asks:
        if ask in seen_asks:
            continue
        seen_asks.add(ask)
        facts["ask"] = ask.value
        decided = _first_match(version.deciding[ask.value], facts)
        rule_ids = [decided.id]
        applied.setdefault(decided.id, decided)
        for rule in version.concurring[ask.value]:
            if rule.outcome is decided.outcome and rule.test(facts):
                rule_ids.append(rule.id)
                applied.setdefault(rule.id, rule)
        if trace is not None:
            trace.extend(_trace_ask(ask, version, facts, pack, decided))
        assert decided.outcome is not None
        ask_decisions.append(AskDecision.model_construct(ask=ask, outcome=decided.outcome, rules=rule_ids))

    facts["ask"] = None
    for rule in version.request_rules:
        matched = not rule.asks.isdisjoint(facts["asks"]) and rule.test(facts)
        if matched:
            applied.setdefault(rule.id, rule)
        if trace is not None:
            trace.append(_trace_entry(None, rule, matched, "obligations", facts, pack))

    ordered = sorted(applied.values(), key=_precedence)
    context = _reason_context(facts, pack)
    flags: dict[str, None] = {}
    obligations: dict[tuple[str, dt.date | None], Obligation] = {}
    for rule in ordered:
        for flag in rule.flags:
            flags[flag] = None
        for spec in rule.obligations:
            if spec.effective_from is not None and spec.effective_from > version.effective_from:
                continue
            due = _due(spec, received, pack)
            key = (spec.kind.value, due)
            if key not in obligations:
                obligations[key] = Obligation.model_construct(
                    kind=spec.kind, due=due, rule=spec.rule, citation=spec.citation
                )
    return Decision.model_construct(
        request_id=request.id,
        outcome=overall_outcome([a.outcome for a in ask_decisions]),
        asks=ask_decisions,
        rules=[_rule_ref(rule, context) for rule in ordered],
        obligations=sorted(obligations.values(), key=_obligation_order),
        flags=list(flags),
        pack=version.ref,
        trace=trace,
    )


def _first_match(rules: tuple[CompiledRule, ...], facts: Facts) -> CompiledRule:
    for rule in rules:
        if rule.test(facts):
            return rule
    raise AssertionError("every compiled version ends each ask with an unconditional rule")


def _precedence(rule: CompiledRule) -> tuple[int, int, str]:
    # Deciding rules first, then concurring ones, then request-level ones; each by pack order.
    group = 0 if rule.outcome is not None and not rule.concur else 1 if rule.concur else 2
    return (group, rule.order, rule.id)


def _obligation_order(obligation: Obligation) -> tuple[int, dt.date, str]:
    # Things to do "as soon as possible" first, then by date.
    return (0 if obligation.due is None else 1, obligation.due or dt.date.min, obligation.kind.value)


def _due(spec: ObligationSpec, received: dt.date, pack: Pack) -> dt.date | None:
    if spec.business_days is None:
        return None
    return pack.calendar.add_business_days(received, spec.business_days)


def _reason_context(facts: Facts, pack: Pack) -> dict[str, str]:
    agency_class = facts["agency_class"]
    agency = (
        pack.agency_labels.get(agency_class, "the requesting agency") if agency_class else "the requester"
    )
    return {"agency": agency, "ask": "this request"}


def _rule_ref(rule: CompiledRule, context: dict[str, str]) -> RuleRef:
    if not rule.needs_render:
        return rule.ref
    return rule.ref.model_copy(update={"reason": rule.reason.format_map(context)})


def _trace_ask(
    ask: Ask, version: PackVersion, facts: Facts, pack: Pack, decided: CompiledRule
) -> list[TraceEntry]:
    entries: list[TraceEntry] = []
    reached = True
    for rule in version.deciding[ask.value]:
        if not reached:
            entries.append(
                TraceEntry.model_construct(
                    ask=ask,
                    rule=rule.id,
                    matched=False,
                    effect="not reached",
                    why=[f"{decided.id} decided first"],
                )
            )
            continue
        entry = _trace_entry(ask, rule, rule is decided, f"decides {rule.outcome}", facts, pack)
        entries.append(entry)
        if rule is decided:
            reached = False
    for rule in version.concurring[ask.value]:
        matched = rule.outcome is decided.outcome and rule.test(facts)
        entries.append(_trace_entry(ask, rule, matched, f"concurs with {rule.outcome}", facts, pack))
    return entries


def _trace_entry(
    ask: Ask | None, rule: CompiledRule, matched: bool, effect: str, facts: Facts, pack: Pack
) -> TraceEntry:
    _, why = explain_condition(rule.when, facts, pack.named_conditions)
    return TraceEntry.model_construct(ask=ask, rule=rule.id, matched=matched, effect=effect, why=why)
