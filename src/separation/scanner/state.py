"""The resume state of a long scan: finished sources, and how far the current one got.

A JSON file rewritten atomically after each source and every few batches. It holds reports and
tallies only (kinds, counts, row numbers), never a value, so it is as safe to keep as the report.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from separation.errors import InputError

__all__ = ["ResumeState", "fingerprint"]

_VERSION = 1


def fingerprint(parts: Any) -> str:
    """Identity of a scan (targets and options): a state file only resumes the same scan."""
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


@dataclass
class ResumeState:
    path: Path
    fingerprint: str
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # source key -> SourceReport dict
    partial: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # key -> {"batches", "encoding", "tally"}

    @classmethod
    def open(cls, path: str | Path, fp: str) -> ResumeState:
        p = Path(path)
        if not p.exists():
            return cls(p, fp)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise InputError("not a readable resume state file", where=str(p)) from None
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise InputError("not a resume state file of this version", where=str(p))
        if data.get("fingerprint") != fp:
            raise InputError(
                "this state file belongs to a different scan (other targets or options)", where=str(p)
            )
        return cls(p, fp, dict(data.get("done", {})), dict(data.get("partial", {})))

    def save(self) -> None:
        data = {
            "version": _VERSION,
            "fingerprint": self.fingerprint,
            "done": self.done,
            "partial": self.partial,
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)
