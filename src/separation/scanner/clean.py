"""Cleaned copies: flagged columns dropped (or masked), flagged text cells redacted, the rest unchanged.

``clean`` first scans the source (full mode, same allow-list), then writes the copy from the report's
plan. Allowed columns are left alone. A file that could not be read completely or a file of an
unscanned format is left out of a folder copy and named in the redaction log, so that the copy never
carries what the scan could not see. A PDF with flagged text is not copied: its redacted text layer is
written beside where the copy would be, as ``NAME.pdf.txt``. The log holds counts per column and kind only.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from separation.errors import InputError
from separation.scanner import _firewall
from separation.scanner.allow import AllowList
from separation.scanner.classify import DOCUMENT_COLUMN, ClassifyOptions
from separation.scanner.engine import Progress, ScanOptions, scan_sources
from separation.scanner.readers import ReadError, iter_batches
from separation.scanner.report import ScanReport, SourceReport
from separation.scanner.targets import Source, discover, file_format, is_database_url

__all__ = ["CleanLog", "CleanOptions", "clean", "write_log"]

PLACEHOLDER = _firewall.PLACEHOLDER
_MAX_JSON_BYTES = 256 << 20


@dataclass(frozen=True)
class CleanOptions:
    mask: bool = False  # mask flagged columns instead of dropping them
    allow: AllowList = field(default_factory=AllowList)
    batch_rows: int = 65_536
    tables: tuple[str, ...] = ()
    schema: str | None = None
    prefix: str = "clean_"  # database copies: table name prefix
    out_schema: str | None = None  # database copies: schema to write into
    in_place: bool = False
    placeholder: str = PLACEHOLDER


@dataclass
class _ColumnLog:
    action: str  # dropped | masked | redacted
    kinds: set[str] = field(default_factory=set)
    cells: int = 0
    findings: Counter[str] = field(default_factory=Counter)

    def to_dict(self, column: str | None) -> dict[str, Any]:
        return {
            "column": None if column == DOCUMENT_COLUMN else column,
            "action": self.action,
            "kinds": sorted(self.kinds),
            "cells": self.cells,
            "findings": dict(sorted(self.findings.items())),
        }


@dataclass
class _SourceLog:
    source: str
    action: str = "copied"  # cleaned | copied | left out
    reason: str | None = None
    columns: dict[str, _ColumnLog] = field(default_factory=dict)
    kinds: dict[str, list[str]] = field(default_factory=dict)  # flagged column -> kinds from the scan
    shown: dict[str, str | None] = field(default_factory=dict)  # column -> name as the report shows it
    written: str | None = None  # the file written instead of a copy of the same name (a PDF's text)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "action": self.action}
        if self.reason:
            out["reason"] = self.reason
        if self.written:
            out["written"] = self.written
        out["columns"] = [log.to_dict(self.shown.get(name, name)) for name, log in self.columns.items()]
        return out


@dataclass
class CleanLog:
    """The redaction log: what was dropped, masked or redacted, per source, column and kind (no values)."""

    source: str
    out: str
    mode: str
    sources: list[_SourceLog] = field(default_factory=list)
    report: ScanReport | None = None

    def totals(self) -> dict[str, int]:
        kinds: Counter[str] = Counter()
        for s in self.sources:
            for c in s.columns.values():
                if c.action == "redacted":
                    kinds.update(c.findings)
                else:
                    for k in c.kinds:
                        kinds[k] += c.cells
        return dict(sorted(kinds.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "out": self.out,
            "mode": self.mode,
            "sources": [s.to_dict() for s in self.sources],
            "totals": self.totals(),
            "left_out": [s.source for s in self.sources if s.action == "left out"],
        }


@dataclass(frozen=True)
class _Plan:
    drop: frozenset[str]  # columns dropped or masked
    redact: frozenset[str]  # columns whose flagged cells are redacted

    @classmethod
    def of(cls, report: SourceReport) -> _Plan:
        drop, redact = set(), set()
        for col in report.columns:
            name = DOCUMENT_COLUMN if col.key is None else col.key
            if "name" in col.reasons or ("values" in col.reasons and "text" not in col.reasons):
                drop.add(name)
            else:
                redact.add(name)
        return cls(frozenset(drop), frozenset(redact))

    @property
    def empty(self) -> bool:
        return not self.drop and not self.redact


class _CellCleaner:
    """Redacts one cell: a short status value or identifier whole, a text's findings in place."""

    def __init__(self, placeholder: str, classify: ClassifyOptions) -> None:
        self.placeholder = placeholder
        self.opts = classify

    def clean(self, value: str) -> tuple[str, Counter[str]]:
        s = value.strip()
        counts: Counter[str] = Counter()
        if not s:
            return value, counts
        if len(s) <= self.opts.value_max_chars:
            kind = _firewall.cell_kind(s)
            if kind is not None:
                counts[kind] += 1
                return self.placeholder, counts
        redaction = _firewall.redact_text(value)
        counts.update(redaction.counts)
        return redaction.text, counts


