"""Build the labelled firewall corpus (dev.jsonl, holdout.jsonl) from the hand-written sources.

Run: python corpus/firewall/build.py   (stdlib only; exit 1 if any source or span is malformed)

Sources live in corpus/firewall/src/<split>_<lang>_<genre>.txt; the markup is described in README.md.
Offsets are computed here, never by hand, so they are exact Python string indices.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
SPLITS = ("dev", "holdout")
LANGS = ("en", "es")
GENRES = ("police", "311", "case_note", "email", "form", "memo", "news")
KINDS = {"s": "status", "i": "identifier", "q": "question"}
KINDS.update({k: k for k in ("status", "identifier", "question")})
MARK = re.compile(r"\[\[([a-z]+)\|([^\[\]|\n]+)\]\]")
HN_FLAG = "@hn"
FILE_NAME = re.compile(r"^(dev|holdout)_(en|es)_([a-z0-9_]+)\.txt$")
MIN_TEXTS = {"dev": 500, "holdout": 250}
RECEIPT_PREFIXES = {"EAC", "WAC", "LIN", "SRC", "MSC", "NBC", "IOE", "YSC", "VSC", "CSC", "NSC", "TSC", "PSC"}
RECEIPT = re.compile(r"^([A-Z]{3})[- ]?(\d{2})[- ]?(\d{3})[- ]?(\d{5})$")
SHAPES = {
    "a_number": re.compile(r"^A[- ]?\d{1,3}(?:[- ]?\d{3}){2}$"),
    "i94_new": re.compile(r"^\d{9}[A-Z]\d$"),
    "i94_old": re.compile(r"^\d{11}$"),
    "sevis": re.compile(r"^N\d{10}$"),
    "foil_or_certificate": re.compile(r"^[A-Z]?\d{7,8}$"),
    "a_digits": re.compile(r"^\d{1,3}(?:[- ]?\d{3}){2}$"),
}


class SourceError(Exception):
    pass


def parse_block(lines: list[str], where: str) -> tuple[str, list[dict[str, object]], bool]:
    """Turn one marked-up block into (text, spans, hard_negative)."""
    raw = "\n".join(line.rstrip() for line in lines)
    hard = False
    if raw.startswith(HN_FLAG + " ") or raw.startswith(HN_FLAG + "\n"):
        hard = True
        raw = raw[len(HN_FLAG) + 1 :]
    raw = raw.strip()
    text_parts: list[str] = []
    spans: list[dict[str, object]] = []
    pos = 0
    length = 0
    for m in MARK.finditer(raw):
        before = raw[pos : m.start()]
        text_parts.append(before)
        length += len(before)
        kind = KINDS.get(m.group(1))
        if kind is None:
            raise SourceError(f"{where}: unknown kind {m.group(1)!r}")
        content = m.group(2)
        if content != content.strip():
            raise SourceError(f"{where}: span has leading/trailing space: {content!r}")
        spans.append({"start": length, "end": length + len(content), "kind": kind})
        text_parts.append(content)
        length += len(content)
        pos = m.end()
    text_parts.append(raw[pos:])
    text = "".join(text_parts)
    for token in ("[[", "]]", "@hn"):
        if token in text:
            raise SourceError(f"{where}: stray {token!r} (malformed markup)")
    if hard and spans:
        raise SourceError(f"{where}: {HN_FLAG} on a text that has spans (hard negatives have none)")
    return text, spans, hard


def check_spans(text: str, spans: list[dict[str, object]], where: str, expected: list[str]) -> None:
    last_end = -1
    for span, want in zip(spans, expected, strict=True):
        start, end = span["start"], span["end"]
        assert isinstance(start, int) and isinstance(end, int)
        if not 0 <= start < end <= len(text):
            raise SourceError(f"{where}: span {start}-{end} outside text or empty")
        if start < last_end:
            raise SourceError(f"{where}: overlapping spans at {start}")
        if text[start:end] != want:
            raise SourceError(f"{where}: offset mismatch at {start}-{end}")
        last_end = end


def read_blocks(path: Path) -> list[tuple[int, list[str]]]:
    """The blank-line-separated blocks of a source file, with the line each starts on; '#' lines skipped."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start_line = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            continue
        if line.strip():
            if not current:
                start_line = n
            current.append(line)
        elif current:
            blocks.append((start_line, current))
            current = []
    if current:
        blocks.append((start_line, current))
    return blocks


def read_source(path: Path) -> list[dict[str, object]]:
    m = FILE_NAME.match(path.name)
    if m is None:
        raise SourceError(f"{path.name}: name must be <split>_<lang>_<genre>.txt")
    split, lang, genre = m.groups()
    if genre not in GENRES:
        raise SourceError(f"{path.name}: unknown genre {genre!r}")
    blocks = read_blocks(path)
    records = []
    for i, (line_no, lines) in enumerate(blocks, 1):
        where = f"{path.name}:{line_no}"
        text, spans, hard = parse_block(lines, where)
        expected = [m.group(2) for m in MARK.finditer("\n".join(lines))]
        check_spans(text, spans, where, expected)
        records.append(
            {
                "id": f"{split}-{lang}-{genre}-{i:03d}",
                "text": text,
                "spans": spans,
                "lang": lang,
                "genre": genre,
                "hard_negative": hard,
                "_split": split,
                "_where": where,
            }
        )
    return records


def spans_of(record: dict[str, object]) -> list[dict[str, object]]:
    spans = record["spans"]
    assert isinstance(spans, list)
    return spans


