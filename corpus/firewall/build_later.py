"""Build the later corpora (dev2 … dev17, holdout2, holdout3) from their folders, with one set of checks.

Run: python corpus/firewall/build_later.py [NAME ...]   (all of them when no name is given; stdlib only;
exit 1 if a source, a span or a similarity check fails)

Each of these corpora was written by a different hand, without reading the detector or any other
corpus (see README.md). Sources are ``<folder>/<lang>_<genre>.txt`` in the markup of README.md; the
span, markup and identifier-shape checks are build.py's own functions. Identifier shapes are checked
case-insensitively and with dots read as dashes (``a213…``, ``A 212.480.375`` are real spellings). On
top of them a text is rejected when it is a near-duplicate of a text in any other corpus file of this
folder: the same letters-only fingerprint, or a 4-word-sequence Jaccard similarity above 0.2. Other
files are compared by code only; a failure names this corpus's source line and the other file, never
the other text (the holdouts must stay unread).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402  (the first corpus's builder, reused for parsing and checks)


@dataclass(frozen=True)
class Corpus:
    folder: str  # sources, under corpus/firewall/
    prefix: str  # ids are <prefix>-<lang>-<genre>-<n>
    min_texts: int  # fewer texts is a warning in the report


CORPORA = {
    "dev2": Corpus("src2", "d2", 450),
    "dev3": Corpus("src3", "d3", 450),
    "dev4": Corpus("src4", "d4", 400),
    "dev5": Corpus("src5", "d5", 400),
    "dev6": Corpus("src6", "d6", 400),
    "dev7": Corpus("src7", "d7", 400),
    "dev8": Corpus("src8", "d8", 380),
    "dev9": Corpus("src9", "d9", 380),
    "holdout2": Corpus("src_holdout2", "holdout2", 450),
    "dev10": Corpus("src10", "d10", 400),
    "dev11": Corpus("src11", "d11", 400),
    "holdout3": Corpus("src_holdout3", "holdout3", 400),
    "dev12": Corpus("src12", "d12", 400),
    "dev13": Corpus("src13", "d13", 400),
    "dev14": Corpus("src14", "d14", 400),
    "dev15": Corpus("src15", "d15", 350),
    "dev16": Corpus("src16", "d16", 350),
    "dev17": Corpus("src17", "d17", 350),
}
FILE_NAME = re.compile(r"^(en|es)_([a-z0-9_]+)\.txt$")
MAX_JACCARD = 0.2
WORD = re.compile(r"\w+")


def normalise_identifier(value: str) -> str:
    return value.upper().replace(".", "-")


def read_source(corpus: Corpus, path: Path) -> list[dict[str, object]]:
    m = FILE_NAME.match(path.name)
    if m is None:
        raise build.SourceError(f"{path.name}: name must be <lang>_<genre>.txt")
    lang, genre = m.groups()
    if genre not in build.GENRES:
        raise build.SourceError(f"{path.name}: unknown genre {genre!r}")
    records = []
    for i, (line_no, lines) in enumerate(build.read_blocks(path), 1):
        where = f"{corpus.folder}/{path.name}:{line_no}"
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
                "id": f"{corpus.prefix}-{lang}-{genre}-{i:03d}",
                "text": text,
                "spans": spans,
                "lang": lang,
                "genre": genre,
                "hard_negative": hard,
                "_where": where,
            }
        )
    return records


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return frozenset(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def check_against_others(name: str, records: list[dict[str, object]]) -> list[str]:
    """Problems (this corpus's location + the other file's name only) for near-duplicates."""
    problems: list[str] = []
    for path in sorted(HERE.glob("*.jsonl")):
        if path.name == f"{name}.jsonl":
            continue
        texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line]
        prints = {build.fingerprint(t) for t in texts}
        others = [shingles(t) for t in texts]
        for r in records:
            text = str(r["text"])
            if build.fingerprint(text) in prints:
                problems.append(f"{r['_where']}: same wording as a text in {path.name}")
                continue
            best = max((jaccard(shingles(text), o) for o in others), default=0.0)
            if best > MAX_JACCARD:
                problems.append(f"{r['_where']}: 4-word Jaccard {best:.2f} with a text in {path.name}")
    return problems


def build_one(name: str, out: Path | None = None) -> int:
    corpus = CORPORA[name]
    try:
        records: list[dict[str, object]] = []
        for path in sorted((HERE / corpus.folder).glob("*.txt")):
            records.extend(read_source(corpus, path))
        seen: dict[str, str] = {}
        for r in records:
            fp = build.fingerprint(str(r["text"]))
            if fp in seen:
                raise build.SourceError(f"{r['_where']}: same wording as {seen[fp]}")
            seen[fp] = str(r["_where"])
    except (build.SourceError, OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problems = check_against_others(name, records)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        return 1
    target = out or HERE / f"{name}.jsonl"
    with target.open("w", encoding="utf-8", newline="\n") as fh:
        for r in records:
            public = {k: v for k, v in r.items() if not k.startswith("_")}
            fh.write(json.dumps(public, ensure_ascii=False) + "\n")
    build.MIN_TEXTS[name] = corpus.min_texts
    warnings = build.report(name, records) if records else []
    print(f"  wrote {target.name}")
    for w in warnings:
        print(f"warning: {w}")
    return 0


def main(argv: list[str]) -> int:
    names = argv or list(CORPORA)
    unknown = [n for n in names if n not in CORPORA]
    if unknown:
        print(f"error: unknown corpus {', '.join(unknown)} (known: {', '.join(CORPORA)})", file=sys.stderr)
        return 2
    shape = build.identifier_shape
    build.identifier_shape = lambda value: shape(normalise_identifier(value))  # report() names them too
    return max(build_one(name) for name in names)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
