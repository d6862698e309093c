"""Measure the learned pass on text neither it nor the rules had seen: leave-one-corpus-out.

Run: python corpus/firewall/validate_tagger.py [NAME ...]   (all of them when no name is given)

Each later development corpus was first evaluated untouched, at a commit whose rules had never seen it
(README.md, evaluation log). For each such corpus this script checks that commit out into a temporary
git worktree and runs its rules on the corpus (in a subprocess, so that the old package is the one
imported); trains the CRF on every other development corpus; adds the learned spans to the old rules'
findings exactly as the detector does (``learned_findings``); and scores rules alone, and rules with
the learned pass, by span overlap as ``separation eval`` does. Nothing here is tuned on a holdout.
Takes a few minutes per corpus (one CRF training each).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from train_tagger import HERE, train

from separation.firewall.fold import fold_text
from separation.firewall.learned import Tagger, learned_findings

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
}
KINDS = ("status", "question", "identifier")
_RUN_OLD = """
import json, sys
from separation.firewall import detect_many
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
json.dump([[[f.start, f.end, f.kind] for f in fs] for fs in detect_many(texts)], sys.stdout)
"""


def old_findings(name: str, commit: str, work: Path) -> list[list[tuple[int, int, str]]]:
    tree = work / f"rules-{commit}"
    if not tree.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
            check=True,
            capture_output=True,
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


def score(records: list[dict], found: list[list[tuple[int, int, str]]], counts: dict[str, list[int]]) -> None:
    for record, pred in zip(records, found, strict=True):
        for kind in KINDS:
            gold = [(s["start"], s["end"]) for s in record["spans"] if s["kind"] == kind]
            mine = [(a, b) for a, b, k in pred if k == kind]
            c = counts[kind]
            c[0] += len(mine)
            c[1] += sum(any(a < ge and gs < b for gs, ge in gold) for a, b in mine)
            c[2] += len(gold)
            c[3] += sum(any(a < ge and gs < b for a, b in mine) for gs, ge in gold)
        if record.get("hard_negative"):
            counts["hn"][0] += 1
            counts["hn"][1] += int(bool(pred))


def line(label: str, counts: dict[str, list[int]]) -> str:
    def pr(kind: str) -> str:
        p, pm, g, gm = counts[kind]
        return f"{kind} {pm / p if p else 0:.3f} / {gm / g if g else 0:.3f}"

    hn = counts["hn"]
    return f"  {label:<22} {pr('status')}   {pr('question')}   hard-negative FP {hn[1] / max(hn[0], 1):.3f}"


def main(argv: list[str]) -> int:
    names = argv or list(UNTOUCHED)
    unknown = [n for n in names if n not in UNTOUCHED]
    if unknown:
        print(f"error: no untouched commit recorded for {', '.join(unknown)}", file=sys.stderr)
        return 2
    total_rules = {k: [0, 0, 0, 0] for k in (*KINDS, "hn")}
    total_both = {k: [0, 0, 0, 0] for k in (*KINDS, "hn")}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            for name in names:
                text = (HERE / f"{name}.jsonl").read_text(encoding="utf-8")
                records = [json.loads(x) for x in text.splitlines()]
                rules = old_findings(name, UNTOUCHED[name], work)
                model = work / f"without-{name}.crfsuite"
                train(model, {name})
                tagger = Tagger(model.read_bytes())
                both = []
                for record, found in zip(records, rules, strict=True):
                    buf = fold_text(record["text"])
                    extra = learned_findings(tagger, buf, 0, len(buf), found, None)
                    both.append(found + [(x.start, x.end, x.kind) for x in extra])
                here_rules = {k: [0, 0, 0, 0] for k in (*KINDS, "hn")}
                here_both = {k: [0, 0, 0, 0] for k in (*KINDS, "hn")}
                score(records, rules, here_rules)
                score(records, both, here_both)
                score(records, rules, total_rules)
                score(records, both, total_both)
                print(f"{name} (rules at {UNTOUCHED[name]}, CRF trained without {name})")
                print(line("rules", here_rules))
                print(line("rules + learned pass", here_both), flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)
    print("all (span-overlap precision / recall)")
    print(line("rules", total_rules))
    print(line("rules + learned pass", total_both))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
