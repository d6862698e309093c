"""The local engine: stream each file's batches through DuckDB, one bounded batch at a time.

Memory stays bounded by the batch size: a batch is read, classified by one SQL query (no Python
loop over rows), reduced to grouped counts for the summary, and its flagged rows are handed to a
sink before the next batch is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from separation.access.profiles import Profile, builtin_profiles
from separation.access.reader import DEFAULT_BATCH_ROWS, LogSource, open_source
from separation.access.rules import RuleSet, default_rules
from separation.access.sql import classify_sql
from separation.access.summary import SourceSummary, Summary
from separation.errors import InputError

__all__ = ["FlaggedSink", "audit", "classify_table", "expand_inputs", "new_connection"]

# Receives, per batch, the flagged rows of one file (row, category, rule, ... columns).
FlaggedSink = Callable[[str, pa.Table], None]
LOG_EXTENSIONS = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
_MAX_FILES = 10_000

_GROUP_SQL = """
SELECT org, month, who_rule, why_rule, how_rule,
       count(*) AS n, count(*) FILTER (WHERE flagged) AS flagged,
       count(*) FILTER (WHERE networks_n > 1) AS multi, max(networks_n) AS max_networks
FROM cls GROUP BY ALL
"""
_FLAGGED_COLUMNS = (
    "row",
    "category",
    "rule",
    "federal_immigration_agency",
    "who_rule",
    "why_rule",
    "how_rule",
)
_FLAGGED_CONTEXT = ("org", "searched_at")
_IDENTIFIERS = ("user", "plate", "case_number", "reason")


@dataclass(frozen=True)
class _Input:
    path: Path
    name: str


def expand_inputs(paths: Iterable[Path]) -> list[_Input]:
    """Files as given, and every log file under a folder (sorted), named relative to that folder."""
    found: list[_Input] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in LOG_EXTENSIONS:
                    found.append(_Input(child, str(child.relative_to(path))))
        elif path.is_file():
            found.append(_Input(path, str(path)))
        else:
            raise InputError("no such file or folder", where=str(path))
        if len(found) > _MAX_FILES:
            raise InputError(f"more than {_MAX_FILES} log files", where=str(path))
    if not found:
        raise InputError("no log files (.csv, .tsv, .jsonl, .ndjson, .parquet) found")
    return found


def new_connection(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with insertion order kept (row numbers stay in file order)."""
    con = duckdb.connect(":memory:")
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = true")
    return con


def classify_table(
    con: duckdb.DuckDBPyConnection,
    batch: pa.RecordBatch | pa.Table,
    rules: RuleSet,
    present: frozenset[str],
    *,
    identifiers: bool = False,
    guarded: bool = True,
) -> pa.Table:
    """Classify one canonical batch; one output row per input row, in input order."""
    con.register("src", batch)
    try:
        table: pa.Table = con.sql(
            classify_sql(rules, present, guarded=guarded, identifiers=identifiers)
        ).to_arrow_table()
    finally:
        con.unregister("src")
    return table


def _batches(source: LogSource) -> Iterator[pa.RecordBatch]:
    try:
        yield from source.batches()
    except OSError as exc:
        raise InputError(f"cannot read ({type(exc).__name__})", where=source.name) from None


def audit(
    paths: Iterable[Path],
    *,
    profile: Profile | None = None,
    rules: RuleSet | None = None,
    sink: FlaggedSink | None = None,
    include_identifiers: bool = False,
    threads: int | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Summary:
    """Audit every log file: returns the summary, hands flagged rows to ``sink`` as it goes."""
    ruleset = rules or default_rules()
    summary = Summary(ruleset)
    candidates = builtin_profiles()
    inputs = expand_inputs(paths)
    sources = [
        open_source(i.path, profile, name=i.name, candidates=candidates, batch_rows=batch_rows)
        for i in inputs
    ]
    con = new_connection(threads)
    try:
        for source in sources:
            present = frozenset(source.fields)
            for batch in _batches(source):
                cls = classify_table(
                    con, batch, ruleset, present, identifiers=include_identifiers and sink is not None
                )
                _count(con, cls, summary)
                if sink is not None:
                    _emit(cls, source.name, sink, include_identifiers)
            summary.sources.append(
                SourceSummary(
                    file=source.name,
                    profile=source.profile.id,
                    format=source.fmt,
                    fields=source.fields,
                    rows=source.rows,
                    rows_read=source.rows - source.malformed_count,
                    malformed_count=source.malformed_count,
                    malformed=[{"line": m.line, "problem": m.problem} for m in source.malformed],
                )
            )
    finally:
        con.close()
    return summary


def _count(con: duckdb.DuckDBPyConnection, cls: pa.Table, summary: Summary) -> None:
    con.register("cls", cls)
    try:
        groups = con.execute(_GROUP_SQL).fetchall()
    finally:
        con.unregister("cls")
    for org, month, who, why, how, n, flagged, multi, max_networks in groups:
        summary.add_group(
            org=org,
            month=month,
            who=who,
            why=why,
            how=how,
            count=int(n),
            flagged=int(flagged),
            multi_network=int(multi),
            max_networks=None if max_networks is None else int(max_networks),
        )


def _emit(cls: pa.Table, name: str, sink: FlaggedSink, include_identifiers: bool) -> None:
    flagged = cls.filter(cls.column("flagged"))
    if flagged.num_rows == 0:
        return
    columns = [*_FLAGGED_COLUMNS, *_FLAGGED_CONTEXT]
    if include_identifiers:
        columns += [c for c in _IDENTIFIERS if c in flagged.schema.names]
    sink(name, flagged.select(columns))
