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

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from separation.scanner import _firewall
from separation.scanner.allow import AllowList
from separation.scanner.report import REASONS, ColumnReport, SourceError, SourceReport

__all__ = ["DOCUMENT_COLUMN", "ClassifyOptions", "ColumnTally", "SourceTally", "classify_batch"]

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

    def add_rows(self, rows: list[int], total: int, limit: int) -> None:
        self.rows_flagged += total
        room = limit - len(self.rows)
        if room > 0:
            self.rows.extend(rows[:room])
        if total > max(room, 0):
            self.rows_truncated = True

    def merge(self, other: ColumnTally, limit: int) -> None:
        """Add a tally of rows that come after this one's."""
        self.kinds |= other.kinds
        self.reasons |= other.reasons
        self.add_rows(other.rows, other.rows_flagged, limit)
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
        )


@dataclass
class SourceTally:
    """What has been seen of one source so far; tallies of consecutive parts merge in row order."""

    columns: dict[str, ColumnTally] = field(default_factory=dict)
    rows_scanned: int = 0
    rows_flagged: int = 0
    errors: list[SourceError] = field(default_factory=list)
    # Results already known for a distinct value (a pure function of the value, so one cache serves
    # every column and source of a scan): documents and cells apart. Never saved or merged.
    memo: dict[bool, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

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
        return report

    def to_state(self) -> dict[str, Any]:
        return {
            "columns": [t.to_state() for t in self.columns.values()],
            "rows_scanned": self.rows_scanned,
            "rows_flagged": self.rows_flagged,
            "errors": [e.to_dict() for e in self.errors],
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> SourceTally:
        tally = cls(rows_scanned=int(data["rows_scanned"]), rows_flagged=int(data["rows_flagged"]))
        for col in data["columns"]:
            t = ColumnTally.from_state(col)
            tally.columns[str(t.column)] = t
        tally.errors = [SourceError.from_dict(e) for e in data["errors"]]
        return tally


def _value_candidates(stripped: pa.Array) -> pa.Array:
    """True where a short cell may be in the status vocabulary (see ``_firewall.status_value_keys``)."""
    keys = _firewall.status_value_keys()
    if keys is None:
        return pa.array([True] * len(stripped), pa.bool_())
    bare = pc.replace_substring_regex(
        pc.utf8_lower(pc.replace_substring(stripped, "#", "number")), r"[^a-z0-9]+", ""
    )
    in_vocab = pc.is_in(bare, value_set=pa.array(sorted(keys), pa.string()))
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


def _check_strings(
    arr: pa.Array | pa.ChunkedArray, opts: ClassifyOptions, document: bool, memo: dict[str, Any] | None = None
) -> _CellFlags:
    """Flags per distinct value, mapped back to rows through the dictionary indices.

    One batched detector pass over the distinct values (stripped) that hold a letter and are not
    already known; its findings give both the text kinds and ``value_kind``'s answer for short cells
    (see ``_firewall.classify_cells``), at a fraction of calling ``value_kind`` cell by cell.
    """
    memo = {} if memo is None else memo
    enc = _as_dictionary(arr)
    dictionary = enc.dictionary
    if not pa.types.is_string(dictionary.type):
        dictionary = dictionary.cast(pa.string())
    out = _CellFlags()
    n = len(dictionary)
    if n == 0:
        return out
    stripped = pc.utf8_trim_whitespace(dictionary)
    lengths = pc.fill_null(pc.utf8_length(stripped), 0)
    # Without a letter a cell can be neither a status word nor an identifier (each has a letter:
    # "A", "EAC", "N"…; bare digit runs are never flagged alone), so it costs no detector call.
    lettered = pc.or_(pc.match_substring_regex(stripped, "[A-Za-z]"), pc.invert(pc.string_is_ascii(stripped)))
    keep = pc.and_(pc.greater(lengths, 0), pc.fill_null(lettered, False))
    positions = pc.indices_nonzero(keep).to_pylist()
    if not positions:
        return out
    taken = pa.array(positions, pa.int64())
    sub = pc.take(stripped, taken)
    values: list[str] = sub.to_pylist()
    # Known results first (values recur across batches: codes, boilerplate text); then one detector
    # pass over the rest, which also gives value_kind's answer without a second pass.
    results: list[tuple[str | None, frozenset[str]] | None] = [memo.get(v) for v in values]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        if document:
            short = [False] * len(todo)
            candidate = [False] * len(todo)
        else:
            todo_arr = pc.take(sub, pa.array(todo, pa.int64()))
            short_mask = pc.less_equal(pc.utf8_length(todo_arr), opts.value_max_chars)
            short = short_mask.to_pylist()
            candidate = [False] * len(todo)
            at = pc.indices_nonzero(short_mask)
            if len(at):  # the vocabulary holds short phrases only: long texts need no look-up
                for j, maybe in zip(
                    at.to_pylist(), _value_candidates(pc.take(todo_arr, at)).to_pylist(), strict=True
                ):
                    candidate[j] = maybe
        texts = []
        for i in todo:
            value = values[i]
            if len(value) > opts.max_cell_chars:
                out.huge_rows.append(positions[i])
                value = value[: opts.max_cell_chars]
            texts.append(value)
        try:
            found = _firewall.classify_cells(texts, short, candidate)
        except Exception:  # a detector failure on one batch is reported, never fatal
            out.detector_failed = True
            found = [(None, _NONE)] * len(texts)
        room = _MEMO_LIMIT - len(memo)
        for i, fresh in zip(todo, found, strict=True):
            results[i] = fresh
            if room > 0 and len(values[i]) <= opts.max_cell_chars and not out.detector_failed:
                memo[values[i]] = fresh
                room -= 1
    value_flag = [False] * n
    text_flag = [False] * n
    for i, result in enumerate(results):
        assert result is not None
        kind, kinds = result
        if kind is not None:
            value_flag[positions[i]] = True
            out.value_kinds.add(kind)
        elif kinds:
            s = values[i].strip()
            if len(s) >= opts.text_min_chars and (document or not s.isalnum()):
                text_flag[positions[i]] = True
                out.text_kinds |= kinds
    indices = enc.indices
    if out.value_kinds:
        out.value_mask = pc.fill_null(pc.take(pa.array(value_flag, pa.bool_()), indices), False)
    if out.text_kinds:
        out.text_mask = pc.fill_null(pc.take(pa.array(text_flag, pa.bool_()), indices), False)
    if out.huge_rows:
        out.huge_rows = [int(pc.index(indices, i).as_py()) for i in out.huge_rows]
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
    array of the 1-based row numbers of each of its rows (samples, Spark partitions).
    """
    n = table.num_rows
    tally.rows_scanned += n
    if n == 0:
        return
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
            col.add_rows(_row_numbers(positions.slice(0, room), rows), total, opts.row_limit)
            column = None if name == DOCUMENT_COLUMN else name
            if allow.basis_for(source, column) is None:
                union = mask if union is None else pc.or_(union, mask)
    if union is not None:
        tally.rows_flagged += int(pc.sum(pc.cast(union, pa.int64())).as_py() or 0)


def merge_tallies(parts: Iterable[SourceTally], limit: int) -> SourceTally:
    """Merge tallies of consecutive parts of one source, in row order."""
    total = SourceTally()
    for part in parts:
        total.merge(part, limit)
    return total
