"""The decision engine: ``decide(request, pack)`` — pure, no I/O, no state beyond the compiled pack.

For each ask, the pack's rules for that ask are tried in precedence order (``order``, lowest first)
and the first whose condition holds decides it; rules that ``concur`` with the outcome reached are
cited beside it (e.g. the Attorney General's opinion beside the ordinance). Request-level rules add
obligations and flags. Obligations accumulate over every rule that applied, each with a due date in
business days on the pack's calendar, counted from the day the city received the request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson

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

__all__ = ["decide", "decide_json", "overall_outcome"]


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


@dataclass(slots=True)
class _Evaluation:
    """Everything an answer says except due dates, which depend on the day of receipt."""

    version: PackVersion
    asks: list[tuple[Ask, Outcome, tuple[str, ...]]]
    outcome: Outcome
    rules: list[CompiledRule]  # most decisive first
    duties: tuple[ObligationSpec, ...]  # in force for this version, in rule order
    flags: list[str]
    trace: list[TraceEntry] | None


def decide(request: Request, pack: Pack, as_of: dt.date | None = None, explain: bool = False) -> Decision:
    """Decide every ask of ``request`` under the version of ``pack`` in force on ``as_of``.

    ``as_of`` defaults to the local date on which the city received the request; due dates are
    always counted from that date.
    """
    received, version, facts, asks = _prepare(request, pack, as_of)
    memo = pack.memo
    if explain:
        ev = _evaluate(pack, version, facts, asks, explain)
    else:
        key = ("eval", version.id, asks, tuple(facts.values()))
        known: _Evaluation | None = memo.get(key)
        if known is None:
            known = _evaluate(pack, version, facts, asks, explain)
            _remember(memo, key, known)
        ev = known
    return Decision.model_construct(
        request_id=request.id,
        outcome=ev.outcome,
        asks=[_ask_decision(ask, outcome, rules, memo) for ask, outcome, rules in ev.asks],
        rules=[rule.ref if not rule.needs_render else _rule_ref(rule, facts, pack) for rule in ev.rules],
        obligations=_obligations(ev.duties, received, pack),
        flags=ev.flags,
        pack=version.ref,
        trace=ev.trace,
    )


@dataclass(frozen=True, slots=True)
class _JsonAnswer:
    head: bytes  # '"outcome":…,"asks":…,"rules":…' (without braces)
    duties: tuple[ObligationSpec, ...]  # the same duty list recurs across answers: schedules are shared
    tail: bytes  # '"flags":…,"pack":…'


def decide_json(request: Request, pack: Pack, as_of: dt.date | None = None) -> bytes:
    """The Decision of ``decide`` as compact JSON bytes (no trace), for batch pipelines.

    An answer depends only on the pack version and the facts; due dates depend on the day of
    receipt. So the answer is remembered per (version, facts) as pre-serialised pieces, and only
    the due dates and the caller's id are added per request.
    """
    return answer_json(request, request_key(request), request.received_at, request.id, pack, as_of)


def answer_json(
    facts_of: Request,
    key: tuple[object, ...],
    received_at: dt.datetime,
    request_id: str | None,
    pack: Pack,
    as_of: dt.date | None = None,
) -> bytes:
    """``decide_json`` for a request whose facts are those of ``facts_of`` (``key`` is its
    ``request_key``), received at ``received_at``, with the caller's ``request_id``."""
    received = received_at.astimezone(pack.timezone).date()
    return b'{"request_id":' + orjson.dumps(request_id) + answer_tail(facts_of, key, received, pack, as_of)


