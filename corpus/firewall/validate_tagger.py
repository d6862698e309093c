"""Measure the learned pass on text neither it nor the rules had seen: leave-one-corpus-out.

Run: python corpus/firewall/validate_tagger.py [NAME ...] [--c2 X] [--min-score S]   (all corpora when
no name is given; --c2 and --min-score try another regularisation or a score threshold)

Each later development corpus was first evaluated untouched, at a commit whose rules had never seen it
(README.md, evaluation log). For each such corpus this script checks that commit out into a temporary
git worktree and runs its rules on the corpus (in a subprocess, so that the old package is the one
imported); trains the CRF on every other development corpus; adds the learned spans to the old rules'
findings exactly as the detector does (``Detector.learned_only``); and scores rules alone, and rules with
the learned pass, by span overlap as ``separation eval`` does. Nothing here is tuned on a holdout.
Takes a few minutes per corpus (one CRF training each).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from train_tagger import HERE, train

from separation.firewall.detector import Detector
from separation.firewall.evaluate import Record, evaluate, parse_record
from separation.firewall.finding import Finding
from separation.firewall.learned import Tagger

ROOT = HERE.parent.parent
# corpus -> the commit whose rules had not seen it (README.md, evaluation log)
UNTOUCHED = {
    "dev2": "ee6732a",
    "dev3": "fdcbc43",
    "dev4": "8789d2d",
    "dev5": "a5420bc",
    "dev6": "b0d01d8",
    "dev7": "41575cd",
    "dev8": "83b7bdd",
    "dev9": "55fe23d",
    "dev10": "c774108",
    "dev11": "c774108",
    "dev12": "aacea6c",
    "dev13": "aacea6c",
    "dev14": "aacea6c",
    "dev15": "f6b031f",
    "dev16": "f6b031f",
    "dev17": "f6b031f",
}
# The rules alone: versions with the learned pass turn it off, older ones have none.
_RUN_OLD = """
import json, sys
from separation.firewall import Detector
try:
    detector = Detector(learned=False)
except TypeError:
    detector = Detector()
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
json.dump([[[f.start, f.end, f.kind] for f in fs] for fs in detector.detect_many(texts)], sys.stdout)
"""


def old_findings(name: str, commit: str, work: Path) -> list[list[tuple[int, int, str]]]:
    tree = work / f"rules-{commit}"
    if not tree.exists():
        added = subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
            check=False,
            capture_output=True,
        )
        if added.returncode != 0:
            # A shallow clone lacks the old commits this measure needs.
            raise SystemExit(
                f"error: cannot check out {commit} (the rules that had not seen {name}); "
                "run this in a full clone of the repository"
            )
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "SEPARATION_CACHE_DIR": ""}
    out = subprocess.run(
        [sys.executable, "-c", _RUN_OLD, str(HERE / f"{name}.jsonl")],
        check=True,
        capture_output=True,
        env=env,
        cwd=work,
    ).stdout
    return [[(s, e, k) for s, e, k in fs] for fs in json.loads(out)]


def figures(records: list[Record], found: list[list[tuple[int, int, str]]]) -> str:
    """Span-overlap precision / recall and the hard-negative rate, as ``separation eval`` scores them."""
    findings = [[Finding(s, e, k, 1.0, "", "") for s, e, k in fs] for fs in found]
    report = evaluate(records, lambda texts: findings)

    def pr(kind: str) -> str:
        precision, recall = report.figure(kind, "precision") or 0, report.figure(kind, "recall") or 0
        return f"{kind} {precision:.3f} / {recall:.3f}"

    return f"{pr('status')}   {pr('question')}   hard-negative FP {report.hard_negative_fp_rate() or 0:.3f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="corpora (default: all)")
    parser.add_argument("--c2", type=float, help="another L2 weight for the CRF (default: the trainer's)")
    parser.add_argument("--min-score", type=float, default=0.0, help="learned spans below it not counted")
    args = parser.parse_args(argv)
    names = args.names or list(UNTOUCHED)
    params = {} if args.c2 is None else {"c2": args.c2}
    unknown = [n for n in names if n not in UNTOUCHED]
    if unknown:
        print(f"error: no untouched commit recorded for {', '.join(unknown)}", file=sys.stderr)
        return 2
    all_records: list[Record] = []
    all_rules: list[list[tuple[int, int, str]]] = []
    all_both: list[list[tuple[int, int, str]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            for name in names:
                lines = (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
                records = [parse_record(json.loads(x), f"{name}:{i}") for i, x in enumerate(lines, 1)]
                rules = old_findings(name, UNTOUCHED[name], work)
                model = work / f"without-{name}.crfsuite"
                train(model, {name}, params)
                detector = Detector(tagger=Tagger(model.read_bytes()))
                both = []
                for record, found in zip(records, rules, strict=True):
                    extra = detector.learned_only(record.text, found)
                    kept = [(x.start, x.end, x.kind) for x in extra if x.score >= args.min_score]
                    both.append(found + kept)
                print(f"{name} (rules at {UNTOUCHED[name]}, CRF trained without {name})")
                print(f"  rules                  {figures(records, rules)}")
                print(f"  rules + learned pass   {figures(records, both)}", flush=True)
                all_records += records
                all_rules += rules
                all_both += both
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)
    print("all (span-overlap precision / recall)")
    print(f"  rules                  {figures(all_records, all_rules)}")
    print(f"  rules + learned pass   {figures(all_records, all_both)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
