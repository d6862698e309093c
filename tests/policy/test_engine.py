"""The engine on open inputs: every ask answered, outcomes aggregated as CONTRACTS.md says,
obligations never due before receipt, the description never copied, the trace complete."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from separation.policy import Ask, Outcome, Pack, Request, decide, overall_outcome
from separation.policy.engine import decide_json
from separation.policy.model import Channel, Department, Document, Item, Purpose, ResourceType, Signer

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
MARKER = "ZZ-PLANTED-DESCRIPTION-7731"

AGENCIES = ["ICE ERO", "HSI", "CBP", "FBI", "FEMA", "county sheriff (287(g))", "DHS", "Nobody Inc", ""]
OFFENSES = [
    "8 U.S.C. 1324",
    "8 U.S.C. 1326",
    "18 U.S.C. 1591",
    "21 U.S.C. 841",
    "18 USC 2113",
    "Minn. Stat. 609.282",
]
FORMS = ["I-247A", "I-200", "I-205", "AO 442", "I-247A + I-200", "I-9", "X-1"]


def _enum(e: Any) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.sampled_from([m.value for m in e]))


requests = st.fixed_dictionaries(
    {
        "received_at": st.datetimes(
            min_value=dt.datetime(2014, 1, 2), max_value=dt.datetime(2030, 12, 31), timezones=st.just(dt.UTC)
        ).map(lambda d: d.isoformat()),
        "requester": st.fixed_dictionaries(
            {"agency": st.sampled_from(AGENCIES), "identified": st.booleans()}
        ),
        "asks": st.lists(st.sampled_from([a.value for a in Ask]), min_size=1, max_size=5),
    },
    optional={
        "channel": _enum(Channel),
        "received_by": st.fixed_dictionaries(
            {}, optional={"department": _enum(Department), "vendor": st.one_of(st.none(), st.booleans())}
        ),
        "process": st.fixed_dictionaries(
            {},
            optional={
                "document": _enum(Document),
                "signed_by": _enum(Signer),
                "form": st.one_of(st.none(), st.sampled_from(FORMS)),
            },
        ),
        "purpose": _enum(Purpose),
        "offenses": st.lists(st.sampled_from(OFFENSES), max_size=3),
        "status_is_element": st.one_of(st.none(), st.booleans()),
        "items": st.lists(st.sampled_from([i.value for i in Item]), max_size=4),
        "resource": st.fixed_dictionaries(
            {}, optional={"type": _enum(ResourceType), "city_controlled": st.one_of(st.none(), st.booleans())}
        ),
        "emergency": st.one_of(st.none(), st.booleans()),
        "description": st.just(f"subject details {MARKER}"),
    },
)


@settings(max_examples=300, deadline=None)
@given(raw=requests)
def test_every_ask_gets_a_reasoned_answer(minneapolis: Pack, california: Pack, raw: dict[str, Any]) -> None:
    request = Request.model_validate(raw)
    received = request.received_at.astimezone(minneapolis.timezone).date()
    for pack in (minneapolis, california):
        decision = decide(request, pack)
        assert [a.ask for a in decision.asks] == list(dict.fromkeys(request.asks))
        assert decision.outcome is overall_outcome([a.outcome for a in decision.asks])
        cited = [r.id for r in decision.rules]
        assert len(cited) == len(set(cited))
        for ask in decision.asks:
            assert ask.rules and set(ask.rules) <= set(cited)
        for obligation in decision.obligations:
            assert obligation.due is None or obligation.due >= received - dt.timedelta(days=1)
        if any(a.outcome is Outcome.refer for a in decision.asks):
            assert any(o.kind.value == "counsel_review" for o in decision.obligations)
        text = decision.model_dump_json()
        assert MARKER not in text
        jsonschema.validate(json.loads(text), _schema("decision"))


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return loaded


@settings(max_examples=200, deadline=None)
@given(outcomes=st.lists(st.sampled_from([Outcome.comply, Outcome.decline, Outcome.refer]), min_size=1))
def test_overall_outcome_follows_the_contract(outcomes: list[Outcome]) -> None:
    result = overall_outcome(outcomes)
    if Outcome.refer in outcomes:
        assert result is Outcome.refer
    elif set(outcomes) == {Outcome.comply}:
        assert result is Outcome.comply
    elif set(outcomes) == {Outcome.decline}:
        assert result is Outcome.decline
    else:
        assert result is Outcome.partial


def _detainer(**extra: Any) -> Request:
    base: dict[str, Any] = {
        "id": "T-1",
        "received_at": "2026-01-06T10:00:00-06:00",
        "requester": {"agency": "ICE ERO"},
        "asks": ["hold", "notify_release"],
        "process": {"document": "detainer", "form": "I-247A"},
    }
    base.update(extra)
    return Request.model_validate(base)


def test_decision_matches_the_contract_example_shape(minneapolis: Pack) -> None:
    decision = decide(_detainer(), minneapolis).to_json_dict()
    assert set(decision) == {"request_id", "outcome", "asks", "rules", "obligations", "flags", "pack"}
    assert decision["asks"][0] == {"ask": "hold", "outcome": "decline", "rules": decision["asks"][0]["rules"]}
    assert decision["asks"][0]["rules"][0] == "MPLS-19.30-A3"
    rule = decision["rules"][0]
    assert rule["id"] == "MPLS-19.30-A3"
    assert rule["citation"] == "Minneapolis Code of Ordinances § 19.30(a)(3)"
    assert rule["citation_pending"] is False
    assert decision["pack"] == {"id": "minneapolis", "version": "2025-12-11", "effective_from": "2025-12-11"}
    report = next(o for o in decision["obligations"] if o["kind"] == "report_council")
    assert report["due"] == "2026-01-13"
    assert report["citation"].startswith("Minneapolis Code of Ordinances ch. 19 as amended")


def test_as_of_judges_under_an_earlier_version(minneapolis: Pack) -> None:
    now = decide(_detainer(), minneapolis)
    then = decide(_detainer(), minneapolis, as_of=dt.date(2025, 11, 1))
    assert now.pack.version == "2025-12-11" and then.pack.version == "2025-06-30"
    assert {a.ask.value: a.outcome.value for a in then.asks} == {"hold": "decline", "notify_release": "refer"}


def test_trace_lists_every_rule_considered_and_why(minneapolis: Pack) -> None:
    decision = decide(_detainer(), minneapolis, explain=True)
    assert decision.trace is not None
    version = minneapolis.version_for(dt.date(2026, 1, 6))
    hold_entries = [e for e in decision.trace if e.ask is Ask.hold]
    considered = {e.rule for e in hold_entries}
    assert {r.id for r in version.deciding["hold"]} <= considered
    assert {r.id for r in version.concurring["hold"]} <= considered
    decisive = [e for e in hold_entries if e.matched and e.effect.startswith("decides")]
    assert [e.rule for e in decisive] == ["MPLS-19.30-A3"]
    assert any("process.document" in why for e in decisive for why in e.why)
    assert decide(_detainer(), minneapolis).trace is None


def test_reason_templates_use_pack_labels_not_caller_text(minneapolis: Pack) -> None:
    decision = decide(_detainer(requester={"agency": "ICE ERO <script>"}), minneapolis)
    assert "<script>" not in decision.model_dump_json()


def test_decide_is_fast_enough_to_call_per_keystroke(minneapolis: Pack) -> None:
    # Not a timing assertion: a smoke test that repeated calls reuse the compiled pack.
    first = decide(_detainer(), minneapolis)
    for _ in range(1000):
        assert decide(_detainer(), minneapolis) == first


@settings(max_examples=300, deadline=None)
@given(raw=requests, request_id=st.one_of(st.none(), st.text(max_size=20)))
def test_the_json_fast_path_says_exactly_what_decide_says(
    minneapolis: Pack, raw: dict[str, Any], request_id: str | None
) -> None:
    request = Request.model_validate(raw | {"id": request_id})
    for _ in range(2):  # the second call is served from the memo
        fast = json.loads(decide_json(request, minneapolis))
        slow = json.loads(decide(request, minneapolis).model_dump_json(exclude={"trace"}))
        assert fast == slow


def test_answers_do_not_depend_on_what_the_memo_holds(minneapolis: Pack, monkeypatch: Any) -> None:
    from separation.policy import engine

    requests = [Request.model_validate(dict(s["request"])) for _, s in minneapolis.scenarios]
    expected = [decide(r, minneapolis).model_dump_json(exclude={"trace"}) for r in requests]
    monkeypatch.setattr(engine, "_MEMO_LIMIT", 3)  # the memo starts over every few entries
    for _ in range(2):
        for request, want in zip(requests, expected, strict=True):
            assert json.loads(decide_json(request, minneapolis)) == json.loads(want)
            assert decide(request, minneapolis).model_dump_json(exclude={"trace"}) == want


def test_the_memo_key_covers_every_request_field() -> None:
    """If a field is added to Request, engine._request_key must take it into account: answers are
    memoised on that key, and a fact missing from it would return another request's answer."""
    from separation.policy.model import Process, ReceivedBy, Requester, Resource

    assert set(Request.model_fields) == {
        "id", "received_at", "description",  # not part of an answer
        "asks", "channel", "received_by", "requester", "process", "purpose", "offenses",
        "status_is_element", "items", "resource", "emergency",
    }  # fmt: skip
    assert set(ReceivedBy.model_fields) == {"department", "vendor"}
    assert set(Requester.model_fields) == {"agency", "identified"}
    assert set(Process.model_fields) == {"document", "signed_by", "form"}
    assert set(Resource.model_fields) == {"type", "city_controlled"}


