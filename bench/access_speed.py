"""Access-log auditor speed: the DuckDB engine per core beside a plain pandas ``str.contains`` loop.

    python bench/access_speed.py                 # 10,000,000 generated rows (about a minute or two)
    python bench/access_speed.py --rows 1000000  # smaller

1. Generates a network-audit log (Parquet, under bench/out/, cached) with realistic reasons, a share
   of them immigration-related, trap words ("police", "ice on the road"), case numbers appended so
   that reasons are mostly distinct, ~500 organisations including federal ones, timestamps in the
   vendor's text format.
2. Runs the auditor's own path (`engine.audit`: DuckDB scans the Parquet file, classifies the three
   axes, parses timestamps into months, and reduces to the grouped summary) with DuckDB on ONE
   thread, and prints rows/s two ways: per CPU-second of this process (the per-core figure; it does
   not move when other jobs share the machine) and per wall-clock second (it does).
3. Runs the same rules the plain way: pandas, one ``str.contains`` per rule over the rows no earlier
   rule matched (first match wins), then the same counts. pandas runs on a sample (``--pandas-rows``)
   and its rows/s is extrapolated from it; this is printed. pandas does not parse timestamps here,
   so it does less work than the engine.
4. Checks that both give the same rule for every sampled row, and prints the ratio.
5. Also times the same log as a vendor CSV (``--csv-rows``, default 1,000,000): Arrow's CSV reader
   on one thread feeding DuckDB batch by batch, the path real exports take.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from separation.access.engine import audit, classify_table, new_connection
from separation.access.reader import open_source
from separation.access.rules import Rule, RuleSet, default_rules

OUT = Path(__file__).parent / "out"

REASONS = [
    # (reason, weight): Okaloosa-like everyday reasons, traps, and immigration-related ones.
    ("investigation", 90),
    ("warrant", 70),
    ("bolo", 50),
    ("stolen vehicle", 40),
    ("theft", 30),
    ("inv", 30),
    ("missing person", 15),
    ("welfare check", 10),
    ("hit and run", 10),
    ("", 10),
    ("narcotics investigation", 8),
    ("agency assist", 8),
    ("criminal investigation", 15),
    ("police assist", 5),
    ("office burglary", 4),
    ("notice of trespass", 3),
    ("stolen device", 3),
    ("ice on the road crash", 1),
    ("black ice crash", 1),
    ("traffic crash", 6),
    ("agg assault", 5),
    ("wanted person", 10),
    ("suspicious", 5),
    ("training", 3),
    ("test", 2),
    ("***", 2),
    ("ICE+ERO", 1),
    ("ICE WARRANT", 1),
    ("immigration", 1),
    ("HSI assist", 1),
    ("deport", 1),
    ("Immigration (civil/administrative)", 1),
    ("287g", 1),
    ("ICE/ERO", 1),
    ("removal order", 1),
    ("inmigración", 1),
    ("per usbp", 1),
    ("DHS", 1),
]
FEDERAL = ["US Border Patrol - Blaine Sector", "DHS ICE ERO St Paul Field Office", "HSI Minneapolis"]


def generate(rows: int, path: Path) -> None:
    """A reproducible network-audit log of ``rows`` rows, written with DuckDB."""
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    reasons = [r for r, w in REASONS for _ in range(w)]
    con.execute(
        "CREATE TABLE reasons AS SELECT unnest($1) AS r, generate_subscripts($1, 1) - 1 AS i", [reasons]
    )
    orgs = [f"Agency {i:03d} PD" for i in range(497)] + FEDERAL
    con.execute("CREATE TABLE orgs AS SELECT unnest($1) AS o, generate_subscripts($1, 1) - 1 AS i", [orgs])
    n_reasons, n_orgs = len(reasons), len(orgs)
    con.execute(
        f"""
        COPY (
            SELECT
                'user' || (g % 5000)::VARCHAR AS "Name",
                o.o AS "Org Name",
                (CASE WHEN g % 7 = 0 THEN 840 + g % 6000 ELSE 1 + g % 3 END)::VARCHAR
                    AS "Total Networks Searched",
                (12 + g % 900)::VARCHAR AS "Total Devices Searched",
                strftime(ts - INTERVAL 1 DAY, '%m/%d/%Y, %I:%M:%S %p UTC') || chr(10) ||
                    strftime(ts, '%m/%d/%Y, %I:%M:%S %p UTC') AS "Time Frame",
                'P' || (g % 999983)::VARCHAR AS "License Plate",
                CASE WHEN g % 11 = 0 THEN '' ELSE '25-' || (g % 200000)::VARCHAR END AS "Case #",
                '' AS "Filters",
                CASE WHEN g % 3 = 0 AND r.r <> '' THEN r.r || ' 25-' || (g % 900001)::VARCHAR ELSE r.r END
                    AS "Reason",
                strftime(ts, '%m/%d/%Y, %I:%M:%S %p UTC') AS "Search Date/Time"
            FROM (
                SELECT range AS g,
                       TIMESTAMP '2025-01-01' + to_seconds((hash(range) % 31536000)::BIGINT) AS ts,
                       (hash(range * 7 + 1) % {n_reasons})::BIGINT AS ri,
                       (hash(range * 13 + 5) % {n_orgs})::BIGINT AS oi
                FROM range({rows})
            ) s
            JOIN reasons r ON r.i = s.ri
            JOIN orgs o ON o.i = s.oi
            ORDER BY g
        ) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 262144)
        """
    )
    con.close()


# -- the plain pandas way -----------------------------------------------------------------------


def _pandas_axis(frame: pd.DataFrame, rules: tuple[Rule, ...], columns: dict[str, pd.Series]) -> pd.Series:
    result = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    remaining = pd.Series(True, index=frame.index)
    for rule in rules:
        if not remaining.any():
            break
        column = columns.get(rule.field)
        if rule.unconditional:
            hit = remaining
        elif column is None:
            continue
        elif rule.pattern is not None:
            # Non-capturing groups only so pandas does not warn; same regex otherwise.
            pattern = rule.pattern.replace("(?:", "(").replace("(", "(?:").replace("\\(?:", "\\(")
            hit = remaining & column.str.contains(
                pattern, flags=re.IGNORECASE | re.ASCII, regex=True, na=False
            )
        elif rule.values is not None:
            hit = remaining & column.str.strip().str.lower().isin(rule.values)
        elif rule.at_least is not None:
            hit = remaining & (column >= rule.at_least)
        else:
            hit = remaining & column.notna() & (column.str.strip() == "")
        result[hit] = rule.id
        remaining &= ~hit
    return result


def pandas_audit(frame: pd.DataFrame, rules: RuleSet) -> tuple[pd.DataFrame, pd.Series]:
    def number(name: str) -> pd.Series:
        return pd.to_numeric(frame[name].str.replace(",", "", regex=False).str.strip(), errors="coerce")

    columns = {
        "reason": frame["Reason"].fillna(""),
        "org": frame["Org Name"],
        "user": frame["Name"],
        "filters": frame["Filters"],
        "case_number": frame["Case #"],
        "networks": number("Total Networks Searched"),
        "devices": number("Total Devices Searched"),
    }
    out = pd.DataFrame(
        {
            "who_rule": _pandas_axis(frame, rules.who, columns),
            "why_rule": _pandas_axis(frame, rules.why, columns),
            "how_rule": _pandas_axis(frame, rules.how, columns),
        }
    )
    categories = {r.id: r.category for r in rules.why}
    out["category"] = out["why_rule"].map(categories)
    counts = out.groupby(["category", "why_rule"], dropna=False).size()
    return out, counts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows in the generated log")
    parser.add_argument(
        "--pandas-rows", type=int, default=300_000, help="rows of the sample pandas classifies"
    )
    parser.add_argument(
        "--csv-rows", type=int, default=1_000_000, help="rows of the vendor-CSV run (0: skip)"
    )
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"access_log_{args.rows}.parquet"
    if not path.exists():
        t0 = time.perf_counter()
        generate(args.rows, path)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f}s -> {path}")
    rules = default_rules()

    # The auditor's own path, one thread for DuckDB and Arrow: the per-core figure.
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    summary = audit([path], rules=rules, threads=1)
    engine_wall, engine_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    engine_rate = summary.rows / engine_cpu
    print(
        f"duckdb engine, 1 thread : {summary.rows:,} rows, {engine_cpu:.2f} CPU-s = "
        f"{engine_rate:,.0f} rows/s per core "
        f"({summary.rows / engine_wall:,.0f} rows/s wall-clock, {engine_wall:.2f}s); "
        "scan Parquet + 3 axes + months + summary"
    )
    print(
        f"  found: {summary.immigration:,} immigration-enforcement by reason, {summary.federal:,} by federal "
        f"agencies, {summary.categories['vague_or_missing']:,} vague, {summary.flagged:,} flagged"
    )

    if args.csv_rows:
        # The same log as the vendor's CSV (two-line Time Frame cells and all): Arrow's CSV reader
        # feeding DuckDB batch by batch, both on one thread.
        csv_path = OUT / f"access_log_{args.csv_rows}.csv"
        if not csv_path.exists():
            duckdb.sql(
                f"COPY (SELECT * FROM '{path}' LIMIT {int(args.csv_rows)}) "
                f"TO '{csv_path}' (HEADER, DELIMITER ',')"
            )
        wall0, cpu0 = time.perf_counter(), time.process_time()
        csv_summary = audit([csv_path], rules=rules, threads=1)
        csv_wall, csv_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        print(
            f"vendor CSV, 1 thread    : {csv_summary.rows:,} rows, {csv_cpu:.2f} CPU-s = "
            f"{csv_summary.rows / csv_cpu:,.0f} rows/s per core "
            f"({csv_summary.rows / csv_wall:,.0f} rows/s wall-clock); "
            "parse CSV + the same audit"
        )

    # pandas on a sample of the same data, the same rules, first match wins.
    sample = pq.ParquetFile(path).read_row_groups([0, 1]).slice(0, args.pandas_rows)
    frame = sample.to_pandas()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    out, _counts = pandas_audit(frame, rules)
    pandas_wall, pandas_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    pandas_rate = len(frame) / pandas_cpu
    print(
        f"pandas str.contains loop: {len(frame):,}-row sample, {pandas_cpu:.2f} CPU-s = "
        f"{pandas_rate:,.0f} rows/s "
        f"per core ({len(frame) / pandas_wall:,.0f} rows/s wall-clock); rate extrapolated from the sample; "
        "no timestamp parsing"
    )

    # Same answers on the sample?
    sample_path = OUT / "access_sample.parquet"
    pq.write_table(sample, sample_path)
    source = open_source(sample_path, None)
    table = pa.Table.from_batches(list(source.batches()))
    mine = classify_table(new_connection(1), table, rules, frozenset(source.fields)).to_pandas()
    differ = 0
    for axis in ("who_rule", "why_rule", "how_rule"):
        left = mine[axis].fillna("-").to_numpy()
        right = out[axis].fillna("-").to_numpy()
        differ += int((left != right).sum())
    print(f"same rule on every sampled row and axis: {'yes' if differ == 0 else f'NO ({differ} differ)'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"ratio duckdb / pandas (per core): {engine_rate / pandas_rate:.1f}x")
    print(f"target >= 1,000,000 rows/s per core: {'met' if engine_rate >= 1_000_000 else 'NOT met'}")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
