from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from separation.access.engine import classify_table, new_connection
from separation.access.profiles import Profile, load_profile
from separation.access.reader import open_source
from separation.access.rules import RuleSet, default_rules

FIXTURES = Path(__file__).parent / "fixtures"
OKALOOSA = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "real"
    / "okaloosa-alpr-audit-2025-11.csv"
)

# Fixture file -> the profile it needs (None: detected from its headers).
PROFILED: dict[str, str | None] = {
    "network-audit.csv": None,
    "org-audit.csv": None,
    "export-13.csv": None,
    "portal-search-audit.csv": None,
    "no-hits.csv": None,
    "malformed.csv": None,
    "generic-semicolon.csv": "generic-semicolon.yaml",
    "generic.jsonl": "generic.yaml",
    "reasons-labelled.csv": "reasons-labelled.yaml",
}


def profile_for(name: str) -> Profile | None:
    mapping = PROFILED[name]
    return load_profile(FIXTURES / mapping) if mapping else None


def classified(name: str, rules: RuleSet | None = None, *, guarded: bool = True) -> list[dict[str, object]]:
    """Every row of a fixture, classified by DuckDB, identifiers included (tests only)."""
    source = open_source(FIXTURES / name, profile_for(name))
    table = pa.Table.from_batches(list(source.batches()))
    con = new_connection()
    try:
        out = classify_table(
            con, table, rules or default_rules(), frozenset(source.fields), identifiers=True, guarded=guarded
        )
    finally:
        con.close()
    return out.to_pylist()


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return default_rules()
