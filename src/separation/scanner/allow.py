"""Lawful exceptions: sources or columns that must hold status by law, each with its legal basis.

The allow-list is YAML::

    allow:
      - source: "hr/i9/*.xlsx"          # glob on the source name (path relative to the target, or TABLE)
        basis: "Form I-9 employment eligibility verification, 8 U.S.C. 1324a"
      - source: "prosecution_cases"
        column: "citizenship*"          # optional glob on the column name; every column when absent
        basis: "Prosecution files, Minneapolis Code 19.30(a)(2)"

Matched columns are reported apart, as allowed with their basis, and ``clean`` leaves them alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from separation.errors import InputError

__all__ = ["AllowEntry", "AllowList", "load_allow_list"]

_MAX_BYTES = 1_000_000
_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class AllowEntry:
    source: str
    basis: str
    column: str | None = None

    def covers(self, source: str, column: str | None) -> bool:
        if not fnmatchcase(source.lower(), self.source.lower()):
            return False
        if self.column is None or self.column == "*":
            return True
        return column is not None and fnmatchcase(column.lower(), self.column.lower())


@dataclass(frozen=True)
class AllowList:
    entries: tuple[AllowEntry, ...] = ()

    def basis_for(self, source: str, column: str | None) -> str | None:
        """The legal basis that allows this column of this source, or None."""
        for entry in self.entries:
            if entry.covers(source, column):
                return entry.basis
        return None

    def to_data(self) -> list[dict[str, Any]]:
        return [{"source": e.source, "column": e.column, "basis": e.basis} for e in self.entries]

    @classmethod
    def from_data(cls, data: Any, *, where: str = "allow-list") -> AllowList:
        if isinstance(data, dict):
            data = data.get("allow")
        if not isinstance(data, list):
            raise InputError("expected a list under 'allow'", where=where)
        if len(data) > _MAX_ENTRIES:
            raise InputError(f"more than {_MAX_ENTRIES} entries", where=where)
        entries = []
        for i, item in enumerate(data, start=1):
            at = f"{where} entry {i}"
            if not isinstance(item, dict):
                raise InputError("expected a mapping with 'source' and 'basis'", where=at)
            unknown = set(item) - {"source", "column", "basis"}
            if unknown:
                raise InputError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", where=at)
            source, basis, column = item.get("source"), item.get("basis"), item.get("column")
            if not isinstance(source, str) or not source.strip():
                raise InputError("missing or empty", field="source", where=at)
            if not isinstance(basis, str) or not basis.strip():
                raise InputError(
                    "missing or empty: every exception must name its legal basis", field="basis", where=at
                )
            if column is not None and (not isinstance(column, str) or not column.strip()):
                raise InputError("must be a non-empty text when given", field="column", where=at)
            entries.append(AllowEntry(source=source.strip(), basis=basis.strip(), column=column))
        return cls(tuple(entries))


def load_allow_list(path: str | Path | None) -> AllowList:
    """Read and validate an allow-list file (None: an empty list)."""
    if path is None:
        return AllowList()
    p = Path(path)
    try:
        if p.stat().st_size > _MAX_BYTES:
            raise InputError(f"larger than {_MAX_BYTES} bytes", where=str(p))
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or type(exc).__name__})", where=str(p)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", where=str(p)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise InputError("not valid YAML", where=str(p)) from None
    return AllowList.from_data(data, where=str(p))
