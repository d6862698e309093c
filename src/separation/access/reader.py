"""Read one log file into bounded Arrow batches of canonical, all-text columns.

Each batch carries ``row`` (the 1-based data row of its file, the number a person sees in a
spreadsheet after the header) and every canonical field of ``profiles.CANONICAL_FIELDS`` as text
(null when the file has no such column, ``""`` when the cell is empty). Typing (numbers,
timestamps) happens later, vectorised, in the engine.

CSV has a fast path and a careful path. The fast path is Arrow's streaming C++ reader (UTF-8 BOM,
quoted multi-line cells such as the two-line "Time Frame"). Arrow cannot say on which line a bad
row sits, so on the first malformed row it stops; the rows it already handed out are exact, and the
careful path (Python's ``csv`` module) resumes after them, reporting each malformed row by the line
it starts on and carrying on. A malformed row is counted and reported, never fatal, and never shifts
the row numbers of the rows after it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from separation.access.profiles import CANONICAL_FIELDS, Profile, detect_profile
from separation.errors import InputError

__all__ = [
    "CANONICAL_SCHEMA",
    "DEFAULT_BATCH_ROWS",
    "MAX_MALFORMED_LISTED",
    "LogSource",
    "Malformed",
    "open_source",
    "source_format",
]

CANONICAL_SCHEMA = pa.schema(
    [pa.field("row", pa.int64())] + [pa.field(f, pa.string()) for f in CANONICAL_FIELDS]
)
DEFAULT_BATCH_ROWS = 256_000
MAX_MALFORMED_LISTED = 100  # every malformed row is counted; the first ones are listed by line
_MAX_CELL_BYTES = 1 << 20  # a single cell larger than this is a malformed row, not a memory problem
_ARROW_BLOCK_BYTES = 16 << 20
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class Malformed:
    """A row that could not be read: where it starts and what is wrong (never its content)."""

    line: int
    problem: str


@dataclass
class LogSource:
    """One opened log file: its profile, the fields found, and (once read) its counts."""

    path: Path
    name: str
    profile: Profile
    fmt: str
    mapping: dict[str, str]
    headers: list[str]
    batch_rows: int = DEFAULT_BATCH_ROWS
    rows: int = 0
    malformed_count: int = 0
    malformed: list[Malformed] = field(default_factory=list)
    # Canonical fields to load (None: all found). The others stay null in the batches, which
    # spares parsing columns nobody reads, such as the long two-line time frame.
    load_only: frozenset[str] | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """The canonical fields this file has (whether or not they are loaded)."""
        return tuple(f for f in CANONICAL_FIELDS if f in self.mapping)

    def _loaded(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if self.load_only is None or f in self.load_only)

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The file's rows in canonical batches, in file order."""
        if self.fmt == "parquet":
            yield from self._parquet()
        elif self.fmt == "jsonl":
            yield from self._jsonl()
        else:
            yield from self._csv()

    # -- bookkeeping ------------------------------------------------------------------------

    def _bad(self, line: int, problem: str) -> None:
        self.malformed_count += 1
        if len(self.malformed) < MAX_MALFORMED_LISTED:
            self.malformed.append(Malformed(line, problem))

    def _canonical(self, columns: dict[str, pa.Array], length: int, first_row: int) -> pa.RecordBatch:
        ones = pa.repeat(pa.scalar(1, pa.int64()), length)
        rows = pc.add(pc.cumulative_sum(ones), pa.scalar(first_row - 1, pa.int64()))
        arrays: list[pa.Array] = [rows]
        for name in CANONICAL_FIELDS:
            array = columns.get(name)
            if array is None:
                arrays.append(pa.nulls(length, pa.string()))
            else:
                arrays.append(array if array.type == pa.string() else pc.cast(array, pa.string()))
        return pa.RecordBatch.from_arrays(arrays, schema=CANONICAL_SCHEMA)

    def _from_lists(
        self, values: dict[str, list[str | None]], first_row: int, rows: list[int]
    ) -> pa.RecordBatch:
        batch = self._canonical(
            {k: pa.array(v, pa.string()) for k, v in values.items()}, len(rows), first_row
        )
        # Malformed rows keep their numbers, so rows of the careful path need not be consecutive.
        return batch.set_column(0, "row", pa.array(rows, pa.int64()))

    # -- CSV --------------------------------------------------------------------------------

    def _csv(self) -> Iterator[pa.RecordBatch]:
        wanted = {self.mapping[f]: f for f in self._loaded()}
        emitted = 0
        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(block_size=_ARROW_BLOCK_BYTES, use_threads=True),
                parse_options=pacsv.ParseOptions(delimiter=self.profile.delimiter, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={h: pa.string() for h in self.headers},
                    include_columns=list(wanted),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                columns = {wanted[name]: batch.column(name) for name in batch.schema.names}
                yield self._canonical(columns, batch.num_rows, emitted + 1)
                emitted += batch.num_rows
                self.rows = emitted
        except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError):
            yield from self._csv_careful(skip=emitted)

    def _csv_careful(self, skip: int) -> Iterator[pa.RecordBatch]:
        wanted = [(self.headers.index(self.mapping[f]), f) for f in self._loaded()]
        width = len(self.headers)
        values: dict[str, list[str | None]] = {f: [] for _, f in wanted}
        rows: list[int] = []
        ordinal = 0
        csv.field_size_limit(_MAX_CELL_BYTES)
        with self.path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.profile.delimiter)
            header_seen = False
            last_line = 0
            while True:
                start = last_line + 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error:
                    last_line = reader.line_num
                    ordinal += 1
                    if ordinal > skip:
                        self._bad(start, "unreadable CSV record (bad quoting or an oversized cell)")
                    continue
                last_line = reader.line_num
                if not record:
                    continue  # blank line: not a row, as in the fast path
                if not header_seen:
                    header_seen = True
                    continue
                ordinal += 1
                if ordinal <= skip:
                    continue
                if len(record) != width:
                    self._bad(start, f"expected {width} fields, found {len(record)}")
                    continue
                rows.append(ordinal)
                for index, name in wanted:
                    values[name].append(record[index])
                if len(rows) >= self.batch_rows:
                    yield self._from_lists(values, rows[0], rows)
                    values = {f: [] for _, f in wanted}
                    rows = []
        if rows:
            yield self._from_lists(values, rows[0], rows)
        self.rows = ordinal

    # -- JSON Lines -------------------------------------------------------------------------

    def _jsonl(self) -> Iterator[pa.RecordBatch]:
        wanted = [(self.mapping[f], f) for f in self._loaded()]
        values: dict[str, list[str | None]] = {f: [] for _, f in wanted}
        rows: list[int] = []
        ordinal = 0
        with self.path.open("rb") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                ordinal += 1
                if len(line) > _MAX_CELL_BYTES:
                    self._bad(line_no, "line is too long")
                    continue
                try:
                    item = orjson.loads(line)
                except orjson.JSONDecodeError:
                    self._bad(line_no, "not valid JSON")
                    continue
                if not isinstance(item, dict):
                    self._bad(line_no, "not a JSON object")
                    continue
                rows.append(ordinal)
                for key, name in wanted:
                    values[name].append(_text(item.get(key)))
                if len(rows) >= self.batch_rows:
                    yield self._from_lists(values, rows[0], rows)
                    values = {f: [] for _, f in wanted}
                    rows = []
        if rows:
            yield self._from_lists(values, rows[0], rows)
        self.rows = ordinal

    # -- Parquet ----------------------------------------------------------------------------

    def _parquet(self) -> Iterator[pa.RecordBatch]:
        wanted = {self.mapping[f]: f for f in self._loaded()}
        emitted = 0
        try:
            parquet = pq.ParquetFile(self.path)
            for batch in parquet.iter_batches(batch_size=self.batch_rows, columns=list(wanted)):
                columns = {wanted[name]: batch.column(name) for name in batch.schema.names}
                yield self._canonical(columns, batch.num_rows, emitted + 1)
                emitted += batch.num_rows
                self.rows = emitted
        except (pa.ArrowException, OSError):
            raise InputError("cannot read Parquet data", where=self.name) from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return orjson.dumps(value).decode()


