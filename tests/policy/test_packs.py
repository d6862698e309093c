"""Packs load, every worked example passes, and every rule is exercised and cited."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from separation.errors import NotFoundError, PackError
from separation.policy import Ask, Pack, packs_root
from separation.policy import load_pack as _load_pack
from separation.policy.scenarios import run_scenario, run_scenarios


@cache
def load_pack(name: str) -> Pack:
    return _load_pack(name)


BUNDLED = sorted(p.name for p in packs_root().iterdir() if (p / "pack.yaml").is_file())
BROKEN = Path(__file__).parent / "packs" / "broken"


def _scenarios() -> list[tuple[str, str, dict[str, object]]]:
    found = []
    for name in BUNDLED:
        for file, scenario in load_pack(name).scenarios:
            found.append((name, file, dict(scenario)))
    return found


@pytest.mark.parametrize(
    ("pack_name", "file", "scenario"), _scenarios(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_worked_example(pack_name: str, file: str, scenario: dict[str, object]) -> None:
    result = run_scenario(load_pack(pack_name), file, scenario)
    assert result.passed, result.problems


@pytest.mark.parametrize("pack_name", BUNDLED)
def test_every_rule_and_ask_is_exercised_by_a_worked_example(pack_name: str) -> None:
    pack = load_pack(pack_name)
    results = run_scenarios(pack)
    cited = {rule.id for r in results if r.decision for rule in r.decision.rules}
    asks = {a.ask for r in results if r.decision for a in r.decision.asks}
    all_rules = set().union(*(set(v.rules) for v in pack.versions))
    assert all_rules - cited == set()
    assert set(Ask) - asks == set()


def test_minneapolis_has_enough_examples(minneapolis: object) -> None:
    assert len(load_pack("minneapolis").scenarios) >= 50
    assert len(load_pack("california").scenarios) >= 15


@pytest.mark.parametrize("pack_name", BUNDLED)
def test_every_rule_has_a_citation_and_a_reason(pack_name: str) -> None:
    pack = load_pack(pack_name)
    for version in pack.versions:
        for rule in version.rules.values():
            assert rule.ref.citation.strip(), rule.id
            assert len(rule.reason) >= 10, rule.id
            for obligation in rule.obligations:
                assert obligation.citation.strip(), (rule.id, obligation.kind)


def test_versions_in_force_on_each_date(minneapolis: object) -> None:
    import datetime as dt

    pack = load_pack("minneapolis")
    assert pack.version_for(dt.date(2003, 7, 11)).id == "2003-07-11"
    assert pack.version_for(dt.date(2025, 12, 10)).id == "2025-12-03"
    assert pack.version_for(dt.date(2025, 12, 11)).id == "2025-12-11"
    with pytest.raises(NotFoundError, match="no version in force"):
        pack.version_for(dt.date(2003, 7, 10))


def test_unknown_pack_names_the_bundled_ones() -> None:
    with pytest.raises(NotFoundError, match="bundled packs: california, minneapolis"):
        _load_pack("atlantis")


BROKEN_CASES = {
    "unknown_fact": ("rules.yaml", "T-DECLINE", "unknown fact 'purpsoe'"),
    "unknown_value": ("rules.yaml", "T-DECLINE", "has no value 'civil'; allowed: civil_immigration"),
    "no_catch_all": ("pack.yaml", None, "has no unconditional rule"),
    "duplicate_id": ("rules.yaml", "T-DECLINE", "duplicate rule id"),
    "unknown_provision": ("rules.yaml", "T-DECLINE", "unknown provision 'P-9'"),
    "unknown_flag": ("rules.yaml", "T-DECLINE", "unknown flag 'nope'"),
    "bad_placeholder": ("rules.yaml", "T-DECLINE", "unknown placeholders ['description']"),
    "bad_yaml": ("rules.yaml", None, "not valid YAML"),
    "missing_field": ("pack.yaml", None, "timezone: Field required"),
    "unknown_key": ("rules.yaml", "T-DECLINE", "unles"),
    "bad_outcome": ("rules.yaml", "T-DECLINE", "outcome"),
    "until_before_from": ("rules.yaml", "T-DECLINE", "'until' must be after 'from'"),
    "self_reference": ("pack.yaml", None, "refers to itself"),
    "list_op_on_scalar": ("rules.yaml", "T-DECLINE", "applies to list facts only"),
    "unknown_timezone": ("pack.yaml", None, "unknown timezone"),
}


def test_every_broken_fixture_is_checked() -> None:
    assert {p.name for p in BROKEN.iterdir()} == set(BROKEN_CASES)


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_pack_fails_loudly_naming_file_rule_and_problem(case: str) -> None:
    file, rule, problem = BROKEN_CASES[case]
    with pytest.raises(PackError) as info:
        _load_pack(str(BROKEN / case))
    error = info.value
    assert file in str(error)
    if rule is not None:
        assert error.rule == rule
    assert problem in str(error)


def test_the_minimal_fixture_itself_is_valid() -> None:
    pack = _load_pack(str(Path(__file__).parent / "packs" / "minimal"))
    assert all(r.passed for r in run_scenarios(pack))


def test_unless_states_the_drafting_exception(tmp_path: Path) -> None:
    import shutil

    from separation.policy import Request, decide

    pack_dir = tmp_path / "minimal"
    shutil.copytree(Path(__file__).parent / "packs" / "minimal", pack_dir)
    rules = pack_dir / "rules" / "rules.yaml"
    rules.write_text(
        rules.read_text().replace(
            "    outcome: decline\n", "    unless: {fact: emergency, is: true}\n    outcome: decline\n"
        )
    )
    pack = _load_pack(str(pack_dir))
    base = {
        "received_at": "2020-02-03T10:00:00-06:00",
        "requester": {},
        "asks": ["hold"],
        "purpose": "civil_immigration",
    }
    assert decide(Request.model_validate(base), pack).outcome.value == "decline"
    excepted = decide(Request.model_validate(base | {"emergency": True}), pack, explain=True)
    assert excepted.outcome.value == "refer"
    assert excepted.trace is not None
    assert any("not (emergency is True" in why for e in excepted.trace for why in e.why)