def answer_tail(
    facts_of: Request, key: tuple[object, ...], received: dt.date, pack: Pack, as_of: dt.date | None = None
) -> bytes:
    """Everything of the Decision JSON after its ``request_id``, for a request received on the
    local date ``received``: it depends on nothing else, so batch callers may keep it."""
    version = pack.version_for(as_of or received)
    memo_key = ("json", version.id, key)
    memo = pack.memo
    answer: _JsonAnswer | None = memo.get(memo_key)
    if answer is None:
        facts = extract_facts(facts_of, agencies=pack.agencies, offenses=pack.offenses, forms=pack.forms)
        ev = _evaluate(pack, version, facts, tuple(dict.fromkeys(facts_of.asks)), False)
        whole = orjson.dumps(_json_object(ev, facts, pack))
        # whole == b'{"outcome":…,"rules":[…],"obligations":[],"flags":…}' : keep the parts around obligations
        cut = whole.index(b',"obligations":[]')
        answer = _JsonAnswer(whole[1:cut], ev.duties, whole[cut + len(b',"obligations":[]') + 1 : -1])
        _remember(memo, memo_key, answer)
    schedule_key = ("schedule", answer.duties, received)
    obligations: bytes | None = memo.get(schedule_key)
    if obligations is None:
        obligations = orjson.dumps(
            [
                {"kind": spec.kind, "due": due, "rule": spec.rule, "citation": spec.citation}
                for spec, due in _schedule(answer.duties, received, pack)
            ]
        )
        _remember(memo, schedule_key, obligations)
    return b"".join((b",", answer.head, b',"obligations":', obligations, b",", answer.tail, b"}"))


def request_key(request: Request) -> tuple[object, ...]:
    """Everything in a request an answer can depend on: all of it but the id, the description and
    the time of receipt (which picks the version and the due dates, and is keyed separately)."""
    received_by = request.received_by
    process = request.process
    resource = request.resource
    requester = request.requester
    return (
        tuple(request.asks),
        request.channel,
        received_by.department if received_by else None,
        received_by.vendor if received_by else None,
        requester.agency,
        requester.identified,
        process.document if process else None,
        process.signed_by if process else None,
        process.form if process else None,
        request.purpose,
        tuple(request.offenses) if request.offenses else None,
        request.status_is_element,
        tuple(request.items) if request.items else None,
        resource.type if resource else None,
        resource.city_controlled if resource else None,
        request.emergency,
    )


def _json_object(ev: _Evaluation, facts: Facts, pack: Pack) -> dict[str, Any]:
    return {
        "outcome": ev.outcome,
        "asks": [{"ask": ask, "outcome": outcome, "rules": list(rules)} for ask, outcome, rules in ev.asks],
        "rules": [
            (rule.ref if not rule.needs_render else _rule_ref(rule, facts, pack)).model_dump(mode="json")
            for rule in ev.rules
        ],
        "obligations": [],
        "flags": ev.flags,
        "pack": ev.version.ref.model_dump(mode="json"),
    }


def _prepare(
    request: Request, pack: Pack, as_of: dt.date | None
) -> tuple[dt.date, PackVersion, Facts, tuple[Ask, ...]]:
    received = request.received_at.astimezone(pack.timezone).date()
    version = pack.version_for(as_of or received)
    facts = extract_facts(request, agencies=pack.agencies, offenses=pack.offenses, forms=pack.forms)
    return received, version, facts, tuple(dict.fromkeys(request.asks))


def _evaluate(
    pack: Pack,
    version: PackVersion,
    facts: Facts,
    asks: tuple[Ask, ...],
    explain: bool,
) -> _Evaluation:
    trace: list[TraceEntry] | None = [] if explain else None
    applied: dict[str, CompiledRule] = {}  # every rule that shaped the answer
    results: list[tuple[Ask, Outcome, tuple[str, ...]]] = []
    for ask in asks:
        facts["ask"] = ask
        decided = _first_match(version.deciding[ask], facts)
        outcome = decided.outcome
        assert outcome is not None
        applied[decided.id] = decided
        rule_ids: tuple[str, ...] = (decided.id,)
        for rule in version.concurring[ask]:
            if rule.outcome is outcome and rule.test(facts):
                rule_ids += (rule.id,)
                applied[rule.id] = rule
        if trace is not None:
            trace.extend(_trace_ask(ask, version, facts, pack, decided))
        results.append((ask, outcome, rule_ids))

    facts["ask"] = None
    present = facts["asks"]
    for rule in version.request_rules:
        matched = not rule.asks.isdisjoint(present) and rule.test(facts)
        if matched:
            applied[rule.id] = rule
        if trace is not None:
            trace.append(_trace_entry(None, rule, matched, "obligations", facts, pack))

    ordered = sorted(applied.values(), key=_rank)
    flags: dict[str, None] = {}
    duties: list[ObligationSpec] = []
    for rule in ordered:
        for flag in rule.flags:
            flags[flag] = None
        for spec in rule.obligations:
            if spec.effective_from is None or spec.effective_from <= version.effective_from:
                duties.append(spec)
    return _Evaluation(
        version=version,
        asks=results,
        outcome=overall_outcome([outcome for _, outcome, _ in results]),
        rules=ordered,
        duties=tuple(duties),
        flags=list(flags),
        trace=trace,
    )


