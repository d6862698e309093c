"""Readers: one per format, each yielding Arrow batches of bounded size.

A reader yields ``(batch, first_row)`` where ``first_row`` is the 0-based index of the batch's first
data row. Tabular formats keep their columns; documents give one column, ``DOCUMENT_COLUMN``, whose
rows are lines (text, Markdown), pages (PDF) or paragraphs (Word). Failures raise ``ReadError`` with
a reason that never quotes the data (parsers' own messages often do, so they are not passed on).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, TypeAlias

import pyarrow as pa

from separation.scanner.classify import DOCUMENT_COLUMN
from separation.scanner.targets import Source, _db_problem

__all__ = ["DOCUMENT_FORMATS", "MisEncoded", "ReadError", "Wanted", "iter_batches", "sample_rows"]

# Which columns' cells a scan needs, by name and Arrow type (see ``classify.needs_values``).
Wanted: TypeAlias = Callable[[str, pa.DataType], bool]
Rows: TypeAlias = int | pa.Array  # 0-based index of a batch's first row, or the 1-based numbers of its rows

DOCUMENT_FORMATS = frozenset({"text", "pdf", "docx"})
_CSV_BLOCK = 8 << 20  # bytes per Arrow CSV block: bounds memory, and the largest row Arrow can hold
_MAX_DOC_BYTES = 512 << 20


class ReadError(Exception):
    """A source, or the rest of it, could not be read; ``reason`` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MisEncoded(ReadError):
    """Text that is not UTF-8: the engine reads it again in the fallback encoding."""


# Sample mode keeps row i (0-based) when (i * _SAMPLE_STEP) mod 2**16 is below the share of 2**16:
# an evenly spread, deterministic choice (the step is 2**16 over the golden ratio), in integers so that
# a database computes exactly the same rows in SQL.
_SAMPLE_STEP = 40_503
_SAMPLE_SPAN = 1 << 16


def sample_threshold(share: float) -> int:
    return max(1, min(_SAMPLE_SPAN, round(share * _SAMPLE_SPAN)))


def sample_rows(batch: pa.RecordBatch, first: int, share: float) -> tuple[pa.RecordBatch, pa.Array]:
    """The sampled rows of a batch whose first row is row ``first`` (0-based) of its source, with
    their 1-based row numbers."""
    import numpy as np

    idx = np.arange(first, first + batch.num_rows, dtype=np.int64)
    keep = (idx * _SAMPLE_STEP) % _SAMPLE_SPAN < sample_threshold(share)
    return batch.filter(pa.array(keep)), pa.array(idx[keep] + 1)


def iter_batches(
    source: Source,
    batch_rows: int,
    encoding: str = "utf-8",
    *,
    wanted: Wanted | None = None,
    sample: float = 1.0,
) -> Iterator[tuple[pa.RecordBatch, Rows]]:
    """Batches of the source with the position of their rows.

    ``wanted`` says which columns' cells are needed: a reader that can skip the others (Parquet)
    gives them as null columns (same names, same order, no data). ``sample`` below 1 gives only the
    sampled rows, each batch with the 1-based numbers of its rows; Parquet then skips row groups and
    databases select the rows in SQL, other formats are read and filtered as they stream.
    """
    if source.problem:
        raise ReadError(source.problem)
    fmt = source.format
    if sample < 1.0 and fmt not in ("parquet", "sql"):
        for batch, first in iter_batches(source, batch_rows, encoding, wanted=wanted):
            assert isinstance(first, int)
            yield sample_rows(batch, first, sample)
        return
    try:
        if fmt in ("csv", "tsv"):
            yield from _csv(source, batch_rows, encoding)
        elif fmt == "parquet":
            yield from _parquet(source, batch_rows, wanted, sample)
        elif fmt in ("json", "jsonl"):
            yield from _json(source, batch_rows)
        elif fmt == "xlsx":
            yield from _xlsx(source, batch_rows)
        elif fmt == "text":
            yield from _text(source, batch_rows, encoding)
        elif fmt == "pdf":
            yield from _pdf(source, batch_rows)
        elif fmt == "docx":
            yield from _docx(source, batch_rows)
        elif fmt == "sql":
            yield from _sql(source, batch_rows, sample)
        elif fmt == "duckdb":
            yield from _duckdb(source, batch_rows)
        else:
            raise ReadError(f"unsupported format '{fmt}'")
    except ReadError:
        raise
    except PermissionError:
        raise ReadError("cannot read the file (permission denied)") from None
    except FileNotFoundError:
        raise ReadError("the file disappeared during the scan") from None
    except IsADirectoryError:
        raise ReadError("a folder, not a file") from None
    except MemoryError:
        raise ReadError("too large to read in memory") from None
    except OSError as exc:
        raise ReadError(f"cannot read the file ({type(exc).__name__})") from None


