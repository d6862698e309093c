"""Build the eighth development corpus (dev8.jsonl) from corpus/firewall/src8/.

Run: python corpus/firewall/build8.py   (stdlib only; exit 1 if a source, a span or a similarity check fails)

dev8 was written independently of the detector's rules and knowledge and without reading any other
corpus's texts, to show where the detector fails on wording it was not tuned on. It is about 65% English
and 35% Spanish: police narratives and supplements, CAD remarks, 311 tickets and chats, case notes
(housing, legal aid, schools, clinics, shelters, workforce), staff e-mails, memos and minutes, local news.
Its emphasis: status said about particular people in many ways (direct, indirect, negated, past,
pending, via a document or an enforcement event, third-party, slang, euphemism); questions put to people
and demands reported from landlords, employers and officers; form labels and column names; identifiers in
many layouts; and hard negatives that reuse the vocabulary innocently. Sources are src8/<lang>_<genre>.txt
in the markup of README.md. The span, markup and identifier-shape checks are build.py's own functions
(build.py is imported, not changed). Identifier shapes are checked case-insensitively and with dots read
as dashes. On top of them this script rejects any dev8 text that is a near-duplicate of a text in
dev.jsonl, dev2.jsonl to dev8.jsonl, dev9.jsonl (when present), holdout.jsonl or holdout2.jsonl: the same
letters-only fingerprint, or a 4-word-sequence Jaccard similarity above 0.2. The other texts are compared
by code only; a failure names the dev8 source line and the other file, never the other text.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402  (the first corpus's builder, reused for parsing and checks)

SRC8 = HERE / "src8"
OUT = HERE / "dev8.jsonl"
FILE_NAME = re.compile(r"^(en|es)_([a-z0-9_]+)\.txt$")
OTHER_FILES = (
    "dev.jsonl",
    "dev2.jsonl",
    "dev3.jsonl",
    "dev4.jsonl",
    "dev5.jsonl",
    "dev6.jsonl",
    "dev7.jsonl",
    "dev9.jsonl",
    "holdout.jsonl",
    "holdout2.jsonl",
)
MIN_TEXTS = 380
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
        where = f"src8/{path.name}:{line_no}"
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
                "id": f"d8-{lang}-{genre}-{i:03d}",
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
    """Problems (dev8 location + other file name only) for near-duplicates of texts in the other files."""
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
        for path in sorted(SRC8.glob("*.txt")):
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
    build.MIN_TEXTS["dev8"] = MIN_TEXTS
    shape = build.identifier_shape
    build.identifier_shape = lambda value: shape(normalise_identifier(value))  # report() names them too
    warnings = build.report("dev8", records) if records else []
    print(f"  wrote {OUT.relative_to(HERE.parent.parent)}")
    for w in warnings:
        print(f"warning: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
