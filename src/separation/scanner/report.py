"""The scan report: per source and column, kinds, reasons, counts and row numbers — never a value.

``ScanReport.to_dict()`` is the machine shape of ``separation scan --json`` (CONTRACTS.md §4).
Names are only ever added to it, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["REASONS", "ColumnReport", "ScanReport", "SourceError", "SourceReport"]

# Why a column was flagged: its name, its values (vocabulary or identifier format), or the detector on text.
REASONS = ("name", "values", "text")


@dataclass
class ColumnReport:
    """One flagged (or allowed) column of a source; ``column`` is None for a plain-text document."""

    column: str | None
    kinds: list[str]
    reasons: list[str]
    rows_flagged: int
    rows: list[int]
    rows_truncated: bool = False
    basis: str | None = None  # set when an allow-list entry covers the column
    # The column's own name when ``column`` shows a stand-in (a header that is itself a status value or
    # an identifier, as in a CSV without a header row): used by ``clean``, never written out.
    name: str | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str | None:
        """The column as the source names it."""
        return self.column if self.name is None else self.name

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "column": self.column,
            "kinds": self.kinds,
            "reasons": self.reasons,
            "rows_flagged": self.rows_flagged,
            "rows": self.rows,
        }
        if self.rows_truncated:
            out["rows_truncated"] = True
        if self.basis is not None:
            out["basis"] = self.basis
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnReport:
        return cls(
            column=data["column"],
            kinds=list(data["kinds"]),
            reasons=list(data["reasons"]),
            rows_flagged=int(data["rows_flagged"]),
            rows=[int(r) for r in data["rows"]],
            rows_truncated=bool(data.get("rows_truncated", False)),
            basis=data.get("basis"),
        )


@dataclass
class SourceError:
    """Something that stopped part of a source from being read; the reason never quotes data."""

    reason: str
    column: str | None = None
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reason": self.reason}
        if self.column is not None:
            out["column"] = self.column
        if self.row is not None:
            out["row"] = self.row
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceError:
        return cls(reason=str(data["reason"]), column=data.get("column"), row=data.get("row"))


@dataclass
class SourceReport:
    """One file, sheet or table: the columns flagged, the columns allowed by law, and read errors."""

    source: str
    kind: str
    columns: list[ColumnReport] = field(default_factory=list)
    allowed: list[ColumnReport] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    rows_scanned: int = 0
    rows_flagged: int = 0  # distinct rows with at least one flagged (not allowed) column
    # When the source has a key (a table's primary key, or ``--key`` for files): its columns, and per
    # flagged or allowed column (as ``column`` shows it) the key of each listed row, in ``rows`` order.
    # Withheld, with the reason, when the key column is itself flagged.
    key: list[str] | None = None
    keys: dict[str, list[Any]] = field(default_factory=dict)
    keys_withheld: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "format": self.kind,
            "columns": [c.to_dict() for c in self.columns],
            "allowed": [c.to_dict() for c in self.allowed],
            "errors": [e.to_dict() for e in self.errors],
            "rows_scanned": self.rows_scanned,
            "rows_flagged": self.rows_flagged,
        }
        if self.key is not None:
            out["key"] = self.key
            out["keys"] = self.keys
            if self.keys_withheld is not None:
                out["keys_withheld"] = self.keys_withheld
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceReport:
        return cls(
            source=data["source"],
            kind=data.get("format", ""),
            columns=[ColumnReport.from_dict(c) for c in data.get("columns", [])],
            allowed=[ColumnReport.from_dict(c) for c in data.get("allowed", [])],
            errors=[SourceError.from_dict(e) for e in data.get("errors", [])],
            rows_scanned=int(data.get("rows_scanned", 0)),
            rows_flagged=int(data.get("rows_flagged", 0)),
            key=data.get("key"),
            keys=dict(data.get("keys", {})),
            keys_withheld=data.get("keys_withheld"),
        )


@dataclass
class ScanReport:
    """Everything one scan found. ``sample`` is the share of rows read (1.0 in full mode)."""

    sources: list[SourceReport] = field(default_factory=list)
    sample: float = 1.0
    engine: str = "local"

    @property
    def found(self) -> bool:
        """True when any column is flagged outside the allow-list (the CLI's exit 1)."""
        return any(s.columns for s in self.sources)

    def summary(self) -> dict[str, Any]:
        return {
            "sources": len(self.sources),
            "columns_flagged": sum(len(s.columns) for s in self.sources),
            "rows_flagged": sum(s.rows_flagged for s in self.sources),
            "columns_allowed": sum(len(s.allowed) for s in self.sources),
            "errors": sum(len(s.errors) for s in self.sources),
            "rows_scanned": sum(s.rows_scanned for s in self.sources),
            "mode": "full" if self.sample >= 1.0 else "sample",
            "sample": self.sample,
            "engine": self.engine,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"sources": [s.to_dict() for s in self.sources], "summary": self.summary()}
