"""A digest of every finding on the development corpora and a benchmark sample.

    python bench/firewall_findings_digest.py            # prints one SHA-256 per corpus

Run it before and after a change to the engine or the hot path (not the knowledge): equal digests mean
identical findings (offsets, kinds, scores, rules) — a speed change must not move a single one. It
prints digests and counts only, never text.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT / "corpus" / "firewall" / "dev.jsonl", ROOT / "corpus" / "firewall" / "dev2.jsonl"]
BENCH = ROOT / "bench" / "out" / "firewall_records_20mb.jsonl"


def _texts(path: Path, limit: int | None = None) -> list[str]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line)["text"])
            if limit and len(out) >= limit:
                break
    return out


def main() -> None:
    from separation.firewall import detect, detect_many

    for path in [*CORPORA, BENCH]:
        if not path.exists():
            print(f"{path.relative_to(ROOT)}: missing", file=sys.stderr)
            continue
        texts = _texts(path, 100_000)
        found = detect_many(texts)
        digest = hashlib.sha256()
        for fs in found:
            digest.update(json.dumps([f.to_dict() for f in fs]).encode())
        single = (
            "" if len(texts) > 5000 else f", single-text calls agree: {found == [detect(t) for t in texts]}"
        )
        n = sum(len(f) for f in found)
        print(
            f"{path.relative_to(ROOT)}: {len(texts)} texts, {n} findings, {digest.hexdigest()[:16]}{single}"
        )


if __name__ == "__main__":
    main()