# --- CSV / TSV -------------------------------------------------------------------------------------


def _csv_header(path: str, delimiter: str, encoding: str) -> list[str]:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            raise MisEncoded("not valid UTF-8 text") from None
        text = head[: exc.start].decode(encoding)
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for row in reader:
        return row
    return []


def _csv(source: Source, batch_rows: int, encoding: str) -> Iterator[tuple[pa.RecordBatch, int]]:
    import pyarrow.csv as pcsv

    assert source.path is not None
    delimiter = "\t" if source.format == "tsv" else ","
    header = _csv_header(source.path, delimiter, encoding)
    if not header:
        return
    if len(set(header)) != len(header):
        raise ReadError("malformed CSV (repeated column names in the header)")
    # Every column read as text: a CSV holds text, and "007" must stay "007" in a cleaned copy.
    read = pcsv.ReadOptions(block_size=_CSV_BLOCK, encoding=encoding, use_threads=True)
    parse = pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    convert = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        reader = pcsv.open_csv(source.path, read_options=read, parse_options=parse, convert_options=convert)
        row = 0
        for batch in reader:
            for part in _split(batch, batch_rows):
                yield part, row
                row += part.num_rows
    except pa.ArrowInvalid as exc:
        raise _csv_problem(str(exc)) from None


def _csv_problem(message: str) -> ReadError:
    m = message.lower()
    if "utf8" in m or "utf-8" in m:
        return MisEncoded("not valid UTF-8 text")
    if "straddling" in m or "block" in m:
        return ReadError(f"malformed CSV (a row longer than {_CSV_BLOCK} bytes, or an unclosed quote)")
    if "expected" in m and "columns" in m:
        return ReadError("malformed CSV (a row has the wrong number of columns)")
    return ReadError("malformed CSV")


def _split(batch: pa.RecordBatch, rows: int) -> Iterator[pa.RecordBatch]:
    for start in range(0, batch.num_rows, rows):
        yield batch.slice(start, rows)


# --- Parquet ---------------------------------------------------------------------------------------


def parquet_rows(path: str) -> int | None:
    """Rows in a Parquet file, from its footer (None when unreadable)."""
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:
        return None


