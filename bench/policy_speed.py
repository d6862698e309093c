"""Decision engine speed, measured side by side in one run (issue 2).

    python bench/policy_speed.py [--requests 100000]

Prints:
1. engine: ``decide()`` calls per second on one core, on two request mixes (the packs' worked
   examples with varied dates, ids and descriptions; and requests with random facts);
2. pipeline: the ``triage --json`` path over N JSON Lines (validate, decide, serialise) against
   merely parsing and re-serialising the same lines with the same JSON library (orjson). The
   ratio is the figure that matters; it is printed with and without the decision memo;
3. the real CLI end to end (``separation triage FILE --json``) against ``python -c`` doing the
   orjson round trip, both as subprocesses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from separation.policy import Ask, Pack, Request, decide, load_pack
from separation.policy.batch import BatchTriage
from separation.policy.engine import _prepare
from separation.policy.intake import parse_request
from separation.policy.model import Document, Item, Purpose, ResourceType, Signer

OUT = Path(__file__).parent / "out"
AGENCY_SPELLINGS = [
    "ICE ERO",
    "ICE-ERO St. Paul",
    "HSI",
    "ICE HSI",
    "CBP",
    "FBI",
    "DEA",
    "FEMA",
    "USBP",
    "DHS",
]


def scenario_mix(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Requests shaped like the worked examples, as a clerk would file them, over 18 months."""
    bases = [dict(s["request"]) for name in ("minneapolis",) for _, s in load_pack(name).scenarios]
    start = dt.datetime(2025, 6, 1, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    out = []
    for i in range(n):
        base = dict(rng.choice(bases))
        when = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 540))
        base["received_at"] = when.isoformat()
        base["id"] = f"REQ-{i:07d}"
        base["description"] = f"narrative {rng.random():.12f} " * rng.randrange(1, 6)
        out.append(base)
    return out


def random_mix(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Requests with random facts: a worst case for any memo, since patterns rarely repeat."""
    out = []
    for i in range(n):
        raw: dict[str, Any] = {
            "id": f"RND-{i:07d}",
            "received_at": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}T10:00:00-06:00",
            "requester": {"agency": rng.choice(AGENCY_SPELLINGS), "identified": rng.random() > 0.05},
            "asks": rng.sample([a.value for a in Ask], rng.randrange(1, 4)),
        }
        if rng.random() < 0.8:
            raw["purpose"] = rng.choice([p.value for p in Purpose])
        if rng.random() < 0.5:
            raw["process"] = {
                "document": rng.choice([d.value for d in Document]),
                "signed_by": rng.choice([s.value for s in Signer]),
            }
        if rng.random() < 0.4:
            raw["items"] = rng.sample([i.value for i in Item], rng.randrange(1, 3))
        if rng.random() < 0.3:
            raw["resource"] = {"type": rng.choice([r.value for r in ResourceType]), "city_controlled": True}
        if rng.random() < 0.3:
            raw["offenses"] = [
                rng.choice(["8 U.S.C. 1324", "8 U.S.C. 1326", "21 U.S.C. 841", "18 U.S.C. 1591"])
            ]
        out.append(raw)
    return out


def _answer_key(request: Request, pack: Pack) -> tuple[object, ...]:
    """What an answer depends on (as the engine's memo keys it): version, asks and facts."""
    _received, version, facts, asks = _prepare(request, pack, None)
    return (version.id, asks, tuple(facts.values()))


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rng = random.Random(7)
    n = args.requests

    started = time.perf_counter()
    pack = load_pack("minneapolis")
    compile_ms = (time.perf_counter() - started) * 1000
    print(f"pack compiled once in {compile_ms:.0f} ms ({len(pack.versions)} versions)")

    print(f"\n1. engine: decide() on one core, {n:,} requests")
    for label, raws in (("worked-example mix", scenario_mix(n, rng)), ("random facts", random_mix(n, rng))):
        requests = [Request.model_validate(r) for r in raws]

        def one_pass(rs: list[Request] = requests) -> None:
            pack.memo.clear()  # every pass starts cold: no answer carried over from the last one
            for r in rs:
                decide(r, pack)

        seconds = best_of(args.repeats, one_pass)
        answers = len({_answer_key(r, pack) for r in requests})
        print(f"   {label:<20} {n / seconds:>10,.0f} decisions/s   (target 50,000)")
        print(f"   {'':<20} {answers:,} distinct (version, facts) answers among them")

    OUT.mkdir(exist_ok=True)
    path = OUT / "requests.jsonl"
    lines = [orjson.dumps(r) for r in scenario_mix(n, rng)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    size_mb = path.stat().st_size / 1e6
    print(f"\n2. pipeline over {n:,} JSON Lines ({size_mb:.1f} MB, worked-example mix), in process")

    def baseline() -> None:
        sink = io.BytesIO()
        for line in lines:
            sink.write(orjson.dumps(orjson.loads(line)))
            sink.write(b"\n")

    def triage_memo() -> None:
        pack.memo.clear()
        batch = BatchTriage(pack)  # what `triage --json` runs
        sink = io.BytesIO()
        for number, line in enumerate(lines, start=1):
            sink.write(batch.decide_line(line, f"line {number}"))
            sink.write(b"\n")

    def triage_plain() -> None:
        sink = io.BytesIO()
        for line in lines:
            decision = decide(parse_request(line), pack)
            sink.write(decision.model_dump_json(exclude={"trace"}).encode())
            sink.write(b"\n")

    base = best_of(args.repeats, baseline)
    memo = best_of(args.repeats, triage_memo)
    distinct = len({_answer_key(parse_request(line), pack) for line in lines})
    plain = best_of(1, triage_plain)

    def row(label: str, seconds: float, note: str = "") -> None:
        print(f"   {label:<29}{seconds:7.3f} s {n / seconds:>10,.0f} lines/s{note}")

    row("orjson parse + re-serialise", base)
    row("triage --json path", memo, f"   ratio {memo / base:5.2f}x (target <= 5x)")
    print(f"      {distinct:,} distinct (version, facts) answers among the {n:,} requests")
    row("without memos (full model)", plain, f"   ratio {plain / base:5.2f}x")

    print("\n3. the real commands end to end (subprocesses, including interpreter start-up)")
    cli = [sys.executable, "-m", "separation", "triage", str(path), "--json"]
    peer = [
        sys.executable,
        "-c",
        "import orjson,sys\nw=sys.stdout.buffer.write\nfor l in open(sys.argv[1],'rb'):\n"
        "    w(orjson.dumps(orjson.loads(l)));w(b'\\n')",
        str(path),
    ]
    run = lambda cmd: subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # noqa: E731
    cli_s = best_of(1, lambda: run(cli))
    peer_s = best_of(1, lambda: run(peer))
    print(f"   separation triage --json     {cli_s:7.3f} s")
    print(f"   python orjson round trip     {peer_s:7.3f} s   ratio {cli_s / peer_s:5.2f}x")


if __name__ == "__main__":
    main()