def _schedule(
    duties: list[ObligationSpec] | tuple[ObligationSpec, ...], received: dt.date, pack: Pack
) -> list[tuple[ObligationSpec, dt.date | None]]:
    """Due dates for the duties; the same duty (kind, date, provision) is listed once."""
    scheduled: dict[tuple[str, dt.date | None, str], tuple[ObligationSpec, dt.date | None]] = {}
    for spec in duties:
        due = _due(spec, received, pack)
        key = (spec.kind, due, spec.citation)
        if key not in scheduled:
            scheduled[key] = (spec, due)
    listed = list(scheduled.values())
    if len(listed) > 1:
        listed.sort(key=_obligation_order)
    return listed


def _ask_decision(ask: Ask, outcome: Outcome, rules: tuple[str, ...], memo: dict[Any, Any]) -> AskDecision:
    key = ("ask", ask, outcome, rules)
    known: AskDecision | None = memo.get(key)
    if known is None:
        known = AskDecision.model_construct(ask=ask, outcome=outcome, rules=list(rules))
        _remember(memo, key, known)
    return known


# About 50,000 small answers (tens of MB at most). When full, the memo starts over: simpler than an
# LRU, and it follows traffic that moves on (new days, new facts) instead of keeping the oldest.
_MEMO_LIMIT = 50_000


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _obligations(duties: tuple[ObligationSpec, ...], received: dt.date, pack: Pack) -> list[Obligation]:
    """The obligations for a duty list received on a day; shared by every answer with that list."""
    memo = pack.memo
    key = ("obligations", duties, received)
    known: list[Obligation] | None = memo.get(key)
    if known is None:
        known = [_obligation(spec, due, memo) for spec, due in _schedule(duties, received, pack)]
        _remember(memo, key, known)
    return list(known)


def _obligation(spec: ObligationSpec, due: dt.date | None, memo: dict[Any, Any]) -> Obligation:
    key = ("obligation", spec, due)
    known: Obligation | None = memo.get(key)
    if known is None:
        known = Obligation.model_construct(kind=spec.kind, due=due, rule=spec.rule, citation=spec.citation)
        _remember(memo, key, known)
    return known


def _first_match(rules: tuple[CompiledRule, ...], facts: Facts) -> CompiledRule:
    for rule in rules:
        if rule.test(facts):
            return rule
    raise AssertionError("every compiled version ends each ask with an unconditional rule")


def _rank(rule: CompiledRule) -> int:
    return rule.rank


def _obligation_order(item: tuple[ObligationSpec, dt.date | None]) -> tuple[int, dt.date, str]:
    # Things to do "as soon as possible" first, then by date.
    spec, due = item
    return (0 if due is None else 1, due or dt.date.min, spec.kind)


def _due(spec: ObligationSpec, received: dt.date, pack: Pack) -> dt.date | None:
    if spec.business_days is None:
        return None
    return pack.calendar.add_business_days(received, spec.business_days)


def _rule_ref(rule: CompiledRule, facts: Facts, pack: Pack) -> RuleRef:
    """A reason with placeholders, filled from pack labels only (never from caller text)."""
    agency_class = facts["agency_class"]
    agency = (
        pack.agency_labels.get(agency_class, "the requesting agency") if agency_class else "the requester"
    )
    reason = rule.reason.format_map({"agency": agency, "ask": "this request"})
    return rule.ref.model_copy(update={"reason": reason})


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
