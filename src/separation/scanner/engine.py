"""The local scan engine: sources read in bounded batches, classified, merged into one report.

Sources go to ``workers`` processes when asked; the resume state records finished sources (and the
batches done of the current one) so that an interrupted scan continues where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow as pa

from separation.errors import InputError
from separation.scanner import _firewall
from separation.scanner.allow import AllowList
from separation.scanner.classify import ClassifyOptions, SourceTally, classify_batch, needs_values
from separation.scanner.readers import (
    DOCUMENT_FORMATS,
    MisEncoded,
    ReadError,
    iter_batches,
    parquet_rows,
    primary_key,
)
from separation.scanner.report import ScanReport, SourceError, SourceReport
from separation.scanner.state import ResumeState, fingerprint
from separation.scanner.targets import Source, discover

__all__ = ["Progress", "ScanOptions", "scan", "scan_source", "scan_sources"]

_FALLBACK_ENCODING = "cp1252"
_CHECKPOINT_SECONDS = 5.0


@dataclass(frozen=True)
class ScanOptions:
    batch_rows: int = 65_536
    sample: float = 1.0  # share of rows read; 1.0 is the full mode
    workers: int = 1
    tables: tuple[str, ...] = ()
    schema: str | None = None
    allow: AllowList = field(default_factory=AllowList)
    classify: ClassifyOptions = field(default_factory=ClassifyOptions)
    # Columns whose values identify a row (``--key``): the report lists the keys of flagged rows beside
    # their numbers. Database tables use their primary key when this is not given.
    key: tuple[str, ...] = ()

    def check(self) -> None:
        if not 0.0 < self.sample <= 1.0:
            raise InputError("must be more than 0 and at most 1", field="--sample")
        if self.batch_rows < 1 or self.batch_rows > 10_000_000:
            raise InputError("must be between 1 and 10000000", field="--batch-rows")
        if self.workers < 1 or self.workers > 256:
            raise InputError("must be between 1 and 256", field="--workers")
        if self.classify.row_limit < 0:
            raise InputError("must be 0 or more", field="--max-rows")


class Progress:
    """Callbacks of a scan (a progress bar, or a test hook that interrupts on purpose)."""

    def start(self, sources: Sequence[Source]) -> None:
        """Called once with every source to scan."""

    def batch(self, source: Source, rows: int, fraction: float) -> None:
        """Called after each batch: rows in it, and the share of the source read so far (0..1)."""

    def source_done(self, source: Source, report: SourceReport) -> None:
        """Called when a source is finished (or resumed from the state file)."""


def scan_source(
    source: Source,
    options: ScanOptions,
    *,
    progress: Progress | None = None,
    resume: ResumeState | None = None,
    memo: dict[bool, dict[str, Any]] | None = None,
) -> SourceReport:
    """Scan one source; read problems become the report's errors, never exceptions.

    ``memo`` carries known results for distinct values from one source to the next.
    """
    memo = {} if memo is None else memo
    partial = resume.partial.get(source.key) if resume is not None else None
    tally = _tally(source, options, progress, resume, partial, memo)
    return tally.to_report(source.name, source.format, options.allow)


def _tally(
    source: Source,
    options: ScanOptions,
    progress: Progress | None,
    resume: ResumeState | None,
    partial: dict[str, object] | None,
    memo: dict[bool, dict[str, Any]],
) -> SourceTally:
    encoding = str(partial["encoding"]) if partial else "utf-8"
    try:
        return _read(source, options, encoding, progress, resume, partial, memo)
    except MisEncoded:
        tally = _read(source, options, _FALLBACK_ENCODING, progress, resume, None, memo)
        tally.errors.insert(0, SourceError(f"not valid UTF-8 text; read as {_FALLBACK_ENCODING}"))
        return tally


def _read(
    source: Source,
    options: ScanOptions,
    encoding: str,
    progress: Progress | None,
    resume: ResumeState | None,
    partial: dict[str, object] | None,
    memo: dict[bool, dict[str, Any]],
) -> SourceTally:
    skip = 0
    tally = SourceTally()
    if partial is not None:
        skip = int(partial["batches"])  # type: ignore[call-overload]
        tally = SourceTally.from_state(partial["tally"])  # type: ignore[arg-type]
    tally.memo = memo
    document = source.format in DOCUMENT_FORMATS
    if not document and not tally.key:
        tally.key = options.key or (primary_key(source) if source.format in ("sql", "duckdb") else ())
    key = tally.key

    def wanted(name: str, typ: pa.DataType) -> bool:
        return needs_values(name, typ, key)

    size = max(source.size, 1)
    total_rows = parquet_rows(source.path) if source.format == "parquet" and source.path else None
    last_save = time.monotonic()
    done_batches = 0
    read_bytes = 0
    try:
        batches = iter_batches(source, options.batch_rows, encoding, wanted=wanted, sample=options.sample)
        for batch, rows in batches:
            done_batches += 1
            read_bytes += batch.nbytes
            if done_batches <= skip:
                continue
            missing = key and not all(k in batch.schema.names for k in key)
            if missing and done_batches == 1 and (source.row_groups is None or source.row_groups[0] == 0):
                tally.add_error(SourceError("no such key column (--key); rows are listed without keys"))
            classify_batch(
                batch,
                rows,
                tally,
                source=source.name,
                allow=options.allow,
                opts=options.classify,
                document=document,
            )
            if resume is not None and time.monotonic() - last_save > _CHECKPOINT_SECONDS:
                resume.partial[source.key] = {
                    "batches": done_batches,
                    "encoding": encoding,
                    "tally": tally.to_state(),
                }
                resume.save()
                last_save = time.monotonic()
            if progress is not None:
                if total_rows:  # Parquet reads only some columns: its progress is in rows
                    if isinstance(rows, int):
                        last = rows + batch.num_rows
                    else:
                        last = int(rows[-1].as_py()) if len(rows) else 0
                    fraction = last / total_rows
                else:
                    fraction = read_bytes / size
                progress.batch(source, batch.num_rows, min(fraction, 1.0))
    except MisEncoded:
        if encoding != _FALLBACK_ENCODING:
            raise
        tally.add_error(SourceError("not readable text in any known encoding"))
    except ReadError as exc:
        tally.add_error(SourceError(exc.reason))
    return tally


_WORKER_MEMO: dict[bool, dict[str, Any]] = {}  # per worker process: known results for distinct values


def _worker_init() -> None:
    # One process per core: Arrow's own thread pool would only oversubscribe the cores.
    pa.set_cpu_count(1)


def _tally_in_worker(part: Source, options: ScanOptions) -> SourceTally:
    tally = _tally(part, options, None, None, None, _WORKER_MEMO)
    tally.memo = {}  # stays in the worker
    return tally


def _parts(source: Source, workers: int) -> list[Source]:
    """A Parquet file cut into runs of row groups, so that one big file uses every worker."""
    if source.format != "parquet" or source.path is None or source.problem or workers < 2:
        return [source]
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(source.path).metadata
    except Exception:  # unreadable: the whole-file path reports why
        return [source]
    groups = meta.num_row_groups
    if groups < 2:
        return [source]
    firsts = [0]
    for i in range(groups):
        firsts.append(firsts[-1] + meta.row_group(i).num_rows)
    k = min(groups, workers * 2)
    bounds = sorted({round(i * groups / k) for i in range(k + 1)})
    return [replace(source, row_groups=(a, b), first_row=firsts[a]) for a, b in pairwise(bounds)]


def scan_sources(
    sources: Sequence[Source],
    options: ScanOptions,
    *,
    progress: Progress | None = None,
    resume: ResumeState | None = None,
    engine: str = "local",
) -> ScanReport:
    report = ScanReport(sample=options.sample, engine=engine)
    if progress is not None:
        progress.start(sources)
    by_key: dict[str, SourceReport] = {}
    todo: list[Source] = []
    for source in sources:
        if resume is not None and source.key in resume.done:
            by_key[source.key] = SourceReport.from_dict(resume.done[source.key])
            if progress is not None:
                progress.source_done(source, by_key[source.key])
        else:
            todo.append(source)

    def finished(source: Source, result: SourceReport) -> None:
        by_key[source.key] = result
        if resume is not None:
            resume.done[source.key] = result.to_dict()
            resume.partial.pop(source.key, None)
            resume.save()
        if progress is not None:
            progress.source_done(source, result)

    plans = [(s, _parts(s, options.workers)) for s in todo] if options.workers > 1 else []
    if plans and (len(todo) > 1 or any(len(parts) > 1 for _, parts in plans)):
        _firewall.warm()  # compiled once here; forked workers inherit it
        pa.array([0])  # pyarrow imports pandas on its first array (~0.3 s): here once, not in each worker
        with ProcessPoolExecutor(max_workers=options.workers, initializer=_worker_init) as pool:
            jobs = [(s, [pool.submit(_tally_in_worker, p, options) for p in parts]) for s, parts in plans]
            for source, futures in jobs:
                total = SourceTally()
                for future in futures:  # parts in file order: row numbers stay ascending
                    total.merge(future.result(), options.classify.row_limit)
                finished(source, total.to_report(source.name, source.format, options.allow))
    else:
        memo: dict[bool, dict[str, Any]] = {}
        for source in todo:
            finished(source, scan_source(source, options, progress=progress, resume=resume, memo=memo))
    report.sources = [by_key[s.key] for s in sources]
    return report


def scan(
    targets: Sequence[str],
    options: ScanOptions | None = None,
    *,
    progress: Progress | None = None,
    state_path: str | Path | None = None,
) -> ScanReport:
    """Scan files, folders and databases; the one entry point the CLI and tests use."""
    options = options or ScanOptions()
    options.check()
    sources = discover(targets, tables=options.tables, schema=options.schema)
    resume = None
    if state_path is not None:
        fp = fingerprint(
            {
                "targets": list(targets),
                "sample": options.sample,
                "batch_rows": options.batch_rows,
                "tables": options.tables,
                "schema": options.schema,
                **({"key": list(options.key)} if options.key else {}),
                "allow": options.allow.to_data(),
                "classify": repr(options.classify),
            }
        )
        resume = ResumeState.open(state_path, fp)
    return scan_sources(sources, options, progress=progress, resume=resume)
