"""The access-log auditor: which searches of the city's shared systems were for immigration enforcement.

License-plate-reader audit logs first (prior-art.md section 3), any CSV / JSON Lines / Parquet log
with a column-mapping file after that.

- ``profiles``: log sources as data (``profiles/*.yaml``), columns found by header name.
- ``reader``: bounded canonical batches; malformed rows counted and reported by line.
- ``rules``: the classifier as data (``rules/classifier.yaml``): ordered who / why / how rules.
- ``sql`` + ``engine``: the rules as one DuckDB query per batch (Parquet: per file), no Python loop
  per row; ``spark``: the same rules on PySpark.
- ``summary``, ``export``, ``report``: counts only; identifiers only in the flagged export on request.

Exit codes of ``separation access audit``: 0 nothing found, 1 immigration enforcement found (by
reason, or a federal immigration agency / listed partner / search on their behalf), 2 bad input.
"""

from __future__ import annotations

from separation.access.engine import audit, classify_table
from separation.access.export import FlaggedWriter
from separation.access.profiles import (
    Profile,
    builtin_profiles,
    detect_profile,
    load_profile,
    resolve_profile,
)
from separation.access.report import render_html
from separation.access.rules import CATEGORIES, Rule, RuleSet, default_rules, load_rules
from separation.access.summary import Summary

__all__ = [
    "CATEGORIES",
    "FlaggedWriter",
    "Profile",
    "Rule",
    "RuleSet",
    "Summary",
    "audit",
    "builtin_profiles",
    "classify_table",
    "default_rules",
    "detect_profile",
    "load_profile",
    "load_rules",
    "render_html",
    "resolve_profile",
]
