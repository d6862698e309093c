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


def test_the_prefilter_keeps_every_text_the_detector_finds_something_in() -> None:
    # The scanner sends the detector only the texts ``may_find`` keeps: it must keep every text with a
    # finding, in any batch (whole texts, their lines, their words, upper case, next to each other).
    from separation.firewall import detect_many
    from separation.scanner._firewall import may_find

    texts = _corpus_texts()
    assert len(texts) > 1000
    variants = [*texts, *KNOWN]
    for t in texts:
        variants.extend(part for part in t.splitlines() if part.strip())
        variants.append(t.upper())
        words = t.split()
        variants.extend(" ".join(words[i : i + 3]) for i in range(0, len(words), 3))
    found = detect_many(variants)
    keep = may_find(variants)
    assert keep is not None, "no prefilter: the detector should run on Vectorscan here"
    kept = set(keep)
    missed = [i for i, f in enumerate(found) if f and i not in kept]
    assert missed == []
    assert len(kept) < len(variants)  # it does filter
    for i, f in enumerate(found[:300]):  # one text alone, first in its buffer
        if f:
            assert may_find([variants[i]]) == [0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(st.text(max_size=30), st.lists(words, min_size=1, max_size=5).map(" ".join)), max_size=6
    )
)
def test_the_prefilter_keeps_any_text_with_a_finding(texts: list[str]) -> None:
    from separation.firewall import detect_many
    from separation.scanner._firewall import may_find

    keep = may_find(texts)
    kept = set(range(len(texts)) if keep is None else keep)
    assert all(i in kept for i, f in enumerate(detect_many(texts)) if f)
