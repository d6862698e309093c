"""Build the seventh development corpus (dev7.jsonl) from corpus/firewall/src7/.

Run: python corpus/firewall/build7.py   (stdlib only; exit 1 if a source, a span or a similarity check fails)

dev7 was written independently of the detector's rules and knowledge and without reading any other
corpus's texts, to show where the detector fails on wording it was not tuned on. It is about 65% Spanish
(Mexican, Central American, Caribbean, South American and Spain usage; formal and informal, with and
without accents, SMS style, transcribed speech, bilingual forms). Its emphasis: status said about
particular people in everyday words (indirect, negated, past, pending, via a document or an enforcement
event, regional slang); questions in every form (table and form labels, bilingual labels, column names,
document checklists, demands reported from landlords, employers, officers and strangers, direct
questions); and hard negatives that use the same vocabulary innocently (papers of a car, old-age homes,
bird migration, illegal parking, civic "ciudadano", status of a case, other courts, number look-alikes).
Sources are src7/<lang>_<genre>.txt in the markup of README.md. The span, markup and identifier-shape
checks are build.py's own functions (build.py is imported, not changed; the other builders are left as
they are). Identifier shapes are checked case-insensitively and with dots read as dashes. On top of them
this script rejects any dev7 text that is a near-duplicate of a text in dev.jsonl, dev2.jsonl to
dev6.jsonl, holdout.jsonl or holdout2.jsonl: the same letters-only fingerprint, or a 4-word-sequence
Jaccard similarity above 0.2. The other texts are compared by code only; a failure names the dev7
source line and the other file, never the other text.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402  (the first corpus's builder, reused for parsing and checks)

SRC7 = HERE / "src7"
OUT = HERE / "dev7.jsonl"
FILE_NAME = re.compile(r"^(en|es)_([a-z0-9_]+)\.txt$")
OTHER_FILES = (
    "dev.jsonl",
    "dev2.jsonl",
    "dev3.jsonl",
    "dev4.jsonl",
    "dev5.jsonl",
    "dev6.jsonl",
    "holdout.jsonl",
    "holdout2.jsonl",
)
MIN_TEXTS = 400
MAX_JACCARD = 0.2
WORD = re.compile(r"\w+")


def read_source(path: Path) -> list[dict[str, object]]:
    m = FILE_NAME.match(path.name)
    if m is None:
        raise build.SourceError(f"{path.name}: name must be <lang>_<genre>.txt")
    lang, genre = m.groups()
    if genre not in build.GENRES:
        raise build.SourceError(f"{path.name}: unknown genre {genre!r}")
    blocks = build.read_blocks(path)
    records = []
    for i, (line_no, lines) in enumerate(blocks, 1):
        where = f"src7/{path.name}:{line_no}"
        text, spans, hard = build.parse_block(lines, where)
        expected = [mm.group(2) for mm in build.MARK.finditer("\n".join(lines))]
        build.check_spans(text, spans, where, expected)
        for span in spans:
            if span["kind"] == "identifier":
                start, end = span["start"], span["end"]
                assert isinstance(start, int) and isinstance(end, int)
                try:
                    build.identifier_shape(normalise_identifier(text[start:end]))
                except build.SourceError as exc:
                    raise build.SourceError(f"{where}: {exc}") from None
        records.append(
            {
                "id": f"d7-{lang}-{genre}-{i:03d}",
                "text": text,
                "spans": spans,
                "lang": lang,
                "genre": genre,
                "hard_negative": hard,
                "_where": where,
            }
        )
    return records


def normalise_identifier(value: str) -> str:
    """Lower-case prefixes (a213..., eac-...) and dotted groups (A 212.480.375) are real-world spellings
    of the same shapes build.py checks."""
    return value.upper().replace(".", "-")


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return frozenset(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def check_against_others(records: list[dict[str, object]]) -> list[str]:
    """Problems (dev7 location + other file name only) for near-duplicates of texts in the other files."""
    problems: list[str] = []
    for name in OTHER_FILES:
        path = HERE / name
        if not path.exists():
            continue
        texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line]
        prints = {build.fingerprint(t) for t in texts}
        others = [shingles(t) for t in texts]
        for r in records:
            text = str(r["text"])
            if build.fingerprint(text) in prints:
                problems.append(f"{r['_where']}: same wording as a text in {name}")
                continue
            mine = shingles(text)
            best = max((jaccard(mine, o) for o in others), default=0.0)
            if best > MAX_JACCARD:
                problems.append(f"{r['_where']}: 4-word Jaccard {best:.2f} with a text in {name}")
    return problems


def main() -> int:
    try:
        records: list[dict[str, object]] = []
        for path in sorted(SRC7.glob("*.txt")):
            records.extend(read_source(path))
        seen: dict[str, str] = {}
        for r in records:
            fp = build.fingerprint(str(r["text"]))
            if fp in seen:
                raise build.SourceError(f"{r['_where']}: same wording as {seen[fp]}")
            seen[fp] = str(r["_where"])
    except (build.SourceError, OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problems = check_against_others(records)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        return 1
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for r in records:
            public = {k: v for k, v in r.items() if not k.startswith("_")}
            fh.write(json.dumps(public, ensure_ascii=False) + "\n")
    build.MIN_TEXTS["dev7"] = MIN_TEXTS
    shape = build.identifier_shape
    build.identifier_shape = lambda value: shape(normalise_identifier(value))  # report() names them too
    warnings = build.report("dev7", records) if records else []
    es_share = sum(1 for r in records if r["lang"] == "es") / max(len(records), 1)
    if es_share < 0.60:
        warnings.append(f"dev7: Spanish is {es_share:.0%}, target at least 60%")
    print(f"  wrote {OUT.relative_to(HERE.parent.parent)}")
    for w in warnings:
        print(f"warning: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
