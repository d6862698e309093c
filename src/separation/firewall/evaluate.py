"""Accuracy on a labelled corpus: span-overlap and document-level figures per kind, per language and
per genre, and the false-positive rate on hard negatives. Pure: takes records, returns numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from separation.errors import InputError
from separation.firewall.finding import Finding
from separation.firewall.knowledge import KINDS

__all__ = ["TARGETS", "Counts", "EvalReport", "evaluate", "parse_record"]

# The accuracy targets: (kind, metric) -> minimum; ("hard_negative", "fp_rate") is a maximum.
TARGETS: dict[tuple[str, str], float] = {
    ("identifier", "precision"): 0.99,
    ("identifier", "recall"): 0.99,
    ("status", "recall"): 0.97,
    ("status", "precision"): 0.92,
    ("question", "recall"): 0.98,
    ("hard_negative", "fp_rate"): 0.02,
}


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    text: str
    spans: tuple[Span, ...]
    lang: str
    genre: str
    hard_negative: bool


def parse_record(raw: Any, where: str) -> Record:
    """Validate one corpus line (already JSON-decoded)."""
    if not isinstance(raw, dict):
        raise InputError("each line must be a JSON object", where=where)
    text = raw.get("text")
    if not isinstance(text, str):
        raise InputError("must be a string", field="text", where=where)
    spans = []
    for s in raw.get("spans") or []:
        if not isinstance(s, dict) or s.get("kind") not in KINDS:
            raise InputError("each span needs start, end and a known kind", field="spans", where=where)
        start, end = s.get("start"), s.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
            raise InputError("span offsets outside the text", field="spans", where=where)
        spans.append(Span(start, end, s["kind"]))
    return Record(
        id=str(raw.get("id", where)),
        text=text,
        spans=tuple(spans),
        lang=str(raw.get("lang") or "?"),
        genre=str(raw.get("genre") or "?"),
        hard_negative=bool(raw.get("hard_negative", False)),
    )


@dataclass(slots=True)
class Counts:
    pred: int = 0
    pred_matched: int = 0
    gold: int = 0
    gold_matched: int = 0
    doc_tp: int = 0
    doc_fp: int = 0
    doc_fn: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, float | int | None]:
        p = self.pred_matched / self.pred if self.pred else None
        r = self.gold_matched / self.gold if self.gold else None
        dp = self.doc_tp / (self.doc_tp + self.doc_fp) if self.doc_tp + self.doc_fp else None
        dr = self.doc_tp / (self.doc_tp + self.doc_fn) if self.doc_tp + self.doc_fn else None
        return {
            "precision": p,
            "recall": r,
            "f1": _fbeta(p, r, 1.0),
            "f2": _fbeta(p, r, 2.0),
            "predicted": self.pred,
            "gold": self.gold,
            "doc_precision": dp,
            "doc_recall": dr,
        }


def _fbeta(p: float | None, r: float | None, beta: float) -> float | None:
    if p is None or r is None:
        return None
    if p == 0 and r == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r)


@dataclass(slots=True)
class EvalReport:
    documents: int = 0
    by_kind: dict[str, Counts] = field(default_factory=dict)
    by_lang: dict[str, dict[str, Counts]] = field(default_factory=dict)
    by_genre: dict[str, dict[str, Counts]] = field(default_factory=dict)
    hard_negatives: int = 0
    hard_negative_hits: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def hard_negative_fp_rate(self) -> float | None:
        return self.hard_negative_hits / self.hard_negatives if self.hard_negatives else None

    def figure(self, kind: str, metric: str) -> float | None:
        if kind == "hard_negative":
            return self.hard_negative_fp_rate()
        value = self.by_kind.get(kind, Counts()).figures().get(metric)
        return float(value) if value is not None else None

    def failures(self) -> list[str]:
        """Targets not met (a figure that cannot be computed is not a failure)."""
        out = []
        for (kind, metric), target in TARGETS.items():
            value = self.figure(kind, metric)
            if value is None:
                continue
            if (kind == "hard_negative" and value > target) or (kind != "hard_negative" and value < target):
                out.append(
                    f"{kind} {metric} {value:.3f} (target {'≤' if kind == 'hard_negative' else '≥'} {target})"
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        def table(groups: Mapping[str, Mapping[str, Counts]]) -> dict[str, Any]:
            return {g: {k: c.figures() for k, c in kinds.items()} for g, kinds in sorted(groups.items())}

        return {
            "documents": self.documents,
            "kinds": {k: c.figures() for k, c in self.by_kind.items()},
            "by_lang": table(self.by_lang),
            "by_genre": table(self.by_genre),
            "hard_negatives": self.hard_negatives,
            "hard_negative_fp_rate": self.hard_negative_fp_rate(),
            "targets_failed": self.failures(),
        }


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _score(record: Record, findings: Sequence[Finding]) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for kind in KINDS:
        gold = [s for s in record.spans if s.kind == kind]
        pred = [f for f in findings if f.kind == kind]
        c = Counts(pred=len(pred), gold=len(gold))
        c.pred_matched = sum(1 for f in pred if any(_overlaps(f.start, f.end, g.start, g.end) for g in gold))
        c.gold_matched = sum(1 for g in gold if any(_overlaps(f.start, f.end, g.start, g.end) for f in pred))
        c.doc_tp = int(bool(gold) and bool(pred))
        c.doc_fp = int(not gold and bool(pred))
        c.doc_fn = int(bool(gold) and not pred)
        out[kind] = c
    return out


def evaluate(
    records: Iterable[Record],
    detect_many: Callable[[Sequence[str]], list[list[Finding]]],
    *,
    keep_errors: bool = False,
) -> EvalReport:
    """Run ``detect_many`` over the records and compare with their spans."""
    recs = list(records)
    found = detect_many([r.text for r in recs])
    report = EvalReport(by_kind={k: Counts() for k in KINDS})
    for record, findings in zip(recs, found, strict=True):
        report.documents += 1
        scores = _score(record, findings)
        for kind, c in scores.items():
            report.by_kind[kind].add(c)
            report.by_lang.setdefault(record.lang, {}).setdefault(kind, Counts()).add(c)
            report.by_genre.setdefault(record.genre, {}).setdefault(kind, Counts()).add(c)
        if record.hard_negative:
            report.hard_negatives += 1
            report.hard_negative_hits += int(bool(findings))
        if keep_errors:
            report.errors.extend(_errors(record, findings))
    return report


def _errors(record: Record, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Missed gold spans and unmatched findings, by offset (for tuning on the development corpus)."""
    out: list[dict[str, Any]] = []
    for g in record.spans:
        if not any(f.kind == g.kind and _overlaps(f.start, f.end, g.start, g.end) for f in findings):
            out.append({"id": record.id, "error": "missed", "kind": g.kind, "start": g.start, "end": g.end})
    for f in findings:
        if not any(f.kind == g.kind and _overlaps(f.start, f.end, g.start, g.end) for g in record.spans):
            out.append(
                {
                    "id": record.id,
                    "error": "false",
                    "kind": f.kind,
                    "rule": f.rule,
                    "start": f.start,
                    "end": f.end,
                }
            )
    return out
