"""The rules as one DuckDB query: ordered CASE expressions over RE2 ``regexp_matches``.

Each axis becomes ``CASE WHEN cond1 THEN id1 WHEN cond2 THEN id2 ... END``, so the first matching
rule wins, exactly as the rules file orders them. For speed, runs of consecutive pattern rules on
the same field are wrapped in one guard, the alternation of their patterns: a row that matches none
of a run skips it after a single RE2 pass, and a row that matches the guard is then tried against
the run's rules in order. Since a row matches the alternation exactly when it matches one of its
members, and every rule before the run has already failed, the guarded CASE returns the same rule as
the flat one (tests check this on every fixture).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from separation.access.rules import Rule, RuleSet

__all__ = ["TIMESTAMP_FORMATS", "classify_sql", "month_sql", "sql_text", "timestamp_sql"]

# Formats seen in real exports (prior-art.md 3.2 and the Okaloosa file), tried in order.
TIMESTAMP_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y, %I:%M:%S %p UTC",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p UTC",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S UTC",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y %I:%M %p",
)
_GUARD_RUN = 24
# Excel serial day numbers for 1954..2119, and Unix epoch seconds/milliseconds for 2001..2286.
_EXCEL_MIN, _EXCEL_MAX = 20_000.0, 80_000.0
_EPOCH_S_MIN, _EPOCH_S_MAX = 1.0e9, 1.0e10
_EPOCH_MS_MIN, _EPOCH_MS_MAX = 1.0e12, 1.0e13


def sql_text(value: str) -> str:
    """A SQL string literal (standard SQL: backslashes are literal, quotes are doubled)."""
    return "'" + value.replace("'", "''") + "'"


def _regex(field: str, pattern: str) -> str:
    return f"regexp_matches({field}, {sql_text('(?i)' + pattern)})"


def _condition(rule: Rule, present: frozenset[str]) -> str:
    if rule.field not in present:
        return "FALSE"
    column = _column(rule.field)
    if rule.pattern is not None:
        return _regex(column, rule.pattern)
    if rule.values is not None:
        if not rule.values:
            return "FALSE"
        return f"lower(trim({column})) IN ({', '.join(sql_text(v) for v in rule.values)})"
    if rule.at_least is not None:
        return f"{column} >= {int(rule.at_least)}"
    if rule.empty:
        return f"({column} IS NOT NULL AND trim({column}) = '')"
    return "TRUE"


def _column(field: str) -> str:
    return {"reason": "why_text", "networks": "networks_n", "devices": "devices_n"}.get(field, field)


def _runs(rules: Sequence[Rule]) -> Iterable[list[Rule]]:
    run: list[Rule] = []
    for rule in rules:
        if rule.pattern is not None and run and run[0].field == rule.field and len(run) < _GUARD_RUN:
            run.append(rule)
            continue
        if run:
            yield run
        run = [rule] if rule.pattern is not None else []
        if rule.pattern is None:
            yield [rule]
    if run:
        yield run


def _axis_case(rules: Sequence[Rule], present: frozenset[str], *, guarded: bool) -> str:
    if not guarded:
        whens = [f"WHEN {_condition(r, present)} THEN {sql_text(r.id)}" for r in rules]
        return "CASE " + " ".join(whens) + " END"
    whens = []
    for run in _runs(rules):
        if len(run) == 1 or run[0].field not in present:
            whens.extend(f"WHEN {_condition(r, present)} THEN {sql_text(r.id)}" for r in run)
            continue
        guard = "|".join(f"(?:{r.pattern})" for r in run)
        inner = " ".join(f"WHEN {_condition(r, present)} THEN {sql_text(r.id)}" for r in run)
        whens.append(f"WHEN {_regex(_column(run[0].field), guard)} THEN (CASE {inner} END)")
    return "CASE " + " ".join(whens) + " END"


def timestamp_sql(column: str) -> str:
    """Vectorised timestamp parsing: the known text formats, then Excel serials and Unix epochs."""
    formats = "[" + ", ".join(sql_text(f) for f in TIMESTAMP_FORMATS) + "]"
    number = f"TRY_CAST(trim({column}) AS DOUBLE)"
    return (
        f"coalesce(try_strptime(trim({column}), {formats}), "
        f"CASE WHEN {number} BETWEEN {_EXCEL_MIN} AND {_EXCEL_MAX} "
        f"THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round({number} * 86400000000) AS BIGINT)) "
        f"WHEN {number} BETWEEN {_EPOCH_S_MIN} AND {_EPOCH_S_MAX} THEN to_timestamp({number})::TIMESTAMP "
        f"WHEN {number} BETWEEN {_EPOCH_MS_MIN} AND {_EPOCH_MS_MAX} "
        f"THEN to_timestamp({number} / 1000)::TIMESTAMP END)"
    )


def month_sql(column: str) -> str:
    return f"strftime({timestamp_sql(column)}, '%Y-%m')"


def _number(column: str, present: frozenset[str]) -> str:
    if column not in present:
        return "CAST(NULL AS BIGINT)"
    return f"TRY_CAST(replace(trim({column}), ',', '') AS BIGINT)"


def classify_sql(
    rules: RuleSet,
    present: frozenset[str],
    *,
    source: str = "src",
    guarded: bool = True,
    identifiers: bool = False,
) -> str:
    """One row out per row in: the rule each axis chose, the category, the flag and the month.

    ``present`` names the canonical fields this source has; rules on absent fields never match.
    Identifier columns (user, plate, case number, reason text) are selected only when asked for.
    """
    categories = {c: [r.id for r in rules.why if r.category == c] for c in _category_order(rules)}
    category_case = (
        "CASE "
        + " ".join(
            f"WHEN why_rule IN ({', '.join(sql_text(i) for i in ids)}) THEN {sql_text(c)}"
            for c, ids in categories.items()
            if ids
        )
        + " END"
    )
    federal = sorted(rules.federal_who_ids)
    federal_sql = (
        f"coalesce(who_rule IN ({', '.join(sql_text(i) for i in federal)}), FALSE)" if federal else "FALSE"
    )
    if "offense_type" in present:
        why_text = (
            "CASE WHEN offense_type IS NULL OR regexp_matches(offense_type, '(?i)^\\W*(other)?\\W*$') "
            "THEN coalesce(reason, '') ELSE offense_type || ' : ' || coalesce(reason, '') END"
        )
    else:
        why_text = "coalesce(reason, '')"
    time_sql = timestamp_sql("search_time") if "search_time" in present else "CAST(NULL AS TIMESTAMP)"
    extra = ", user, plate, case_number, reason" if identifiers else ""
    # Built only from validated rule data, quoted with sql_text(); no caller text reaches it.
    return f"""
