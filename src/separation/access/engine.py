"""The local engine: every log file through DuckDB, with no Python loop over rows.

CSV and JSON Lines go through our reader in bounded batches: each batch is classified by one SQL
query, reduced to grouped counts for the summary, and its flagged rows are handed to the sink before
the next batch is read. Parquet is scanned by DuckDB itself, one streaming query for the counts and
(with a sink) one for the flagged rows. Either way memory stays bounded: by the batch size, and by
DuckDB's ``memory_limit`` beyond which its aggregations, joins and sorts spill to disk.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from separation.access.profiles import CANONICAL_FIELDS, Profile, builtin_profiles
from separation.access.reader import DEFAULT_BATCH_ROWS, LogSource, open_source
from separation.access.rules import CATEGORIES, RuleSet, default_rules
from separation.access.sql import (
    GROUPED_COUNTS,
    TIMESTAMP_FORMATS,
    classify_sql,
    counts_sql,
    rule_ids,
    sql_text,
)
from separation.access.summary import SourceSummary, Summary
from separation.errors import InputError

__all__ = ["FlaggedSink", "audit", "classify_table", "expand_inputs", "new_connection", "time_hint"]

# Receives, per batch, the flagged rows of one file (row, category, rule, ... columns).
FlaggedSink = Callable[[str, pa.Table], None]
LOG_EXTENSIONS = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
_MAX_FILES = 10_000

_GROUP_SQL = GROUPED_COUNTS.format(source="cls")
_FLAGGED_SQL = """
SELECT row, {categories}[category_code + 1] AS category, {names}[rule_code] AS rule,
       federal_immigration_agency,
       {names}[who_code] AS who_rule, {names}[why_code] AS why_rule, {names}[how_code] AS how_rule,
       nullif(trim(org), '') AS org, strftime(ts, '%Y-%m-%dT%H:%M:%S') AS searched_at{identifiers}
FROM cls WHERE flagged ORDER BY row
"""
_IDENTIFIERS = ", user, plate, case_number, reason"
_HINT_SAMPLE = 200
_EXPORT_BATCH = 65_536
_MEMORY_LIMIT = "2GB"


@dataclass(frozen=True)
class _Input:
    path: Path
    name: str
    from_folder: bool = False


def expand_inputs(paths: Iterable[Path]) -> list[_Input]:
    """Files as given, and every log file under a folder (sorted), named relative to that folder."""
    found: list[_Input] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in LOG_EXTENSIONS:
                    found.append(_Input(child, str(child.relative_to(path)), from_folder=True))
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
    con.execute("SET TimeZone = 'UTC'")  # offsets in timestamps are read as instants, shown in UTC
    # Bounded memory: beyond this, DuckDB's aggregations, joins and sorts spill to disk.
    con.execute(f"SET memory_limit = '{_MEMORY_LIMIT}'")
    spill = Path(tempfile.gettempdir()) / "separation-access-spill"
    con.execute("SET temp_directory = ?", [str(spill)])
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


def time_hint(sample: list[Any]) -> str | None:
    """The format most of a sample of search times are in, to be tried first.

    Only an ordering hint: every format is still tried for the values this one does not fit.
    """
    values = [v for v in sample[:_HINT_SAMPLE] if isinstance(v, str) and v.strip()]
    best, best_count = None, 0
    for fmt in TIMESTAMP_FORMATS:
        count = 0
        for value in values:
            try:
                datetime.strptime(value, fmt)
            except ValueError:
                continue
            count += 1
        if count > best_count:
            best, best_count = fmt, count
    return best


def _hints(samples: dict[str, list[Any]]) -> tuple[str | None, str | None]:
    """Format hints for the search time and for the start of the time frame (first line of the cell)."""
    frame = [v.replace("\r", "").split("\n")[0].strip() for v in samples["time_frame"] if isinstance(v, str)]
    frame += [v for v in samples["time_frame_start"] if isinstance(v, str)]
    return time_hint(samples["search_time"]), time_hint(frame)


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
    sources = []
    for item in inputs:
        try:
            sources.append(
                open_source(item.path, profile, name=item.name, candidates=candidates, batch_rows=batch_rows)
            )
        except InputError as exc:
            # A file named on the command line must be readable; one found in a folder (say, the
            # vendor's list of sharing agencies next to the audits) is skipped and reported.
            if not item.from_folder:
                raise
            summary.skipped.append({"file": item.name, "problem": exc.problem})
    if not sources:
        raise InputError("none of the files found is a log this auditor can read")
    con = new_connection(threads)
    ids = rule_ids(ruleset)
    try:
        needed = _needed_fields(ruleset, include_identifiers and sink is not None)
        for source in sources:
            source.load_only = needed
            if source.fmt == "parquet":
                _audit_parquet(con, source, ruleset, ids, summary, sink, include_identifiers)
            else:
                _audit_batches(con, source, ruleset, ids, summary, sink, include_identifiers)
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


def _needed_fields(rules: RuleSet, identifiers: bool) -> frozenset[str]:
    """What the audit reads: the rules' fields, the summary's, and identifiers only when asked for."""
    fields = {r.field for r in (*rules.who, *rules.why, *rules.how) if r.field != "lookback_days"}
    fields |= {"reason", "offense_type", "org", "search_time", "networks"}
    fields |= {"time_frame", "time_frame_start", "time_frame_end"}  # lookback days
    if identifiers:
        fields |= {"user", "plate", "case_number", "reason"}
    return frozenset(fields)


def _audit_batches(
    con: duckdb.DuckDBPyConnection,
    source: LogSource,
    rules: RuleSet,
    ids: list[str],
    summary: Summary,
    sink: FlaggedSink | None,
    include_identifiers: bool,
) -> None:
    """CSV and JSON Lines: our reader's bounded batches, one query (two with a sink) per batch."""
    present = frozenset(source.fields)
    hint: str | None = None
    frame_hint: str | None = None
    for index, batch in enumerate(_batches(source)):
        if index == 0:
            hint, frame_hint = _hints(
                {
                    name: batch.column(batch.schema.get_field_index(name)).slice(0, _HINT_SAMPLE).to_pylist()
                    for name in ("search_time", "time_frame", "time_frame_start")
                }
            )
        con.register("src", batch)
        try:
            if sink is None:
                groups = con.execute(
                    counts_sql(rules, present, time_hint=hint, frame_hint=frame_hint)
                ).fetchall()
            else:
                query = classify_sql(
                    rules,
                    present,
                    identifiers=include_identifiers,
                    compact=True,
                    time_hint=hint,
                    frame_hint=frame_hint,
                )
                con.execute(f"CREATE OR REPLACE TEMP TABLE cls AS {query}")
                groups = con.execute(_GROUP_SQL).fetchall()
        finally:
            con.unregister("src")
        _count(groups, ids, summary)
        if sink is not None:
            _emit(con, rules, source.name, sink, include_identifiers)
    con.execute("DROP TABLE IF EXISTS cls")


