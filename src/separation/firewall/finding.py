"""The Finding: where, what kind, how sure, which rule. Never the matched text."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A span of text holding status information (CONTRACTS.md section 3).

    ``start``/``end`` are Python string indices into the text as given.
    """

    start: int
    end: int
    kind: str
    score: float
    rule: str
    language: str

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "score": round(self.score, 3),
            "rule": self.rule,
            "language": self.language,
        }