def _sampled_groups(sizes: list[int], share: float) -> tuple[set[int], float]:
    """Row groups a sample reads (evenly spread, about ``share`` of them, at least one) and the share
    of their rows to keep, so that about ``share`` of the file's rows are scanned."""
    count = len(sizes)
    k = min(count, max(1, round(share * count)))
    chosen = {g for g in range(count) if (g + 1) * k // count > g * k // count}
    rows = sum(sizes[g] for g in chosen)
    return chosen, min(1.0, share * sum(sizes) / rows) if rows else 1.0


def _parquet(
    source: Source, batch_rows: int, wanted: Wanted | None, sample: float
) -> Iterator[tuple[pa.RecordBatch, Rows]]:
    import pyarrow.parquet as pq

    assert source.path is not None
    try:
        pf = pq.ParquetFile(source.path)
        schema = pf.schema_arrow
        names = schema.names
        read = names
        if wanted is not None and len(set(names)) == len(names):
            read = [f.name for f in schema if wanted(f.name, f.type)]
        strings = [
            f.name
            for f in schema
            if f.name in read and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
        ]
        meta = pf.metadata
        sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
        firsts = [0]
        for n in sizes:
            firsts.append(firsts[-1] + n)
        lo, hi = source.row_groups or (0, len(sizes))
        groups = list(range(lo, hi))
        keep_share = 1.0
        if sample < 1.0:
            chosen, keep_share = _sampled_groups(sizes, sample)
            groups = [g for g in groups if g in chosen]
        # Dictionary-encoded reads: a short-code column arrives already as (codes, distinct values).
        pf = pq.ParquetFile(source.path, read_dictionary=strings)
        for g in groups:
            row = firsts[g]
            batches = pf.iter_batches(batch_size=batch_rows, row_groups=[g], columns=read, use_threads=False)
            for batch in batches:
                first = row
                row += batch.num_rows
                if read is not names:
                    got = dict(zip(read, batch.columns, strict=True))
                    n = batch.num_rows
                    batch = pa.RecordBatch.from_arrays(
                        [got[name] if name in got else pa.nulls(n) for name in names], names=names
                    )
                if sample < 1.0:
                    yield sample_rows(batch, first, keep_share)
                else:
                    yield batch, first
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        if isinstance(exc, (PermissionError, FileNotFoundError)):
            raise
        raise ReadError("not a readable Parquet file") from None


# --- JSON / JSON Lines (DuckDB) --------------------------------------------------------------------


def _json(source: Source, batch_rows: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    import duckdb

    assert source.path is not None
    con = duckdb.connect()
    try:
        try:
            if source.format == "jsonl":
                rel = con.read_json(source.path, format="newline_delimited")
            else:
                rel = con.read_json(source.path, format="auto")
            columns = rel.columns
            types = rel.types
        except duckdb.Error:
            raise ReadError("malformed JSON (not an array of objects, an object, or JSON Lines)") from None
        exprs = []
        for name, typ in zip(columns, types, strict=True):
            quoted = '"' + name.replace('"', '""') + '"'
            if getattr(typ, "id", "") in ("struct", "list", "map", "array", "union"):
                exprs.append(f"CAST(to_json({quoted}) AS VARCHAR) AS {quoted}")
            else:
                exprs.append(quoted)
        try:
            yield from _numbered(rel.project(", ".join(exprs)).to_arrow_reader(batch_rows))
        except duckdb.Error:
            raise ReadError("malformed JSON") from None
    finally:
        con.close()


def _numbered(batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Each batch with the number of rows before it (the row number of its first row, from 0)."""
    row = 0
    for batch in batches:
        yield batch, row
        row += batch.num_rows


# --- Excel -----------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _rows_to_batch(header: list[str], rows: list[list[str | None]]) -> pa.RecordBatch:
    cols = [pa.array([r[i] if i < len(r) else None for r in rows], pa.string()) for i in range(len(header))]
    return pa.RecordBatch.from_arrays(cols, names=header)


def _unique_header(raw: list[Any]) -> list[str]:
    names: list[str] = []
    for i, v in enumerate(raw, start=1):
        name = _cell_text(v) or f"column_{i}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _xlsx(source: Source, batch_rows: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    import openpyxl  # type: ignore[import-untyped]

    assert source.path is not None
    try:
        book = openpyxl.load_workbook(source.path, read_only=True, data_only=True)
    except Exception:
        raise ReadError("not a readable Excel workbook") from None
    try:
        ws = book[source.sheet] if source.sheet else book.active
        header: list[str] | None = None
        buf: list[list[str | None]] = []
        row = 0
        for values in ws.iter_rows(values_only=True):
            if header is None:
                if any(v is not None for v in values):
                    header = _unique_header(list(values))
                continue
            buf.append([_cell_text(v) for v in values[: len(header)]])
            if len(buf) >= batch_rows:
                yield _rows_to_batch(header, buf), row
                row += len(buf)
                buf = []
        if header is not None and buf:
            yield _rows_to_batch(header, buf), row
    finally:
        book.close()


# --- Documents -------------------------------------------------------------------------------------


def _doc_batches(units: Iterator[str], batch_rows: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    buf: list[str] = []
    row = 0
    for unit in units:
        buf.append(unit)
        if len(buf) >= batch_rows:
            yield pa.RecordBatch.from_arrays([pa.array(buf, pa.string())], names=[DOCUMENT_COLUMN]), row
            row += len(buf)
            buf = []
    if buf:
        yield pa.RecordBatch.from_arrays([pa.array(buf, pa.string())], names=[DOCUMENT_COLUMN]), row


def _text(source: Source, batch_rows: int, encoding: str) -> Iterator[tuple[pa.RecordBatch, int]]:
    assert source.path is not None

    def lines() -> Iterator[str]:
        with open(source.path, encoding=encoding, errors="strict", newline=None) as fh:  # type: ignore[arg-type]
            try:
                for line in fh:
                    yield line.rstrip("\n")
            except UnicodeDecodeError:
                raise MisEncoded("not valid UTF-8 text") from None

    yield from _doc_batches(lines(), batch_rows)


def _pdf(source: Source, batch_rows: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    assert source.path is not None
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise ReadError("PDF support needs the 'pypdf' package") from None
    try:
        reader = PdfReader(source.path)
        if reader.is_encrypted:
            raise ReadError("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        raise ReadError("not a readable PDF") from None
    if pages and not any(p.strip() for p in pages):
        raise ReadError("no text layer (a scanned image?); nothing could be read")
    yield from _doc_batches(iter(pages), batch_rows)


def _docx(source: Source, batch_rows: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    assert source.path is not None
    try:
        import docx
    except ImportError:
        raise ReadError("Word support needs the 'python-docx' package") from None
    try:
        document = docx.Document(source.path)
    except Exception:
        raise ReadError("not a readable Word document") from None

    def paragraphs() -> Iterator[str]:
        for p in document.paragraphs:
            yield p.text
        for table in document.tables:
            for trow in table.rows:
                for cell in trow.cells:
                    yield cell.text

    yield from _doc_batches(paragraphs(), batch_rows)


# --- Databases -------------------------------------------------------------------------------------


def _column_array(values: list[Any]) -> pa.Array:
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {int} or kinds <= {float, int} or kinds <= {bool} or kinds <= {Decimal}:
        try:
            return pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            pass
    if kinds <= {str}:
        return pa.array(values, pa.string())
    return pa.array([_cell_text(v) if not isinstance(v, bytes) else None for v in values], pa.string())


def primary_key(source: Source) -> tuple[str, ...]:
    """The primary key columns of a database table (SQLAlchemy inspection, or DuckDB's catalogue);
    empty when it has none or cannot be read (reading the table then reports why)."""
    try:
        if source.format == "sql" and source.url is not None and source.table is not None:
            from sqlalchemy import create_engine, inspect

            engine = create_engine(source.url)
            try:
                with engine.connect() as conn:
                    pk = inspect(conn).get_pk_constraint(source.table, schema=source.schema)
            finally:
                engine.dispose()
            return tuple(str(c) for c in pk.get("constrained_columns") or ())
        if source.format == "duckdb" and source.path is not None and source.table is not None:
            import duckdb

            con = duckdb.connect(source.path, read_only=True)
            try:
                found = con.execute(
                    "SELECT constraint_column_names FROM duckdb_constraints() WHERE constraint_type = "
                    "'PRIMARY KEY' AND schema_name = ? AND table_name = ?",
                    [source.schema or "main", source.table],
                ).fetchall()
            finally:
                con.close()
            return tuple(str(c) for c in found[0][0]) if found else ()
    except Exception:
        return ()
    return ()


def _sql(source: Source, batch_rows: int, sample: float = 1.0) -> Iterator[tuple[pa.RecordBatch, Rows]]:
    from sqlalchemy import MetaData, Table, create_engine, func, select
    from sqlalchemy.exc import SQLAlchemyError

    assert source.url is not None and source.table is not None
    engine = create_engine(source.url)
    try:
        with engine.connect() as conn:
            try:
                table = Table(source.table, MetaData(), autoload_with=conn, schema=source.schema)
                names = [c.name for c in table.columns]
                pk = list(table.primary_key.columns)
                # A stable order (the primary key), so that row numbers mean the same on every run.
                if sample < 1.0:
                    # The database numbers the rows and sends only the sampled ones: the same rows,
                    # with the same numbers, as sampling the full read would give.
                    number = func.row_number().over(order_by=pk or None).label("_separation_row")
                    inner = select(*table.columns, number).subquery()
                    n = inner.c["_separation_row"]
                    query = (
                        select(*[inner.c[name] for name in names], n)
                        .where(((n - 1) * _SAMPLE_STEP) % _SAMPLE_SPAN < sample_threshold(sample))
                        .order_by(n)
                    )
                else:
                    query = select(table)
                    if pk:
                        query = query.order_by(*pk)
                result = conn.execution_options(stream_results=True, yield_per=batch_rows).execute(query)
                row = 0
                for part in result.partitions(batch_rows):
                    cols = list(zip(*part, strict=True)) if part else [() for _ in names]
                    if sample < 1.0:
                        numbers = pa.array(cols.pop() if part else [], pa.int64())
                    batch = pa.RecordBatch.from_arrays([_column_array(list(c)) for c in cols], names=names)
                    if sample < 1.0:
                        yield batch, numbers
                    else:
                        yield batch, row
                    row += batch.num_rows
            except SQLAlchemyError as exc:
                raise ReadError(f"cannot read the table ({_db_problem(exc)})") from None
    except SQLAlchemyError as exc:
        raise ReadError(f"cannot connect ({_db_problem(exc)})") from None
    finally:
        engine.dispose()


def _duckdb(source: Source, batch_rows: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    import duckdb

    assert source.path is not None and source.table is not None
    try:
        con = duckdb.connect(source.path, read_only=True)
    except duckdb.Error:
        raise ReadError("not a readable DuckDB database") from None
    try:
        ident = ".".join('"' + p.replace('"', '""') + '"' for p in (source.schema or "main", source.table))
        try:
            reader = con.sql(f"SELECT * FROM {ident}").to_arrow_reader(batch_rows)  # noqa: S608 (quoted identifier)
            yield from _numbered(reader)
        except duckdb.Error:
            raise ReadError("cannot read the table") from None
    finally:
        con.close()