MUTATIONS: list[tuple[str, Any]] = [
    ("id", 7),
    ("id", "x" * 300),
    ("description", ["not", "text"]),
    ("received_at", "2026-01-06T10:00:00"),
    ("received_at", "2026-01-06 10:00:00-06:00"),
    ("received_at", "20260106T100000-0600"),
    ("received_at", "2026-01-06T10:00:00.25Z"),
    ("received_at", 1767715200),
    ("asks", ["detain"]),
    ("purpose", "civil"),
    ("extra", 1),
]


@settings(max_examples=300, deadline=None)
@given(
    raw=requests,
    request_id=st.one_of(st.none(), st.text(max_size=12)),
    mutation=st.one_of(st.none(), st.sampled_from(MUTATIONS)),
    repeat=st.integers(min_value=1, max_value=3),
)
def test_batch_triage_says_what_the_full_model_says(
    minneapolis: Pack, raw: dict[str, Any], request_id: str | None, mutation: Any, repeat: int
) -> None:
    from separation.errors import InputError
    from separation.policy.batch import BatchTriage
    from separation.policy.intake import parse_request

    item = raw | {"id": request_id}
    if mutation is not None:
        item = item | {mutation[0]: mutation[1]}
    line = json.dumps(item).encode()
    try:
        expected: Any = json.loads(decide_json(parse_request(line), minneapolis))
    except InputError as exc:
        expected = ("error", exc.field)
    batch = BatchTriage(minneapolis)
    for _ in range(repeat):  # later passes are served from the shapes already validated
        try:
            got: Any = json.loads(batch.decide_line(line, "test"))
        except InputError as exc:
            got = ("error", exc.field)
        assert got == expected


@settings(max_examples=200, deadline=None)
@given(raw=requests, shift=st.integers(min_value=-400, max_value=400), other_id=st.text(max_size=12))
def test_batch_triage_reuses_a_shape_only_for_what_it_can_vouch_for(
    minneapolis: Pack, raw: dict[str, Any], shift: int, other_id: str
) -> None:
    from separation.policy.batch import BatchTriage
    from separation.policy.intake import parse_request

    first = json.dumps(raw).encode()
    when = dt.datetime.fromisoformat(raw["received_at"]) + dt.timedelta(days=shift, minutes=shift)
    second_item = raw | {"id": other_id, "description": "other words", "received_at": when.isoformat()}
    second = json.dumps(second_item).encode()
    batch = BatchTriage(minneapolis)
    for line in (first, second):
        expected = json.loads(decide_json(parse_request(line), minneapolis))
        assert json.loads(batch.decide_line(line, "test")) == expected