def clean(
    target: str,
    out: str,
    options: CleanOptions | None = None,
    *,
    progress: Progress | None = None,
) -> CleanLog:
    """Write a cleaned copy of ``target`` (file, folder, or database) to ``out``."""
    options = options or CleanOptions()
    mode = "mask" if options.mask else "drop"
    database = is_database_url(target) or (
        Path(target).is_file() and file_format(Path(target)) in ("sqlite", "duckdb")
    )
    if options.in_place:
        if database:
            raise InputError(
                "cleaning a database in place is not supported; write to new tables", field="--in-place"
            )
        out = target
    else:
        _check_out(target, out, database)
    sources = discover([target], tables=options.tables, schema=options.schema)
    scan_opts = ScanOptions(
        batch_rows=options.batch_rows, tables=options.tables, schema=options.schema, allow=options.allow
    )
    report = scan_sources(sources, scan_opts, progress=progress)
    log = CleanLog(source=target, out=out, mode=mode, report=report)
    cleaner = _CellCleaner(options.placeholder, scan_opts.classify)
    pairs = list(zip(sources, report.sources, strict=True))
    if database:
        _clean_database(pairs, out, options, cleaner, log)
    elif Path(target).is_dir():
        _clean_folder(Path(target), Path(out), pairs, options, cleaner, log)
    else:
        _clean_file(Path(target), Path(out), pairs, options, cleaner, log)
    return log


def _check_out(target: str, out: str, database: bool) -> None:
    if database:
        if not is_database_url(out):
            raise InputError("a database is cleaned into a database: give a database URL", field="--out")
        return
    if is_database_url(out):
        raise InputError("files are cleaned into files: give a path", field="--out")
    src, dst = Path(target).resolve(), Path(out).resolve()
    if src == dst:
        raise InputError(
            "the copy must not overwrite the source (use --in-place to clean it in place)", field="--out"
        )
    if src.is_dir() and (dst == src or src in dst.parents):
        raise InputError("the copy must not be inside the source folder", field="--out")
    if dst.exists() and src.is_file():
        raise InputError("already exists; choose a new path", field="--out")
    if dst.exists() and src.is_dir() and any(dst.iterdir()):
        raise InputError("already exists and is not empty; choose a new folder", field="--out")


def write_log(log: CleanLog, path: str | Path) -> None:
    Path(path).write_text(json.dumps(log.to_dict(), indent=2) + "\n", encoding="utf-8")


# --- files -----------------------------------------------------------------------------------------


