"""The public shapes as JSON Schema files (``schemas/*.schema.json``), generated from models.

Request and Decision are the engine's own models. The firewall, the scanner and the access auditor
produce plain JSON objects for speed; the models below describe those objects so that the schema
files exist, and tests check that real outputs validate against them. ``separation schemas
--write`` regenerates the files; a test fails when they drift from the models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from separation.policy.model import Decision, Request

__all__ = ["PUBLIC_SHAPES", "render_schema", "schema_files"]

Kind = Literal["status", "identifier", "question"]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Finding(_Shape):
    """CONTRACTS.md section 3: a span of text; never the matched text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: Kind
    score: float = Field(ge=0, le=1)
    rule: str
    language: str


class DetectLine(_Shape):
    """One output line of ``separation detect``."""

    id: Any
    findings: list[Finding]


class ScanColumn(_Shape):
    column: str | None
    kinds: list[Kind]
    reasons: list[Literal["name", "values", "text"]]
    rows_flagged: int = Field(ge=0)
    rows: list[int]
    rows_truncated: bool | None = None


class ScanSource(_Shape):
    model_config = ConfigDict(extra="allow")  # per-source details (format, counts) may be added
    source: str
    columns: list[ScanColumn]
    errors: list[Any]
    # The key columns of the source (a table's primary key, or ``--key``), and per flagged column
    # the keys of its flagged rows in the order of ``rows``; withheld when a key column is flagged.
    key: list[str] | None = None
    keys: dict[str, list[Any]] | None = None
    keys_withheld: bool | None = None


class ScanReport(_Shape):
    """CONTRACTS.md section 4: the machine output of ``scan --json``."""

    sources: list[ScanSource]
    summary: dict[str, Any]


class FlaggedEntry(_Shape):
    """CONTRACTS.md section 4: one line of ``access audit --flagged OUT.jsonl``."""

    model_config = ConfigDict(extra="allow")  # identifiers appear only with --include-identifiers
    row: int = Field(ge=1)
    category: Literal["immigration_enforcement", "vague_or_missing", "criminal_stated", "other"]
    rule: str
    federal_immigration_agency: bool
    file: str | None = None


PUBLIC_SHAPES: dict[str, Callable[[], type[BaseModel]]] = {
    "request": lambda: Request,
    "decision": lambda: Decision,
    "finding": lambda: Finding,
    "detect-line": lambda: DetectLine,
    "scan-report": lambda: ScanReport,
    "access-flagged-entry": lambda: FlaggedEntry,
}


def render_schema(name: str) -> str:
    model = PUBLIC_SHAPES[name]()
    mode: Any = "validation" if name == "request" else "serialization"
    schema = model.model_json_schema(mode=mode)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://separation.invalid/schemas/{name}.schema.json"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def schema_files(directory: Path) -> dict[Path, str]:
    """Each schema file's path and the text it must hold."""
    return {directory / f"{name}.schema.json": render_schema(name) for name in PUBLIC_SHAPES}