def source_format(path: Path, profile: Profile | None) -> str:
    """The file's format: from its extension, else from the profile, else CSV."""
    by_ext = _EXTENSIONS.get(path.suffix.lower())
    if by_ext is not None:
        return by_ext
    return profile.format if profile is not None else "csv"


def _headers(path: Path, fmt: str, delimiter: str, name: str) -> list[str]:
    try:
        if fmt == "parquet":
            return list(pq.read_schema(path).names)
        if fmt == "jsonl":
            with path.open("rb") as handle:
                for line in handle:
                    if line.strip():
                        try:
                            item = orjson.loads(line)
                        except orjson.JSONDecodeError:
                            continue
                        if isinstance(item, dict):
                            return [str(k) for k in item]
            return []
        csv.field_size_limit(_MAX_CELL_BYTES)
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            for record in csv.reader(handle, delimiter=delimiter):
                if record:
                    return list(record)
    except (OSError, csv.Error, pa.ArrowException):
        raise InputError("cannot read the file's header", where=name) from None
    return []


def open_source(
    path: Path,
    profile: Profile | None,
    *,
    name: str | None = None,
    candidates: dict[str, Profile] | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> LogSource:
    """Open one log file with the given profile, or the one detected from its headers."""
    label = name or path.name
    fmt = source_format(path, profile)
    delimiter = profile.delimiter if profile is not None else ("\t" if path.suffix.lower() == ".tsv" else ",")
    headers = _headers(path, fmt, delimiter, label)
    if not headers:
        raise InputError("no header row found", where=label)
    chosen = profile or detect_profile(headers, candidates)
    if chosen is None:
        raise InputError(
            "columns match no known log profile; pass --profile NAME or a mapping .yaml", where=label
        )
    missing = chosen.missing(headers)
    if missing:
        raise InputError(f"missing column(s) for profile {chosen.id}: {', '.join(missing)}", where=label)
    if profile is None and fmt == "csv" and chosen.delimiter != delimiter:
        headers = _headers(path, fmt, chosen.delimiter, label)
    return LogSource(
        path=path,
        name=label,
        profile=chosen,
        fmt=fmt,
        mapping=chosen.resolve(headers),
        headers=headers,
        batch_rows=batch_rows,
    )
