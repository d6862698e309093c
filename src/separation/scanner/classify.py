"""Column classification over Arrow batches: by name, by values, and by the detector on free text.

Pure: takes Arrow data in, returns tallies out (no I/O), so the local engine, the worker processes and
the Spark workers all classify in exactly the same way. Decisions are made per cell (never from a
batch-level statistic), so that how the rows are cut into batches cannot change the report.

A cell is checked
- by *value* when it is short (a status vocabulary entry such as "LPR", an identifier such as an
  A-number); purely numeric cells are skipped, since a bare number is never an identifier on its own;
- by *text* (the detector) when it holds whitespace and was not already flagged by value.
Distinct values are classified once per batch (dictionary encoding), so short-code columns cost one
detector call per code, not per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from separation.scanner import _firewall
from separation.scanner.allow import AllowList
from separation.scanner.report import REASONS, ColumnReport, SourceError, SourceReport

__all__ = [
    "DOCUMENT_COLUMN",
    "ClassifyOptions",
    "ColumnTally",
    "SourceTally",
    "classify_batch",
    "needs_values",
]

# Column name a reader gives to the text of a document (lines, pages, paragraphs); reported as null.
DOCUMENT_COLUMN = "\x00text"

_MAX_ERRORS_PER_SOURCE = 100
_MEMO_LIMIT = 200_000  # distinct values remembered per scan (and process)
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClassifyOptions:
    row_limit: int = 1000  # row numbers listed per column before `rows_truncated`
    value_max_chars: int = 64  # longer cells are text, not codes
    text_min_chars: int = 8  # shorter cells with whitespace are not worth the detector
    max_cell_chars: int = 1_000_000  # huge cells: only this much is scanned, and the source says so


@dataclass
class ColumnTally:
    column: str | None
    kinds: set[str] = field(default_factory=set)
    reasons: set[str] = field(default_factory=set)
    rows_flagged: int = 0
    rows: list[int] = field(default_factory=list)
    rows_truncated: bool = False
    keys: list[Any] = field(default_factory=list)  # the key of each listed row, when the source has one

    def add_rows(self, rows: list[int], total: int, limit: int, keys: list[Any] | None = None) -> None:
        self.rows_flagged += total
        room = limit - len(self.rows)
        if room > 0:
            self.rows.extend(rows[:room])
            if keys is not None:
                self.keys.extend(keys[:room])
        if total > max(room, 0):
            self.rows_truncated = True

    def merge(self, other: ColumnTally, limit: int) -> None:
        """Add a tally of rows that come after this one's."""
        self.kinds |= other.kinds
        self.reasons |= other.reasons
        self.add_rows(other.rows, other.rows_flagged, limit, other.keys)
        self.rows_truncated = self.rows_truncated or other.rows_truncated

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    def to_report(self, basis: str | None = None, position: int = 0) -> ColumnReport:
        column = None if self.column == DOCUMENT_COLUMN else self.column
        shown = _shown_name(column, position)
        return ColumnReport(
            column=shown,
            name=column if shown != column else None,
            kinds=sorted(self.kinds),
            reasons=[r for r in REASONS if r in self.reasons],
            rows_flagged=self.rows_flagged,
            rows=list(self.rows),
            rows_truncated=self.rows_truncated,
            basis=basis,
        )

    def to_state(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "kinds": sorted(self.kinds),
            "reasons": sorted(self.reasons),
            "rows_flagged": self.rows_flagged,
            "rows": self.rows,
            "rows_truncated": self.rows_truncated,
            "keys": self.keys,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> ColumnTally:
        return cls(
            column=data["column"],
            kinds=set(data["kinds"]),
            reasons=set(data["reasons"]),
            rows_flagged=int(data["rows_flagged"]),
            rows=[int(r) for r in data["rows"]],
            rows_truncated=bool(data["rows_truncated"]),
            keys=list(data.get("keys", [])),
        )


@dataclass
class SourceTally:
    """What has been seen of one source so far; tallies of consecutive parts merge in row order."""

    columns: dict[str, ColumnTally] = field(default_factory=dict)
    rows_scanned: int = 0
    rows_flagged: int = 0
    errors: list[SourceError] = field(default_factory=list)
    key: tuple[str, ...] = ()  # the columns whose values identify a row (primary key, or --key)
    # Results already known for a distinct value (a pure function of the value, so one cache serves
    # every column and source of a scan): documents and cells apart. Never saved or merged.
    memo: dict[bool, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    # The verdicts on the last dictionary of each column (see ``_check_strings``). Never saved.
    verdicts: dict[str, _Verdicts] = field(default_factory=dict, repr=False, compare=False)

    def column(self, name: str) -> ColumnTally:
        tally = self.columns.get(name)
        if tally is None:
            tally = self.columns[name] = ColumnTally(name)
        return tally

    def add_error(self, error: SourceError) -> None:
        if len(self.errors) < _MAX_ERRORS_PER_SOURCE:
            self.errors.append(error)

    def merge(self, other: SourceTally, limit: int) -> None:
        for name, tally in other.columns.items():
            self.column(name).merge(tally, limit)
        self.rows_scanned += other.rows_scanned
        self.rows_flagged += other.rows_flagged
        self.key = self.key or other.key
        for error in other.errors:
            self.add_error(error)

    def to_report(self, source: str, kind: str, allow: AllowList) -> SourceReport:
        report = SourceReport(source=source, kind=kind, rows_scanned=self.rows_scanned)
        report.rows_flagged = self.rows_flagged
        positions = {name: i for i, name in enumerate(self.columns, start=1)}
        report.errors = [
            SourceError(e.reason, _shown_name(e.column, positions.get(e.column or "", 0)), e.row)
            for e in self.errors
        ]
        for name, tally in self.columns.items():
            if not tally.flagged:
                continue
            column = None if name == DOCUMENT_COLUMN else name
            basis = allow.basis_for(source, column)
            if basis is None:
                report.columns.append(tally.to_report(position=positions[name]))
            else:
                report.allowed.append(tally.to_report(basis, positions[name]))
        if self.key and all(k in self.columns for k in self.key):
            report.key = list(self.key)
            if any(self.columns[k].flagged for k in self.key):
                # The key's own values hold status data or identifiers: a report never carries them.
                report.keys_withheld = "the key column is itself flagged"
            else:
                for col in (*report.columns, *report.allowed):
                    tally = self.columns[DOCUMENT_COLUMN if col.key is None else col.key]
                    if len(tally.keys) == len(tally.rows):
                        report.keys[col.column or ""] = list(tally.keys)
        return report

    def to_state(self) -> dict[str, Any]:
        return {
            "columns": [t.to_state() for t in self.columns.values()],
            "rows_scanned": self.rows_scanned,
            "rows_flagged": self.rows_flagged,
            "errors": [e.to_dict() for e in self.errors],
            "key": list(self.key),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> SourceTally:
        tally = cls(
            rows_scanned=int(data["rows_scanned"]),
            rows_flagged=int(data["rows_flagged"]),
            key=tuple(data.get("key", ())),
        )
        for col in data["columns"]:
            t = ColumnTally.from_state(col)
            tally.columns[str(t.column)] = t
        tally.errors = [SourceError.from_dict(e) for e in data["errors"]]
        return tally


@lru_cache(maxsize=1)
def _vocabulary_keys() -> pa.Array | None:
    keys = _firewall.status_value_keys()
    return None if keys is None else pa.array(sorted(keys), pa.string())


def _value_candidates(stripped: pa.Array) -> pa.Array:
    """True where a short cell may be in the status vocabulary (see ``_firewall.status_value_keys``)."""
    keys = _vocabulary_keys()
    if keys is None:
        return pa.array([True] * len(stripped), pa.bool_())
    bare = pc.replace_substring_regex(
        pc.utf8_lower(pc.replace_substring(stripped, "#", "number")), r"[^a-z0-9]+", ""
    )
    in_vocab = pc.is_in(bare, value_set=keys)
    return pc.or_(pc.fill_null(in_vocab, False), pc.invert(pc.string_is_ascii(stripped)))


def _shown_name(column: str | None, position: int) -> str | None:
    """The column's name, unless the name is itself a status value or an identifier (a data row
    read as the header): then a stand-in, since a report never carries a value."""
    if column is None or not column.strip():
        return column
    try:
        kind = _firewall.cell_kind(column.strip())
        # "citizenship" is a column's name; "A123456789", "Permanent resident" or a sentence about a
        # person's status is a cell's value.
        flagged = (
            kind == "identifier"
            or (kind is not None and _firewall.column_name_kind(column) is None)
            or (len(column.split()) >= 4 and bool(_firewall.text_kinds([column])[0]))
        )
    except Exception:  # no detector, no judgement: withhold rather than risk a value
        flagged = True
    return f"(column {position}, name withheld)" if flagged else column


def needs_values(name: str, typ: pa.DataType, key: Sequence[str] = ()) -> bool:
    """Whether classifying a column needs its cells. Text columns are checked cell by cell, a column
    whose name is flagged counts its filled cells, and key columns give the keys of flagged rows.
    Any other column (numbers, dates, booleans, binary) is decided by its name and Arrow type alone:
    a bare number is never an identifier, so its values need not even be read."""
    if _is_stringish(typ) or name in key:
        return True
    return name != DOCUMENT_COLUMN and _firewall.column_name_kind(name) is not None


def _is_stringish(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_stringish(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _as_dictionary(arr: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    if isinstance(arr, pa.ChunkedArray):
        if pa.types.is_dictionary(arr.type):
            arr = arr.unify_dictionaries()
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        return arr
    if pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_string())
    return pc.dictionary_encode(arr)


def _present(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """True where a cell holds something (not null, not blank)."""
    valid = pc.is_valid(arr)
    if _is_stringish(arr.type):
        if pa.types.is_dictionary(arr.type):
            arr = pc.cast(arr, arr.type.value_type)
        blank = pc.equal(pc.utf8_trim_whitespace(arr), "")
        return pc.and_(valid, pc.invert(pc.fill_null(blank, True)))
    return valid


@dataclass
class _CellFlags:
    value_mask: pa.Array | None = None
    text_mask: pa.Array | None = None
    value_kinds: set[str] = field(default_factory=set)
    text_kinds: set[str] = field(default_factory=set)
    huge_rows: list[int] = field(default_factory=list)
    detector_failed: bool = False


@dataclass
class _Verdicts:
    """What the classifier decided for each entry of one dictionary (distinct values of a batch).

    Parquet batches of one row group share the row group's dictionary: the next batch with an equal
    dictionary reuses these verdicts instead of classifying the same values again.
    """

    dictionary: pa.Array
    value_flag: np.ndarray  # bool per dictionary entry: flagged by value
    text_flag: np.ndarray  # bool per dictionary entry: flagged by the detector on text
    kinds: dict[int, frozenset[str]]  # dictionary entry -> its kinds (flagged entries only)
    huge: list[int]  # dictionary entries longer than ``max_cell_chars``
    detector_failed: bool = False
    decided: np.ndarray | None = None  # bool per entry: decided yet (None: all of them)

    def missing(self, used: np.ndarray | None) -> np.ndarray:
        """Of the entries ``used`` (None: all), those not decided yet."""
        if self.decided is None:
            return np.zeros(0, dtype=np.int64)
        if used is None:
            return np.flatnonzero(~self.decided)
        todo: np.ndarray = used[~self.decided[used]]
        return todo

    def learn(self, entries: np.ndarray, part: _Verdicts) -> None:
        """Take the verdicts ``part`` gives on the dictionary entries ``entries``."""
        assert self.decided is not None
        self.value_flag[entries] = part.value_flag
        self.text_flag[entries] = part.text_flag
        for k, kinds in part.kinds.items():
            self.kinds[int(entries[k])] = kinds
        self.huge.extend(int(entries[h]) for h in part.huge)
        if not part.detector_failed:
            self.decided[entries] = True
            if self.decided.all():
                self.decided = None


_SMALL_DICTIONARY = 2048  # distinct values looked up as they are; larger dictionaries are filtered first


def _lettered(stripped: pa.Array) -> pa.Array:
    """True where a stripped cell is not blank and holds a letter. Without one a cell can be neither a
    status word nor an identifier (each has a letter: "A", "EAC", "N"…; bare digit runs are never
    flagged alone), so it needs no detector call. RE2 inside Arrow, linear in the bytes."""
    # One RE2 pass: an ASCII letter, or any non-ASCII character (an accented letter); a blank cell has
    # neither. Each Arrow call costs tens of microseconds of Python around it, on every batch.
    return pc.fill_null(pc.match_substring_regex(stripped, "[A-Za-z]|[^\\x00-\\x7f]"), False)


def _verdicts(dictionary: pa.Array, opts: ClassifyOptions, document: bool, memo: dict[str, Any]) -> _Verdicts:
    """Classify the distinct values of a dictionary.

    Values already decided in this scan (codes recur across batches and files) are looked up by their
    raw form; the others go to ``_decide``. A large dictionary (a column of numbers or dates read as
    text, free text) is first cut, in Arrow, to the values that hold a letter, so that only those
    become Python strings. ``memo`` maps a raw value to its verdict: ``MISS``, or ("value" or "text",
    kinds).
    """
    n = len(dictionary)
    value_flag = np.zeros(n, dtype=bool)
    text_flag = np.zeros(n, dtype=bool)
    out = _Verdicts(dictionary, value_flag, text_flag, {}, [])
    if n == 0:
        return out
    miss = _firewall.MISS
    strings = dictionary if pa.types.is_string(dictionary.type) else dictionary.cast(pa.string())
    if n > _SMALL_DICTIONARY:
        at = pc.indices_nonzero(_lettered(strings))  # white space holds no letter: no trim needed
        where: list[int] = at.to_pylist()
        raw: list[str | None] = (strings if len(where) == n else pc.take(strings, at)).to_pylist()
    else:
        where = list(range(n))
        raw = strings.to_pylist()
    verdicts: list[Any] = list(map(memo.get, raw))  # type: ignore[arg-type]  # None is never a key
    todo = [j for j, v in enumerate(verdicts) if v is None and raw[j] is not None]
    if todo:
        decided = _decide(strings, [where[j] for j in todo], out, opts, document)
        for j, verdict in zip(todo, decided, strict=True):
            verdicts[j] = verdict
        short = opts.value_max_chars
        room = _MEMO_LIMIT - len(memo)
        if room > 0 and not out.detector_failed:
            learned = ((raw[j], verdicts[j]) for j in todo if len(raw[j] or "") <= short)
            memo.update(islice(learned, room))  # type: ignore[arg-type]  # todo holds no null
    for j, verdict in enumerate(verdicts):
        if verdict is miss or verdict is None:
            continue
        how, kinds = verdict
        i = where[j]
        (value_flag if how == "value" else text_flag)[i] = True
        out.kinds[i] = kinds
    return out


def _decide(
    strings: pa.Array, entries: list[int], out: _Verdicts, opts: ClassifyOptions, document: bool
) -> list[Any]:
    """The verdicts on the dictionary ``entries`` (none of them null): one batched detector pass over
    the ones that hold a letter, whose findings give both the text kinds and ``value_kind``'s answer for
    short cells (see ``_firewall.classify_cells``), at a fraction of calling ``value_kind`` cell by cell.
    """
    miss = _firewall.MISS
    verdicts: list[Any] = [miss] * len(entries)
    sub_raw = strings if len(entries) == len(strings) else pc.take(strings, pa.array(entries, pa.int64()))
    stripped = pc.utf8_trim_whitespace(sub_raw)
    at = pc.indices_nonzero(_lettered(stripped))
    if len(at) == 0:
        return verdicts
    sub = stripped if len(at) == len(entries) else pc.take(stripped, at)
    index: list[int] = at.to_pylist()  # position in ``entries`` of each value of ``sub``
    values: list[str] = sub.to_pylist()
    lengths = pc.utf8_length(sub)
    candidate = [False] * len(values)
    if document:
        short = candidate.copy()
    else:
        short_mask = pc.less_equal(lengths, opts.value_max_chars)
        short = short_mask.to_pylist()
        short_at = pc.indices_nonzero(short_mask)
        if len(short_at):  # the vocabulary holds short phrases only: long texts need no look-up
            maybe = _value_candidates(pc.take(sub, short_at))
            for j in pc.indices_nonzero(maybe).to_pylist():
                candidate[short_at[j].as_py()] = True
    texts = values
    limit = opts.max_cell_chars
    if (pc.max(lengths).as_py() or 0) > limit:
        texts = list(values)
        for j in pc.indices_nonzero(pc.greater(lengths, limit)).to_pylist():
            out.huge.append(entries[index[j]])
            texts[j] = texts[j][:limit]
    try:
        found = _firewall.classify_cells(texts, short, candidate)
    except Exception:  # a detector failure on one batch is reported, never fatal
        out.detector_failed = True
        return verdicts
    for j, result in enumerate(found):
        if result is miss:
            continue
        kind, kinds = result
        if kind is not None:
            verdicts[index[j]] = ("value", frozenset((kind,)))
        elif kinds:
            s = values[j]
            if len(s) >= opts.text_min_chars and (document or not s.isalnum()):
                verdicts[index[j]] = ("text", kinds)
    return verdicts


def _bools(flags: np.ndarray) -> pa.Array:
    """A numpy bool array as an Arrow one (bit-packed directly: ``pa.array`` would import pandas)."""
    bits = np.packbits(flags, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(flags), [None, pa.py_buffer(bits.tobytes())])


def _check_strings(
    arr: pa.Array | pa.ChunkedArray,
    opts: ClassifyOptions,
    document: bool,
    memo: dict[str, Any] | None = None,
    cache: dict[str, _Verdicts] | None = None,
    column: str = "",
) -> _CellFlags:
    """Flags per distinct value, mapped back to rows through the dictionary indices.

    ``cache`` holds the last dictionary's verdicts per column; kinds count only for entries that some
    row of this batch uses, so that a dictionary shared by several batches (a Parquet row group)
    reports each batch exactly as a dictionary of its own values would.
    """
    memo = {} if memo is None else memo
    enc = _as_dictionary(arr)
    dictionary = enc.dictionary
    indices = enc.indices
    n = len(dictionary)
    verdicts = cache.get(column) if cache is not None else None
    if verdicts is None or len(verdicts.dictionary) != n or not verdicts.dictionary.equals(dictionary):
        verdicts = _Verdicts(dictionary, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), {}, [])
        verdicts.decided = np.zeros(n, dtype=bool)
        if cache is not None:
            cache[column] = verdicts
    failed = False
    if verdicts.decided is not None:
        # A dictionary with many more entries than this batch uses (a sample, a short last batch of a
        # row group): only the entries some row uses are decided now, the others when a row uses them.
        used = None
        if pa.types.is_dictionary(arr.type) and len(indices) < 4 * n:
            used = pc.unique(pc.drop_null(indices)).to_numpy().astype(np.int64)
        todo = verdicts.missing(used)
        if len(todo):
            whole = len(todo) == n
            part = _verdicts(
                dictionary if whole else pc.take(dictionary, pa.array(todo)), opts, document, memo
            )
            verdicts.learn(todo, part)
            failed = part.detector_failed
    out = _CellFlags(detector_failed=failed)
    if verdicts.kinds:
        for flag, attr in ((verdicts.value_flag, "value"), (verdicts.text_flag, "text")):
            if not flag.any():
                continue
            mask = pc.fill_null(pc.take(_bools(flag), indices), False)
            rows_at = pc.indices_nonzero(mask)
            if len(rows_at) == 0:
                continue
            entries = pc.unique(pc.take(indices, rows_at)).to_pylist()
            kinds: set[str] = set()
            for e in entries:
                kinds |= verdicts.kinds[e]
            if attr == "value":
                out.value_mask, out.value_kinds = mask, kinds
            else:
                out.text_mask, out.text_kinds = mask, kinds
    for entry in verdicts.huge:
        first = int(pc.index(indices, entry).as_py())
        if first >= 0:
            out.huge_rows.append(first)
    return out


def _row_numbers(positions: pa.Array, rows: int | pa.Array) -> list[int]:
    """1-based data-row numbers of the given batch positions."""
    if isinstance(rows, int):
        return [int(p) + rows + 1 for p in positions.to_pylist()]
    return [int(r) for r in pc.take(rows, positions).to_pylist()]


def classify_batch(
    table: pa.Table | pa.RecordBatch,
    rows: int | pa.Array,
    tally: SourceTally,
    *,
    source: str,
    allow: AllowList,
    opts: ClassifyOptions,
    document: bool = False,
) -> None:
    """Classify one batch into ``tally``.

    ``rows`` is the 0-based index of the batch's first row in the source (contiguous batches), or an
    array of the 1-based row numbers of each of its rows (samples, Spark partitions). When
    ``tally.key`` names columns of the batch, the flagged rows' keys are listed beside their numbers.
    """
    n = table.num_rows
    tally.rows_scanned += n
    if n == 0:
        return
    names = set(table.column_names)
    key = [table.column(k) for k in tally.key] if tally.key and all(k in names for k in tally.key) else None
    union: pa.Array | None = None
    for name in table.column_names:
        arr = table.column(name)
        col = tally.column(name)
        masks: list[pa.Array] = []
        name_kind = None if name == DOCUMENT_COLUMN else _firewall.column_name_kind(name)
        if name_kind is not None:
            col.kinds.add(name_kind)
            col.reasons.add("name")
            masks.append(_present(arr))
        if _is_stringish(arr.type):
            flags = _check_strings(
                arr,
                opts,
                document or name == DOCUMENT_COLUMN,
                tally.memo.setdefault(document or name == DOCUMENT_COLUMN, {}),
                tally.verdicts,
                name,
            )
            if flags.value_mask is not None:
                col.kinds |= flags.value_kinds
                col.reasons.add("values")
                masks.append(flags.value_mask)
            if flags.text_mask is not None:
                col.kinds |= flags.text_kinds
                col.reasons.add("text")
                masks.append(flags.text_mask)
            report_name = None if name == DOCUMENT_COLUMN else name
            for pos in flags.huge_rows:
                row = _row_numbers(pa.array([pos], pa.int64()), rows)[0]
                tally.add_error(
                    SourceError(
                        f"cell longer than {opts.max_cell_chars} characters; only the start was scanned",
                        column=report_name,
                        row=row,
                    )
                )
            if flags.detector_failed:
                tally.add_error(SourceError("the detector failed on part of this column", column=report_name))
        if not masks:
            continue
        mask = masks[0]
        for m in masks[1:]:
            mask = pc.or_(mask, m)
        positions = pc.indices_nonzero(mask)
        total = len(positions)
        if total:
            room = max(opts.row_limit - len(col.rows), 0)
            listed = positions.slice(0, room)
            keys = _keys(key, listed) if key is not None else None
            col.add_rows(_row_numbers(listed, rows), total, opts.row_limit, keys)
            column = None if name == DOCUMENT_COLUMN else name
            if allow.basis_for(source, column) is None:
                union = mask if union is None else pc.or_(union, mask)
    if union is not None:
        tally.rows_flagged += int(pc.sum(pc.cast(union, pa.int64())).as_py() or 0)


def _key_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _keys(key: list[pa.Array | pa.ChunkedArray], positions: pa.Array) -> list[Any]:
    """The key of each row at ``positions``: one value, or a list for a composite key."""
    parts = [[_key_value(v) for v in pc.take(arr, positions).to_pylist()] for arr in key]
    if len(parts) == 1:
        return parts[0]
    return [list(k) for k in zip(*parts, strict=True)]


def merge_tallies(parts: Iterable[SourceTally], limit: int) -> SourceTally:
    """Merge tallies of consecutive parts of one source, in row order."""
    total = SourceTally()
    for part in parts:
        total.merge(part, limit)
    return total
