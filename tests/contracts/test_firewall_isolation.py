"""A text's findings do not depend on the texts batched with it (the scanner and Spark rely on it)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from separation.firewall import detect, detect_many

PIECES = [
    "permanent",
    "us citizen",
    "US citizen",
    "undocumented",
    "A-123456789",
    "overstayed her visa",
    "¿Es usted ciudadano?",
    "sin papeles",
    "ice on the sidewalk",
    "police",
    "Country of citizenship: ____",
    "EAC2190012345",
    "x" * 30,
    "\n",
    "?",
]

texts = st.lists(st.sampled_from(PIECES), min_size=0, max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(batch=st.lists(texts, min_size=1, max_size=6))
def test_each_text_is_judged_alone(batch: list[str]) -> None:
    assert detect_many(batch) == [detect(text) for text in batch]


def test_the_reported_case() -> None:
    assert detect_many(["permanent permanent permanent", "us citizen permanent"])[1] == detect(
        "us citizen permanent"
    )