def identifier_shape(value: str) -> str:
    """Name the format of a labelled identifier, or raise if it is implausible (see README)."""
    m = RECEIPT.match(value)
    if m:
        prefix, _year, day, _seq = m.groups()
        if prefix not in RECEIPT_PREFIXES:
            raise SourceError(f"receipt-shaped identifier with unknown prefix {prefix}")
        if prefix != "IOE" and not 1 <= int(day) <= 260:
            raise SourceError(f"receipt-shaped identifier with workday {day} outside 001-260")
        return "receipt_or_card"
    for name, shape in SHAPES.items():
        if shape.match(value):
            return name
    raise SourceError(f"identifier of no known shape: {value!r}")


def fingerprint(text: str) -> str:
    """Letters only, lower-cased, accents folded: catches a sentence reused with digits or spacing changed."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if c.isalpha())


def report(split: str, records: list[dict[str, object]]) -> list[str]:
    warnings = []
    n = len(records)
    by_lang = Counter(str(r["lang"]) for r in records)
    by_genre = Counter(str(r["genre"]) for r in records)
    neg = sum(1 for r in records if not r["spans"])
    hard = sum(1 for r in records if r["hard_negative"])
    kinds: Counter[str] = Counter()
    kind_docs: Counter[str] = Counter()
    lang_kind: Counter[tuple[str, str]] = Counter()
    for r in records:
        seen = set()
        for s in spans_of(r):
            kind = str(s["kind"])
            kinds[kind] += 1
            lang_kind[(str(r["lang"]), kind)] += 1
            seen.add(kind)
        for k in seen:
            kind_docs[k] += 1
    print(f"== {split}: {n} texts")
    print("  lang:   " + ", ".join(f"{k}={v} ({v / n:.0%})" for k, v in sorted(by_lang.items())))
    print("  genre:  " + ", ".join(f"{g}={by_genre[g]}" for g in GENRES))
    shapes = Counter(
        identifier_shape(str(r["text"])[s["start"] : s["end"]])  # type: ignore[index]
        for r in records
        for s in spans_of(r)
        if s["kind"] == "identifier"
    )
    print("  identifier shapes: " + ", ".join(f"{k}={v}" for k, v in sorted(shapes.items())))
    share = hard / max(neg, 1)
    print(f"  negatives: {neg} ({neg / n:.0%}), of which hard: {hard} ({share:.0%} of negatives)")
    print(f"  positive texts: {n - neg}")
    print("  spans:  " + ", ".join(f"{k}={kinds[k]} in {kind_docs[k]} texts" for k in sorted(kinds)))
    print(
        "  spans by lang: "
        + ", ".join(f"{lang}/{k}={lang_kind[(lang, k)]}" for lang in LANGS for k in sorted(kinds))
    )
    for key, label in (("lang", "by lang"), ("genre", "by genre")):
        print(f"  {label}: texts / negatives / hard / status / identifier / question spans")
        for value in sorted({str(r[key]) for r in records}):
            part = [r for r in records if r[key] == value]
            per_kind = Counter(str(s["kind"]) for r in part for s in spans_of(r))
            print(
                f"    {value:10} {len(part):4} / {sum(1 for r in part if not r['spans']):4}"
                f" / {sum(1 for r in part if r['hard_negative']):4}"
                f" / {per_kind['status']:4} / {per_kind['identifier']:4} / {per_kind['question']:4}"
            )
    if n < MIN_TEXTS[split]:
        warnings.append(f"{split}: {n} texts, target at least {MIN_TEXTS[split]}")
    if by_lang["es"] / n < 0.35:
        warnings.append(f"{split}: Spanish is {by_lang['es'] / n:.0%}, target at least 35%")
    if neg / n < 0.40:
        warnings.append(f"{split}: negatives are {neg / n:.0%}, target at least 40%")
    if hard * 2 <= neg:
        warnings.append(f"{split}: hard negatives are not most of the negatives")
    for g in GENRES:
        if by_genre[g] == 0:
            warnings.append(f"{split}: no text of genre {g}")
    return warnings


def main() -> int:
    try:
        records: list[dict[str, object]] = []
        for path in sorted(SRC.glob("*.txt")):
            records.extend(read_source(path))
        seen_text: dict[str, str] = {}
        seen_print: dict[str, tuple[str, str]] = {}
        for r in records:
            text, where, split = str(r["text"]), str(r["_where"]), str(r["_split"])
            if text in seen_text:
                raise SourceError(f"{where}: duplicate of {seen_text[text]}")
            seen_text[text] = where
            fp = fingerprint(text)
            if fp in seen_print and seen_print[fp][1] != split:
                raise SourceError(f"{where}: same wording as {seen_print[fp][0]} in the other split")
            seen_print.setdefault(fp, (where, split))
            for span in spans_of(r):
                if span["kind"] == "identifier":
                    start, end = span["start"], span["end"]
                    assert isinstance(start, int) and isinstance(end, int)
                    try:
                        identifier_shape(text[start:end])
                    except SourceError as exc:
                        raise SourceError(f"{where}: {exc}") from None
    except (SourceError, OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    warnings: list[str] = []
    for split in SPLITS:
        part = [r for r in records if r["_split"] == split]
        out = HERE / f"{split}.jsonl"
        with out.open("w", encoding="utf-8", newline="\n") as fh:
            for r in part:
                public = {k: v for k, v in r.items() if not k.startswith("_")}
                fh.write(json.dumps(public, ensure_ascii=False) + "\n")
        if part:
            warnings.extend(report(split, part))
        print(f"  wrote {out.relative_to(HERE.parent.parent)}")
    for w in warnings:
        print(f"warning: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
