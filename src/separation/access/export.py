"""The flagged-entry export (JSON Lines or CSV), the only output that may carry identifiers.

Each line is ``{"row": 17, "category": ..., "rule": ..., "federal_immigration_agency": false}``
(CONTRACTS.md section 4), with ``file`` when several files were audited, and these added names:
``rules`` (every rule that fired: why, who, how), ``org`` and ``searched_at``. User names, plates,
case numbers and reason text are added only when the caller asks for identifiers.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson
import pyarrow as pa

from separation.errors import InputError

__all__ = ["FlaggedWriter"]

_IDENTIFIERS = ("user", "plate", "case_number", "reason")
# A cell starting with one of these is a formula in spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FlaggedWriter:
    """A sink for ``engine.audit``: writes each flagged batch as it arrives (streaming)."""

    def __init__(self, path: Path, *, several_files: bool, include_identifiers: bool) -> None:
        self.path = path
        self.format = "csv" if path.suffix.lower() == ".csv" else "jsonl"
        self.several_files = several_files
        self.include_identifiers = include_identifiers
        self.written = 0
        self._handle: IO[str] | None = None
        self._csv: Any = None

    def __enter__(self) -> FlaggedWriter:
        try:
            self._handle = self.path.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise InputError(f"cannot write ({type(exc).__name__})", field="--flagged") from None
        if self.format == "csv":
            self._csv = csv.writer(self._handle)
            self._csv.writerow(self._keys())
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._handle is not None:
            self._handle.close()

    def _keys(self) -> list[str]:
        keys = ["row"]
        if self.several_files:
            keys.append("file")
        keys += ["category", "rule", "federal_immigration_agency", "rules", "org", "searched_at"]
        if self.include_identifiers:
            keys += list(_IDENTIFIERS)
        return keys

    def __call__(self, name: str, table: pa.Table) -> None:
        assert self._handle is not None, "use FlaggedWriter as a context manager"
        keys = self._keys()
        lines = []
        for item in table.to_pylist():
            entry: dict[str, Any] = {"row": item["row"]}
            if self.several_files:
                entry["file"] = name
            entry["category"] = item["category"]
            entry["rule"] = item["rule"]
            entry["federal_immigration_agency"] = bool(item["federal_immigration_agency"])
            entry["rules"] = [r for r in (item["why_rule"], item["who_rule"], item["how_rule"]) if r]
            entry["org"] = item["org"]
            entry["searched_at"] = item["searched_at"]
            if self.include_identifiers:
                for key in _IDENTIFIERS:
                    entry[key] = item.get(key)
            if self.format == "csv":
                self._csv.writerow([_cell(entry[k]) for k in keys])
            else:
                lines.append(orjson.dumps(entry).decode())
        if lines:
            self._handle.write("\n".join(lines) + "\n")
        self.written += table.num_rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
