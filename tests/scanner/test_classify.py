"""The batched value check gives exactly what ``value_kind`` gives, cell by cell."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from separation.firewall import value_kind
from separation.scanner.classify import ClassifyOptions, _check_strings

OPTS = ClassifyOptions()
KNOWN = [
    "Permanent resident",
    "permanent-resident",
    "LPR",
    "U.S. Citizen",
    "us citizen",
    "ciudadanía",
    "ciudadania",
    "sin papeles",
    "DACA",
    "TPS",
    "EWI",
    "A123456789",
    "A-123-456-789",
    "EAC2212345678",
    "EAC-22-123-45678",
    "N0012345678",
    "123456789",
    "F-1",
    "H-1B",
    "citizen",
    "Minneapolis",
    "open",
    "X1",
    "CR-00001",
    "12.5",
    "-3",
    "",
    "  ",
    "Número A",
    "the tenant is undocumented",
]


def _expected(value: str) -> bool:
    s = value.strip()
    if not s or len(s) > OPTS.value_max_chars:
        return False
    if s.isascii() and not any(c.isalpha() for c in s):
        return False
    return value_kind(s) is not None


def _flags(values: list[str]) -> list[bool]:
    flags = _check_strings(pa.array(values, pa.string()), OPTS, document=False)
    if flags.value_mask is None:
        return [False] * len(values)
    return [bool(x) for x in flags.value_mask.to_pylist()]


def test_known_values_match_value_kind() -> None:
    assert _flags(KNOWN) == [_expected(v) for v in KNOWN]


words = st.sampled_from(
    ["permanent", "resident", "citizen", "us", "u.s.", "A", "12345678", "status", "LPR", "é", "#"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=20), st.lists(words, min_size=1, max_size=4).map(" ".join)))
def test_any_value_matches_value_kind(value: str) -> None:
    # One value per batch: the firewall's detect_many can still let one text's words change the
    # findings of its neighbour (reported to the firewall's owner), which this test must not hide.
    assert _flags([value]) == [_expected(value)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 -./:,()#+", min_size=1, max_size=40))
def test_cells_without_letters_are_never_flagged(value: str) -> None:
    from separation.firewall import detect

    assert value_kind(value) is None and detect(value) == []


def _corpus_texts() -> list[str]:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "corpus" / "firewall"
    texts = []
    for path in sorted(root.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return texts