WITH typed AS (
    SELECT row, org, user, moderation, filters, case_number, reason, plate,
           {why_text} AS why_text,
           {_number("networks", present)} AS networks_n,
           {_number("devices", present)} AS devices_n,
           {time_sql} AS searched_at
    FROM {source}
), axes AS (
    SELECT *,
           {_axis_case(rules.who, present, guarded=guarded)} AS who_rule,
           {_axis_case(rules.why, present, guarded=guarded)} AS why_rule,
           {_axis_case(rules.how, present, guarded=guarded)} AS how_rule
    FROM typed
), labelled AS (
    SELECT *, {category_case} AS category, {federal_sql} AS federal_immigration_agency FROM axes
)
SELECT row, category,
       CASE WHEN category = 'immigration_enforcement' THEN why_rule
            WHEN who_rule IS NOT NULL THEN who_rule
            WHEN category = 'vague_or_missing' THEN why_rule
            ELSE how_rule END AS rule,
       federal_immigration_agency,
       (category IN ('immigration_enforcement', 'vague_or_missing')
            OR who_rule IS NOT NULL OR how_rule IS NOT NULL) AS flagged,
       who_rule, why_rule, how_rule,
       nullif(trim(org), '') AS org,
       strftime(searched_at, '%Y-%m') AS month,
       strftime(searched_at, '%Y-%m-%dT%H:%M:%S') AS searched_at,
       networks_n{extra}
FROM labelled
"""  # noqa: S608


def _category_order(rules: RuleSet) -> list[str]:
    seen: list[str] = []
    for rule in rules.why:
        if rule.category is not None and rule.category not in seen:
            seen.append(rule.category)
    return seen