def _audit_parquet(
    con: duckdb.DuckDBPyConnection,
    source: LogSource,
    rules: RuleSet,
    ids: list[str],
    summary: Summary,
    sink: FlaggedSink | None,
    include_identifiers: bool,
) -> None:
    """Parquet: DuckDB scans the file itself, streaming row groups (a second pass for the export).

    Memory stays bounded by DuckDB's buffer manager (``memory_limit``; aggregation, joins and the
    export's sort spill to disk beyond it).
    """
    present = frozenset(source.fields)
    columns = ", ".join(
        (
            f"CAST({_quote(source.mapping[f])} AS VARCHAR)"
            if f in source.mapping and (source.load_only is None or f in source.load_only)
            else "CAST(NULL AS VARCHAR)"
        )
        + f" AS {f}"
        for f in CANONICAL_FIELDS
    )
    path = sql_text(str(source.path))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW src AS SELECT file_row_number + 1 AS row, {columns} "  # noqa: S608
            f"FROM read_parquet({path}, file_row_number = true)"
        )
        sample = con.execute(
            "SELECT search_time, time_frame, time_frame_start FROM src LIMIT ?", [_HINT_SAMPLE]
        ).fetchall()
        hint, frame_hint = _hints(
            {
                name: [row[i] for row in sample]
                for i, name in enumerate(("search_time", "time_frame", "time_frame_start"))
            }
        )
        groups = con.execute(counts_sql(rules, present, time_hint=hint, frame_hint=frame_hint)).fetchall()
        _count(groups, ids, summary)
        source.rows = sum(int(g[6]) for g in groups if g[0] == 0)
        if sink is not None:
            query = classify_sql(
                rules,
                present,
                identifiers=include_identifiers,
                compact=True,
                time_hint=hint,
                frame_hint=frame_hint,
            )
            names = "[" + ", ".join(sql_text(i) for i in rule_ids(rules)) + "]"
            categories = "[" + ", ".join(sql_text(c) for c in CATEGORIES) + "]"
            flagged = _FLAGGED_SQL.format(
                names=names, categories=categories, identifiers=_IDENTIFIERS if include_identifiers else ""
            ).replace("FROM cls", f"FROM ({query})")
            reader = con.sql(flagged).to_arrow_reader(_EXPORT_BATCH)
            for batch in reader:
                sink(source.name, pa.Table.from_batches([batch]))
    except duckdb.Error:
        raise InputError("cannot read Parquet data", where=source.name) from None
    finally:
        con.execute("DROP VIEW IF EXISTS src")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _count(groups: list[tuple[Any, ...]], ids: list[str], summary: Summary) -> None:
    def name(code: int | None) -> str | None:
        return None if code is None else ids[code - 1]

    for (
        kind,
        org,
        month_key,
        who,
        why,
        how,
        n,
        flagged,
        multi,
        max_networks,
        long_lookback,
        max_lookback,
    ) in groups:
        if kind == 0:
            summary.add_rules(
                who=name(who),
                why=str(name(why)),
                how=name(how),
                count=int(n),
                flagged=int(flagged),
                multi_network=int(multi),
                max_networks=None if max_networks is None else int(max_networks),
                long_lookback=int(long_lookback),
                max_lookback=None if max_lookback is None else int(max_lookback),
            )
        elif kind == 1:
            # Names are trimmed here, on a few groups, rather than per row in the query.
            summary.add_agency(
                org=(org or "").strip() or None, who=name(who), why=str(name(why)), count=int(n)
            )
        else:
            month = None if month_key is None else f"{month_key // 100:04d}-{month_key % 100:02d}"
            summary.add_month(month=month, why=str(name(why)), count=int(n))


def _emit(
    con: duckdb.DuckDBPyConnection, rules: RuleSet, name: str, sink: FlaggedSink, include_identifiers: bool
) -> None:
    names = "[" + ", ".join(sql_text(i) for i in rule_ids(rules)) + "]"
    categories = "[" + ", ".join(sql_text(c) for c in CATEGORIES) + "]"
    query = _FLAGGED_SQL.format(
        names=names, categories=categories, identifiers=_IDENTIFIERS if include_identifiers else ""
    )
    flagged = con.sql(query).to_arrow_table()
    if flagged.num_rows:
        sink(name, flagged)