@contextmanager
def _atomic_target(dest: Path) -> Iterator[Path]:
    """A temporary path beside ``dest`` that replaces it when the writer is done."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".separation-", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, dest)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _clean_file(
    path: Path,
    dest: Path,
    pairs: list[tuple[Source, SourceReport]],
    options: CleanOptions,
    cleaner: _CellCleaner,
    log: CleanLog,
) -> None:
    fmt = pairs[0][0].format if pairs else file_format(path)
    if pairs and any(r.errors for _, r in pairs):
        raise InputError(
            "could not be read completely, so no clean copy was written (see `separation scan`)",
            where=str(path),
        )
    logs = [_SourceLog(s.name, kinds=_kinds(r), shown=_shown(r)) for s, r in pairs]
    plans = [_Plan.of(r) for _, r in pairs]
    if all(p.empty for p in plans):
        if not options.in_place:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
        log.sources.extend(logs)
        return
    if fmt == "pdf":
        _clean_pdf(pairs[0][0], dest, logs[0], options)
        log.sources.extend(logs)
        return
    with _atomic_target(dest) as tmp:
        _write_cleaned(fmt or "", path, tmp, pairs, plans, logs, options, cleaner)
    for entry, plan in zip(logs, plans, strict=True):
        entry.action = "copied" if plan.empty else "cleaned"
    log.sources.extend(logs)


def pdf_text_path(dest: Path) -> Path:
    """Where the cleaned text layer of a PDF goes: beside where its copy would be, ``NAME.pdf.txt``."""
    return dest.with_name(dest.name + ".txt")


def _clean_pdf(source: Source, dest: Path, entry: _SourceLog, options: CleanOptions) -> None:
    """A PDF with flagged text: no PDF can be rewritten here (pages, images and layout would keep what
    the text layer shows), so its text layer, redacted, is written as ``NAME.pdf.txt`` beside where the
    copy would be, pages apart by form feeds; the PDF itself is not copied."""
    if options.in_place:
        raise InputError(
            "a PDF with flagged text cannot be cleaned in place; clean it into a copy (its text layer)",
            where=source.name,
        )
    out = pdf_text_path(dest)
    if out.exists():
        raise InputError("already exists; choose a new path", where=str(out))
    col = _column_log(entry, DOCUMENT_COLUMN, "redacted")
    col.kinds.update(entry.kinds.get(DOCUMENT_COLUMN, []))
    with _atomic_target(out) as tmp, tmp.open("w", encoding="utf-8") as fh:
        page_no = 0
        for batch, _ in _batches(source, options.batch_rows):
            for page in batch.column(0).to_pylist():
                redaction = _firewall.redact_text(page or "")
                if redaction.counts:
                    col.cells += 1
                    col.findings.update(redaction.counts)
                fh.write(("\f" if page_no else "") + redaction.text)
                page_no += 1
        fh.write("\n")
    entry.action = "cleaned"
    entry.written = out.name
    entry.reason = (
        f"a PDF: its text layer, redacted, is in {out.name}; the PDF itself is not copied, "
        "since its pages and images would still show what was redacted"
    )


def _clean_folder(
    root: Path,
    out: Path,
    pairs: list[tuple[Source, SourceReport]],
    options: CleanOptions,
    cleaner: _CellCleaner,
    log: CleanLog,
) -> None:
    by_path: dict[str, list[tuple[Source, SourceReport]]] = {}
    for source, report in pairs:
        by_path.setdefault(str(source.path or source.url), []).append((source, report))
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            file = Path(dirpath) / name
            rel = file.relative_to(root).as_posix()
            dest = out / rel
            group = by_path.get(str(file)) or by_path.get(f"sqlite:///{file.resolve()}")
            if group is None:
                if options.in_place:
                    continue
                log.sources.append(_SourceLog(rel, "left out", "not a format the scan reads, so not checked"))
                continue
            if any(r.errors for _, r in group):
                log.sources.append(_SourceLog(rel, "left out", "could not be read completely"))
                continue
            if group[0][0].format in ("sql", "duckdb"):
                log.sources.append(
                    _SourceLog(rel, "left out", "a database file: clean it with a database URL")
                )
                continue
            try:
                _clean_file(file, dest, group, options, cleaner, log)
            except InputError as exc:
                log.sources.append(_SourceLog(rel, "left out", exc.problem))


def _write_cleaned(
    fmt: str,
    path: Path,
    tmp: Path,
    pairs: list[tuple[Source, SourceReport]],
    plans: list[_Plan],
    logs: list[_SourceLog],
    options: CleanOptions,
    cleaner: _CellCleaner,
) -> None:
    source, plan, entry = pairs[0][0], plans[0], logs[0]
    if fmt in ("csv", "tsv"):
        _write_csv(source, tmp, plan, entry, options, cleaner)
    elif fmt == "parquet":
        _write_parquet(source, tmp, plan, entry, options, cleaner)
    elif fmt in ("json", "jsonl"):
        _write_json(fmt, path, tmp, plan, entry, options, cleaner)
    elif fmt == "xlsx":
        _write_xlsx(path, tmp, pairs, plans, logs, options, cleaner)
    elif fmt == "text":
        _write_text(path, tmp, plan, entry, cleaner)
    elif fmt == "docx":
        _write_docx(path, tmp, plan, entry, cleaner)
    else:
        raise InputError(f"no clean writer for format '{fmt}'", where=str(path))


def _column_log(entry: _SourceLog, name: str, action: str) -> _ColumnLog:
    col = entry.columns.get(name)
    if col is None:
        col = entry.columns[name] = _ColumnLog(action)
    return col


def _present_count(arr: pa.Array) -> int:
    valid = pc.is_valid(arr)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        valid = pc.and_(valid, pc.not_equal(pc.utf8_trim_whitespace(arr), ""))
    return int(pc.sum(pc.cast(pc.fill_null(valid, False), pa.int64())).as_py() or 0)


def _transform(
    batch: pa.RecordBatch,
    plan: _Plan,
    entry: _SourceLog,
    options: CleanOptions,
    cleaner: _CellCleaner,
    kinds: dict[str, list[str]],
) -> pa.RecordBatch:
    arrays, names = [], []
    for name, arr in zip(batch.schema.names, batch.columns, strict=True):
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        if name in plan.drop:
            col = _column_log(entry, name, "masked" if options.mask else "dropped")
            col.kinds.update(kinds.get(name, []))
            col.cells += _present_count(arr)
            if not options.mask:
                continue
            # Every cell, blank or not: which rows had a value is itself what the mask hides.
            arr = pa.repeat(pa.scalar(options.placeholder, pa.string()), len(arr))
        elif name in plan.redact and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            col = _column_log(entry, name, "redacted")
            col.kinds.update(kinds.get(name, []))
            arr = _redact_array(arr, col, cleaner)
        arrays.append(arr)
        names.append(name)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _redact_array(arr: pa.Array, col: _ColumnLog, cleaner: _CellCleaner) -> pa.Array:
    done: dict[str, tuple[str, Counter[str]]] = {}
    out: list[str | None] = []
    for value in arr.to_pylist():
        if value is None:
            out.append(None)
            continue
        hit = done.get(value)
        if hit is None:
            hit = done[value] = cleaner.clean(value)
        new, counts = hit
        if counts:
            col.cells += 1
            col.findings.update(counts)
        out.append(new)
    return pa.array(out, arr.type)


def _shown(report: SourceReport) -> dict[str, str | None]:
    return {(DOCUMENT_COLUMN if c.key is None else c.key): c.column for c in report.columns}


def _kinds(report: SourceReport) -> dict[str, list[str]]:
    return {(DOCUMENT_COLUMN if c.key is None else c.key): c.kinds for c in report.columns}


def _write_csv(
    source: Source, tmp: Path, plan: _Plan, entry: _SourceLog, options: CleanOptions, cleaner: _CellCleaner
) -> None:
    import pyarrow.csv as pcsv

    writer = None
    try:
        for batch, _ in _batches(source, options.batch_rows):
            out = _transform(batch, plan, entry, options, cleaner, entry.kinds)
            if writer is None:
                delim = "\t" if source.format == "tsv" else ","
                writer = pcsv.CSVWriter(
                    str(tmp), out.schema, write_options=pcsv.WriteOptions(delimiter=delim)
                )
            writer.write_batch(out)
    finally:
        if writer is not None:
            writer.close()


def _batches(source: Source, batch_rows: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    try:
        yield from iter_batches(source, batch_rows)
    except ReadError as exc:
        raise InputError(f"cannot be read for cleaning ({exc.reason})", where=source.name) from None


def _write_parquet(
    source: Source, tmp: Path, plan: _Plan, entry: _SourceLog, options: CleanOptions, cleaner: _CellCleaner
) -> None:
    import pyarrow.parquet as pq

    assert source.path is not None
    pf = pq.ParquetFile(source.path)
    writer = None
    try:
        for batch in pf.iter_batches(batch_size=options.batch_rows):
            out = _transform(batch, plan, entry, options, cleaner, entry.kinds)
            if writer is None:
                writer = pq.ParquetWriter(str(tmp), out.schema)
            writer.write_batch(out)
        if writer is None:  # an empty file keeps its (cleaned) schema
            empty = pa.RecordBatch.from_pylist([], schema=pf.schema_arrow)
            writer = pq.ParquetWriter(str(tmp), _transform(empty, plan, entry, options, cleaner, {}).schema)
    finally:
        if writer is not None:
            writer.close()


def _clean_value(
    name: str, value: Any, plan: _Plan, entry: _SourceLog, options: CleanOptions, cleaner: _CellCleaner
) -> tuple[bool, Any]:
    """(keep the key, new value) for one field of a JSON object or database row."""
    kinds = entry.kinds.get(name, [])
    if name in plan.drop:
        col = _column_log(entry, name, "masked" if options.mask else "dropped")
        col.kinds.update(kinds)
        if value is not None and (not isinstance(value, str) or value.strip()):
            col.cells += 1
        return options.mask, options.placeholder  # masks hide blanks too, as in _transform
    if name in plan.redact and isinstance(value, str):
        col = _column_log(entry, name, "redacted")
        col.kinds.update(kinds)
        new, counts = cleaner.clean(value)
        if counts:
            col.cells += 1
            col.findings.update(counts)
        return True, new
    return True, value


def _clean_object(
    obj: Any, plan: _Plan, entry: _SourceLog, options: CleanOptions, cleaner: _CellCleaner
) -> Any:
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, value in obj.items():
        keep, new = _clean_value(key, value, plan, entry, options, cleaner)
        if keep:
            out[key] = new
    return out


def _write_json(
    fmt: str,
    path: Path,
    tmp: Path,
    plan: _Plan,
    entry: _SourceLog,
    options: CleanOptions,
    cleaner: _CellCleaner,
) -> None:
    if fmt == "jsonl":
        with path.open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as dst:
            for line in src:
                if not line.strip():
                    dst.write(line)
                    continue
                obj = _clean_object(json.loads(line), plan, entry, options, cleaner)
                dst.write(json.dumps(obj, ensure_ascii=False) + "\n")
        return
    if path.stat().st_size > _MAX_JSON_BYTES:
        raise InputError(
            f"JSON documents over {_MAX_JSON_BYTES} bytes are cleaned as JSON Lines only", where=str(path)
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        data = [_clean_object(item, plan, entry, options, cleaner) for item in data]
    else:
        data = _clean_object(data, plan, entry, options, cleaner)
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_xlsx(
    path: Path,
    tmp: Path,
    pairs: list[tuple[Source, SourceReport]],
    plans: list[_Plan],
    logs: list[_SourceLog],
    options: CleanOptions,
    cleaner: _CellCleaner,
) -> None:
    import openpyxl  # type: ignore[import-untyped]

    from separation.scanner.readers import _unique_header

    book = openpyxl.load_workbook(path)
    for (source, _), plan, entry in zip(pairs, plans, logs, strict=True):
        ws = book[source.sheet] if source.sheet else book.active
        header_row = None
        for row in ws.iter_rows():
            if any(c.value is not None for c in row):
                header_row = row
                break
        if header_row is None or plan.empty:
            continue
        names = _unique_header([c.value for c in header_row])
        start = header_row[0].row + 1
        drop_cols = []
        for idx, name in enumerate(names, start=header_row[0].column):
            if name not in plan.drop and name not in plan.redact:
                continue
            for (cell,) in ws.iter_rows(min_row=start, max_row=ws.max_row, min_col=idx, max_col=idx):
                original = cell.value
                text = original if isinstance(original, str) or original is None else str(original)
                keep, new = _clean_value(name, text, plan, entry, options, cleaner)
                if keep and new != text:  # untouched cells keep their type (numbers stay numbers)
                    cell.value = new
            if name in plan.drop and not options.mask:
                drop_cols.append(idx)
        for idx in sorted(drop_cols, reverse=True):
            ws.delete_cols(idx)
    book.save(tmp)


def _write_text(path: Path, tmp: Path, plan: _Plan, entry: _SourceLog, cleaner: _CellCleaner) -> None:
    col = _column_log(entry, DOCUMENT_COLUMN, "redacted")
    col.kinds.update(entry.kinds.get(DOCUMENT_COLUMN, []))
    with (
        path.open(encoding="utf-8", errors="strict", newline="") as src,
        tmp.open("w", encoding="utf-8", newline="") as dst,
    ):
        for line in src:
            body = line.rstrip("\r\n")
            ending = line[len(body) :]
            redaction = _firewall.redact_text(body)
            if redaction.counts:
                col.cells += 1
                col.findings.update(redaction.counts)
            dst.write(redaction.text + ending)


def _write_docx(path: Path, tmp: Path, plan: _Plan, entry: _SourceLog, cleaner: _CellCleaner) -> None:
    import docx

    col = _column_log(entry, DOCUMENT_COLUMN, "redacted")
    col.kinds.update(entry.kinds.get(DOCUMENT_COLUMN, []))
    document = docx.Document(str(path))
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for p in paragraphs:
        redaction = _firewall.redact_text(p.text)
        if redaction.counts:
            col.cells += 1
            col.findings.update(redaction.counts)
            p.text = redaction.text  # the paragraph's runs collapse into one: formatting may be lost
    document.save(str(tmp))


# --- databases -------------------------------------------------------------------------------------


def _clean_database(
    pairs: list[tuple[Source, SourceReport]],
    out: str,
    options: CleanOptions,
    cleaner: _CellCleaner,
    log: CleanLog,
) -> None:
    for source, report in pairs:
        entry = _SourceLog(source.name, kinds=_kinds(report), shown=_shown(report))
        log.sources.append(entry)
        if report.errors:
            entry.action, entry.reason = "left out", "could not be read completely"
            continue
        plan = _Plan.of(report)
        if source.format == "duckdb":
            _copy_duckdb_table(source, out, plan, entry, options, cleaner)
        else:
            _copy_sql_table(source, out, plan, entry, options, cleaner)
        entry.action = "cleaned" if not plan.empty else "copied"


def _dest_name(source: Source, options: CleanOptions) -> str:
    return f"{options.prefix}{source.table}"


def _copy_sql_table(
    source: Source, out: str, plan: _Plan, entry: _SourceLog, options: CleanOptions, cleaner: _CellCleaner
) -> None:
    from sqlalchemy import Column, MetaData, Table, Text, create_engine, inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    assert source.url is not None and source.table is not None
    src_engine = create_engine(source.url)
    dst_engine = create_engine(out) if out != source.url else src_engine
    dest = _dest_name(source, options)
    try:
        with src_engine.connect() as src:
            table = Table(source.table, MetaData(), autoload_with=src, schema=source.schema)
            with dst_engine.begin() as dst:
                if inspect(dst).has_table(dest, schema=options.out_schema):
                    raise InputError("already exists; choose another --prefix or --out-schema", where=dest)
                same = dst.dialect.name == src.dialect.name
                cols = []
                for c in table.columns:
                    if c.name in plan.drop and not options.mask:
                        continue
                    typ = (
                        Text()
                        if (c.name in plan.drop and options.mask)
                        else (c.type if same else c.type.as_generic())
                    )
                    cols.append(Column(c.name, typ))
                new = Table(dest, MetaData(), *cols, schema=options.out_schema)
                new.create(dst)
                query = select(table)
                pk = list(table.primary_key.columns)
                if pk:
                    query = query.order_by(*pk)
                result = src.execution_options(stream_results=True, yield_per=options.batch_rows).execute(
                    query
                )
                for part in result.partitions(options.batch_rows):
                    rows = []
                    for row in part:
                        rec = {}
                        for name, value in row._mapping.items():
                            keep, v = _clean_value(str(name), value, plan, entry, options, cleaner)
                            if keep:
                                rec[str(name)] = v
                        rows.append(rec)
                    if rows:
                        dst.execute(new.insert(), rows)
    except SQLAlchemyError as exc:
        from separation.scanner.targets import _db_problem

        raise InputError(f"cannot write the clean copy ({_db_problem(exc)})", where=dest) from None
    finally:
        src_engine.dispose()
        dst_engine.dispose()


def _copy_duckdb_table(
    source: Source, out: str, plan: _Plan, entry: _SourceLog, options: CleanOptions, cleaner: _CellCleaner
) -> None:
    import duckdb

    assert source.path is not None
    out_path = out.removeprefix("duckdb:").removeprefix("///").removeprefix("//")
    if Path(out_path).resolve() == Path(source.path).resolve():
        raise InputError("write the clean copy of a DuckDB file to another file", field="--out")
    dest = _dest_name(source, options)
    con = duckdb.connect(out_path)
    try:
        schema = options.out_schema or "main"
        q = '"' + schema.replace('"', '""') + '"."' + dest.replace('"', '""') + '"'
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema.replace(chr(34), chr(34) * 2)}"')
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, dest],
        ).fetchall()
        if exists and exists[0][0]:
            raise InputError("already exists; choose another --prefix or --out-schema", where=dest)
        created = False
        for batch, _ in _batches(source, options.batch_rows):
            cleaned = _transform(batch, plan, entry, options, cleaner, entry.kinds)
            con.register("_clean_batch", cleaned)
            if not created:
                con.execute(f"CREATE TABLE {q} AS SELECT * FROM _clean_batch")  # noqa: S608 (quoted identifier)
                created = True
            else:
                con.execute(f"INSERT INTO {q} SELECT * FROM _clean_batch")  # noqa: S608
            con.unregister("_clean_batch")
    finally:
        con.close()
