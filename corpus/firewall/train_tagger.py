"""Train the firewall's learned pass (a CRF, ``separation.firewall.learned``) on the development corpora.

Run: python corpus/firewall/train_tagger.py [--out PATH] [--leave-out NAME ...]

Trains on every hand-written development corpus (dev, dev2 … dev17 but the templated dev16), never
on a holdout; writes the model to the package's knowledge folder, where the detector reads it.
Training is deterministic (L-BFGS over the corpora in a fixed order), so the same corpora give the
same model. ``--leave-out`` trains without the named corpora (``validate_tagger.py`` uses it to
measure the pass on text it was not trained on).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pycrfsuite  # type: ignore[import-untyped]

from separation.firewall.fold import fold_text
from separation.firewall.learned import cue_words, features, labels, tokens

HERE = Path(__file__).resolve().parent
# Every hand-written development corpus. dev16 is left out: it was filled from templates, and a
# template seen many times would weigh more than the wording of one writer.
TRAIN = ["dev", *(f"dev{n}" for n in range(2, 18) if n != 16)]
MODEL = HERE.parent.parent / "src" / "separation" / "firewall" / "knowledge" / "tagger.crfsuite"
# Beside the model: what it was trained on, so a test notices a corpus changed without a retraining.
MANIFEST = MODEL.with_name("tagger.json")
# c2 chosen leave-one-corpus-out (validate_tagger.py): 0.1 kept status recall and cut false positives
# against 0.01; 0.3 and 1.0 cost recall.
PARAMS = {"c1": 0.1, "c2": 0.1, "max_iterations": 150, "feature.possible_transitions": True}


def examples(name: str) -> list[tuple[list[list[str]], list[str]]]:
    out = []
    for line in (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        buf = fold_text(record["text"])
        toks = tokens(buf, 0, len(buf))
        if toks:
            spans = [(s["start"], s["end"], s["kind"]) for s in record["spans"]]
            out.append((features(buf, toks), labels(toks, spans)))
    return out


def train(out: Path, leave_out: set[str], params: dict[str, object] | None = None) -> int:
    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for name in TRAIN:
        if name in leave_out:
            continue
        for xseq, yseq in examples(name):
            trainer.append(xseq, yseq)
            count += 1
    trainer.set_params({**PARAMS, **(params or {})})
    trainer.train(str(out))
    return count


def manifest(count: int) -> dict[str, object]:
    """The corpora (by SHA-256), parameters and text count of a model trained on all of them, and its
    cue words (the detector reads them here rather than from the model, for a fast start)."""
    return {
        "corpora": {n: hashlib.sha256((HERE / f"{n}.jsonl").read_bytes()).hexdigest() for n in TRAIN},
        "params": PARAMS,
        "texts": count,
        "cues": cue_words(MODEL.read_bytes()),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument("--leave-out", nargs="*", default=[])
    args = parser.parse_args(argv)
    unknown = set(args.leave_out) - set(TRAIN)
    if unknown:
        print(f"error: not a development corpus: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    count = train(args.out, set(args.leave_out))
    if args.out == MODEL and not args.leave_out:
        MANIFEST.write_text(json.dumps(manifest(count), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"trained on {count} texts -> {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
