"""Log-source profiles: which header names hold which canonical field, as data files.

A profile maps the auditor's canonical fields (``reason``, ``org``, ``networks`` ...) to the header
names a log export uses for them, with aliases. Columns are found by header name in any order, so
a profile survives vendors reordering or renaming their exports. The built-in profiles live in
``profiles/*.yaml``; a data steward describes any other CSV, JSON Lines or Parquet source with a
column-mapping file of the same shape and passes its path as ``--profile``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from separation.errors import InputError

__all__ = [
    "CANONICAL_FIELDS",
    "FORMATS",
    "PRIVATE_FIELDS",
    "Profile",
    "builtin_profiles",
    "detect_profile",
    "load_profile",
    "normalise_header",
    "resolve_profile",
]

# The fields the classifier and the reports know about. Everything else in an export is ignored.
CANONICAL_FIELDS: tuple[str, ...] = (
    "id",
    "user",
    "org",
    "plate",
    "reason",
    "offense_type",
    "case_number",
    "networks",
    "devices",
    "time_frame",
    "time_frame_start",
    "time_frame_end",
    "search_time",
    "search_type",
    "text_prompt",
    "moderation",
    "filters",
)
# Fields that can identify a person or a vehicle (free text included): kept only for the flagged export with
# --include-identifiers, never shown in a summary, a report or a log.
PRIVATE_FIELDS: frozenset[str] = frozenset({"user", "plate", "case_number", "reason", "text_prompt", "id"})
FORMATS: frozenset[str] = frozenset({"csv", "jsonl", "parquet"})
_MAX_PROFILE_BYTES = 256 * 1024


def normalise_header(name: str) -> str:
    """Header comparison key: case, BOM, underscores and runs of spaces do not matter."""
    text = name.replace("\ufeff", "").strip().lower().replace("_", " ")
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Profile:
    """One log source: its format, the header aliases of each canonical field, the required ones."""

    id: str
    title: str
    format: str
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    delimiter: str = ","
    source: str = "builtin"

    def resolve(self, headers: Iterable[str]) -> dict[str, str]:
        """Canonical field -> the actual header of this file that holds it (first alias found)."""
        by_key: dict[str, str] = {}
        for header in headers:
            by_key.setdefault(normalise_header(header), header)
        found: dict[str, str] = {}
        for field, aliases in self.columns.items():
            for alias in aliases:
                actual = by_key.get(normalise_header(alias))
                if actual is not None:
                    found[field] = actual
                    break
        return found

    def missing(self, headers: Iterable[str]) -> list[str]:
        """Required canonical fields this file's headers do not provide."""
        found = self.resolve(headers)
        return [field for field in self.required if field not in found]


def _as_profile(data: Any, source: str) -> Profile:
    if not isinstance(data, dict):
        raise InputError("a profile must be a mapping", where=source)
    pid = data.get("id")
    if not isinstance(pid, str) or not pid:
        raise InputError("missing or empty", field="id", where=source)
    fmt = data.get("format", "csv")
    if fmt not in FORMATS:
        raise InputError(f"must be one of {sorted(FORMATS)}", field="format", where=source)
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise InputError("must map canonical fields to header names", field="columns", where=source)
    columns: dict[str, tuple[str, ...]] = {}
    for field, aliases in raw_columns.items():
        if field not in CANONICAL_FIELDS:
            raise InputError(
                f"unknown field; known: {', '.join(CANONICAL_FIELDS)}", field=str(field), where=source
            )
        names = [aliases] if isinstance(aliases, str) else aliases
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise InputError(
                "must be a header name or a list of them", field=f"columns.{field}", where=source
            )
        columns[field] = tuple(names)
    if "reason" not in columns:
        raise InputError("every profile must map 'reason'", field="columns", where=source)
    required = data.get("required", ["reason"])
    if not isinstance(required, list) or not all(isinstance(r, str) and r in columns for r in required):
        raise InputError("must list mapped canonical fields", field="required", where=source)
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise InputError("must be one character", field="delimiter", where=source)
    return Profile(
        id=pid,
        title=str(data.get("title", pid)),
        format=fmt,
        columns=columns,
        required=tuple(required),
        delimiter=delimiter,
        source=source,
    )


def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped with the package, by id."""
    folder = resources.files("separation.access").joinpath("profiles")
    found: dict[str, Profile] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            profile = _as_profile(yaml.safe_load(entry.read_text(encoding="utf-8")), f"profiles/{entry.name}")
            found[profile.id] = profile
    return found


def load_profile(path: Path) -> Profile:
    """A column-mapping file for a generic CSV / JSON Lines / Parquet source."""
    where = path.name
    try:
        if path.stat().st_size > _MAX_PROFILE_BYTES:
            raise InputError("profile file is too large", where=where)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read profile ({type(exc).__name__})", where=where) from None
    except yaml.YAMLError:
        raise InputError("profile is not valid YAML", where=where) from None
    return _as_profile(data, where)


def resolve_profile(name: str) -> Profile:
    """A built-in profile by id, or a column-mapping file by path."""
    builtins = builtin_profiles()
    if name in builtins:
        return builtins[name]
    path = Path(name)
    if path.suffix in {".yaml", ".yml"} and path.is_file():
        return load_profile(path)
    raise InputError(
        f"unknown profile; built-in: {', '.join(sorted(builtins))}, or a .yaml mapping file",
        field="--profile",
    )


def detect_profile(headers: list[str], candidates: Mapping[str, Profile] | None = None) -> Profile | None:
    """The profile that fits these headers best: all its required fields present, most fields found.

    Ties go to the profile with more required fields (the more specific layout).
    """
    pool = candidates if candidates is not None else builtin_profiles()
    best: tuple[int, int, str] | None = None
    chosen: Profile | None = None
    for profile in pool.values():
        if profile.missing(headers):
            continue
        key = (len(profile.resolve(headers)), len(profile.required), profile.id)
        if best is None or key > best:
            best, chosen = key, profile
    return chosen
