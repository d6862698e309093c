"""The rules as one DuckDB query: ordered CASE expressions over RE2 ``regexp_matches``.

Each axis becomes ``CASE WHEN cond1 THEN id1 WHEN cond2 THEN id2 ... END``, so the first matching
rule wins, exactly as the rules file orders them. For speed, runs of consecutive pattern rules on
the same field are wrapped in one guard, the alternation of their patterns: a row that matches none
of a run skips it after a single RE2 pass, and a row that matches the guard is then tried against
the run's rules in order. Since a row matches the alternation exactly when it matches one of its
members, and every rule before the run has already failed, the guarded CASE returns the same rule as
the flat one (tests check this on every fixture).

Each distinct value is classified once: the why axis runs over the distinct reason texts of a
batch, and the who/how rules on text fields over the distinct organisations, users, filters and
moderation values, joined back by value. Rules travel through the query as small integer codes
(their 1-based position in ``rule_ids``), which keeps the per-row work to integer comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from separation.access.rules import CATEGORIES, Rule, RuleSet

__all__ = [
    "TIMESTAMP_FORMATS",
    "axis_case",
    "classify_sql",
    "counts_sql",
    "rule_ids",
    "sql_text",
    "timestamp_sql",
]

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
CATEGORY_CODES = {c: i for i, c in enumerate(CATEGORIES)}
_NUMERIC = frozenset({"networks", "devices", "lookback_days"})
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
    """Consecutive pattern rules on one field that can share a guard.

    A run also breaks where anchored patterns (``^...$``, the whole-reason rules) start or stop:
    the rare unanchored words (immigration terms and their look-alikes) then sit behind one guard,
    and the common one-word reasons behind another.
    """
    run: list[Rule] = []
    for rule in rules:
        if rule.pattern is None:
            if run:
                yield run
                run = []
            yield [rule]
            continue
        if run and (
            run[0].field != rule.field
            or (run[0].pattern is not None and run[0].pattern.startswith("^") != rule.pattern.startswith("^"))
            or len(run) >= _GUARD_RUN
        ):
            yield run
            run = []
        run.append(rule)
    if run:
        yield run


def rule_ids(rules: RuleSet) -> list[str]:
    """Every rule id in code order: code ``n`` is ``rule_ids(rules)[n - 1]``."""
    return [r.id for r in (*rules.who, *rules.why, *rules.how)]


def _codes(rules: RuleSet) -> dict[str, int]:
    return {rule_id: index for index, rule_id in enumerate(rule_ids(rules), start=1)}


def axis_case(
    rules: Sequence[Rule], present: frozenset[str], *, guarded: bool = True, codes: dict[str, int]
) -> str:
    """One axis as an ordered CASE over its rules' conditions (first match wins), giving codes."""
    if not guarded:
        whens = [f"WHEN {_condition(r, present)} THEN {codes[r.id]}" for r in rules]
        return "CASE " + " ".join(whens) + " END"
    whens = []
    for run in _runs(rules):
        if len(run) == 1 or run[0].field not in present:
            whens.extend(f"WHEN {_condition(r, present)} THEN {codes[r.id]}" for r in run)
            continue
        guard = "|".join(f"(?:{r.pattern})" for r in run)
        inner = " ".join(f"WHEN {_condition(r, present)} THEN {codes[r.id]}" for r in run)
        whens.append(f"WHEN {_regex(_column(run[0].field), guard)} THEN (CASE {inner} END)")
    return "CASE " + " ".join(whens) + " END"


def _clean(column: str) -> str:
    """Spaces, tabs and carriage returns trimmed (CRLF exports leave a CR on the first line)."""
    return f"trim({column}, ' ' || chr(9) || chr(13) || chr(10))"


def _parsed_text_sql(column: str) -> str:
    # One single-format call per format: DuckDB's list form of try_strptime is several times
    # slower, and this only runs for the values the file's own format (the hint) did not fit.
    value = _clean(column)
    # Formats with %z give TIMESTAMPTZ; cast them (in UTC, the engine's time zone) so that the whole
    # expression stays a plain TIMESTAMP, which also keeps DuckDB from casting every row.
    parts = [
        f"try_strptime({value}, {sql_text(f)})" + ("::TIMESTAMP" if "%z" in f else "")
        for f in TIMESTAMP_FORMATS
    ]
    return "coalesce(" + ", ".join(parts) + ")"


def _parsed_number_sql(column: str) -> str:
    number = f"TRY_CAST({_clean(column)} AS DOUBLE)"
    return (
        f"CASE WHEN {number} BETWEEN {_EXCEL_MIN} AND {_EXCEL_MAX} "
        f"THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round({number} * 86400000000) AS BIGINT)) "
        f"WHEN {number} BETWEEN {_EPOCH_S_MIN} AND {_EPOCH_S_MAX} THEN to_timestamp({number})::TIMESTAMP "
        f"WHEN {number} BETWEEN {_EPOCH_MS_MIN} AND {_EPOCH_MS_MAX} "
        f"THEN to_timestamp({number} / 1000)::TIMESTAMP END"
    )


def timestamp_sql(column: str) -> str:
    """Vectorised timestamp parsing: the known text formats, then Excel serials and Unix epochs."""
    return f"coalesce({_parsed_text_sql(column)}, {_parsed_number_sql(column)})"


def _first_try(column: str, hint: str | None) -> str:
    """The cheap first attempt: the file's own format, on the raw text."""
    if hint is None:
        return "CAST(NULL AS TIMESTAMP)"
    return f"try_strptime({column}, {sql_text(hint)})"


def frame_parts(present: frozenset[str]) -> tuple[str, str] | None:
    """SQL for the start and end texts of the searched time frame, if the log has one.

    The vendor's exports keep both in one cell on two lines; converted layouts split them.
    """
    if {"time_frame_start", "time_frame_end"} <= present:
        return "time_frame_start", "time_frame_end"
    if "time_frame" in present:
        # Raw parts: the cheap first try reads them as they are; the fallback trims CR and spaces.
        return "split_part(time_frame, chr(10), 1)", "split_part(time_frame, chr(10), 2)"
    return None


def _two_stage_time(first: str, text: str) -> str:
    """The parsed time: the cheap first try, else every format, Excel serials and epochs."""
    fallback = f"coalesce({_parsed_text_sql(text)}, {_parsed_number_sql(text)})"
    return f"CASE WHEN {first} IS NOT NULL THEN {first} ELSE {fallback} END"


def _number(column: str, present: frozenset[str]) -> str:
    if column not in present:
        return "CAST(NULL AS BIGINT)"
    return f"TRY_CAST({column} AS BIGINT)"


def _number_fallback(column: str, present: frozenset[str]) -> str:
    # Only for values the plain cast refused ("4,200", " 12 ").
    if column not in present:
        return "CAST(NULL AS BIGINT)"
    return f"TRY_CAST(replace(trim({column}), ',', '') AS BIGINT)"


def _why_text(present: frozenset[str]) -> str:
    if "offense_type" in present:
        # A dropdown offense type other than "Other" is part of the stated purpose.
        return (
            "CASE WHEN offense_type IS NULL OR regexp_matches(offense_type, '(?i)^\\W*(other)?\\W*$') "
            "THEN coalesce(reason, '') ELSE offense_type || ' : ' || coalesce(reason, '') END"
        )
    return "coalesce(reason, '')"


def _core_sql(
    rules: RuleSet,
    present: frozenset[str],
    source: str,
    guarded: bool,
    hint: str | None,
    frame_hint: str | None,
) -> str:
    """Per row: row, org, networks_n, ts, the three axis codes, category code, federal, flagged, primary."""
    if frame_parts(present) is not None:
        present = present | {"lookback_days"}
    codes = _codes(rules)
    why_text = _why_text(present)
    category_of = {codes[r.id]: CATEGORY_CODES[r.category or "other"] for r in rules.why}
    by_category: dict[int, list[int]] = {}
    for code, category in category_of.items():
        by_category.setdefault(category, []).append(code)
    category_case = (
        "CASE "
        + " ".join(
            f"WHEN why_code IN ({', '.join(map(str, c))}) THEN {k}" for k, c in sorted(by_category.items())
        )
        + " END"
    )
    # why_d: each distinct reason classified once, with the who rules that read the reason.
    reason_flags = [
        (f"r{i}", r) for i, r in enumerate(rules.who) if r.field == "reason" and r.pattern is not None
    ]
    answers: dict[str, str] = {}
    extra = "".join(f", coalesce({_condition(r, present)}, FALSE) AS {name}" for name, r in reason_flags)
    for name, rule in reason_flags:
        answers[rule.id] = f"why_d.{name}"
    why_case = axis_case(rules.why, present, guarded=guarded, codes=codes)
    distinct_reasons = f"SELECT DISTINCT {why_text} AS why_text FROM {source}"  # noqa: S608
    ctes = [
        f"why_d AS (SELECT why_text, {why_case} AS why_code{extra} FROM ({distinct_reasons}))",  # noqa: S608
        f"why_c AS (SELECT *, {category_case} AS category_code FROM why_d)",  # noqa: S608
    ]
    joins = ["JOIN why_c AS why_d USING (why_text)"]
    # Lookups for who/how rules on other text fields: one boolean per rule, per distinct value.
    by_field: dict[str, list[tuple[str, Rule]]] = {}
    for index, rule in enumerate((*rules.who, *rules.how)):
        if rule.field in _NUMERIC or rule.field == "reason" or rule.empty or rule.field not in present:
            continue  # numbers and emptiness are tested in place; the reason goes through why_d
        by_field.setdefault(rule.field, []).append((f"b{index}", rule))
    for field, items in by_field.items():
        flags = ", ".join(f"coalesce({_condition(rule, present)}, FALSE) AS {name}" for name, rule in items)
        distinct = f"SELECT DISTINCT {field} FROM {source}"  # noqa: S608
        ctes.append(f"{field}_d AS (SELECT {field}, {flags} FROM ({distinct}))")  # noqa: S608
        joins.append(f"LEFT JOIN {field}_d USING ({field})")
        for name, rule in items:
            answers[rule.id] = f"{field}_d.{name}"

    def axis(axis_rules: Sequence[Rule]) -> str:
        whens = []
        for rule in axis_rules:
            condition = (
                f"coalesce({answers[rule.id]}, FALSE)" if rule.id in answers else _condition(rule, present)
            )
            if rule.only_in_category is not None:
                condition = f"({condition} AND category_code = {CATEGORY_CODES[rule.only_in_category]})"
            whens.append(f"WHEN {condition} THEN {codes[rule.id]}")
        return "CASE " + " ".join(whens) + " END"

    federal = sorted(codes[i] for i in rules.federal_who_ids)
    federal_sql = f"coalesce(who_code IN ({', '.join(map(str, federal))}), FALSE)" if federal else "FALSE"
    if "search_time" in present:
        first_time = _first_try("search_time", hint)
        time_sql = (
            f"CASE WHEN ts_first IS NOT NULL THEN ts_first "
            f"ELSE coalesce({_parsed_text_sql('search_time')}, {_parsed_number_sql('search_time')}) END"
        )
    else:
        first_time = time_sql = "CAST(NULL AS TIMESTAMP)"
    frame = frame_parts(present)
    if frame is not None:
        frame_first = (
            f"{_first_try(frame[0], frame_hint)} AS frame_start_first, "
            f"{_first_try(frame[1], frame_hint)} AS frame_end_first, "
            f"{frame[0]} AS frame_start_text, {frame[1]} AS frame_end_text"
        )
        lookback = (
            f"floor((epoch({_two_stage_time('frame_end_first', 'frame_end_text')}) - "
            f"epoch({_two_stage_time('frame_start_first', 'frame_start_text')})) / 86400)::BIGINT"
        )
        frame_drop = ", frame_start_first, frame_end_first, frame_start_text, frame_end_text"
    else:
        frame_first = "NULL AS frame_start_first"
        lookback = "CAST(NULL AS BIGINT)"
        frame_drop = ", frame_start_first"
    uses_devices = any(r.field == "devices" for r in (*rules.who, *rules.how))
    devices = _number_fallback("devices", present) if uses_devices else "CAST(NULL AS BIGINT)"
    imm, vague = CATEGORY_CODES["immigration_enforcement"], CATEGORY_CODES["vague_or_missing"]
    # Built only from validated rule data quoted with sql_text(); no caller text reaches it.
    return f"""
WITH {", ".join(ctes)},
typed0 AS (
    SELECT row, org, user, moderation, filters, search_type, case_number, reason, plate, search_time,
           networks, devices, {why_text} AS why_text,
           {_number("networks", present)} AS networks_first,
           {first_time} AS ts_first,
           {frame_first}
    FROM {source}
), typed AS (
    SELECT * EXCLUDE (ts_first, search_time, networks_first, networks, devices{frame_drop}),
           {time_sql} AS ts,
           {lookback} AS lookback_days,
           CASE WHEN networks_first IS NOT NULL THEN networks_first
                ELSE {_number_fallback("networks", present)} END AS networks_n,
           {devices} AS devices_n
    FROM typed0
), axes AS (
    SELECT typed.*, why_d.why_code, why_d.category_code,
           {axis(rules.who)} AS who_code,
           {axis(rules.how)} AS how_code
    FROM typed {" ".join(joins)}
)
SELECT *, {federal_sql} AS federal_immigration_agency,
       (category_code IN ({imm}, {vague}) OR who_code IS NOT NULL OR how_code IS NOT NULL) AS flagged,
       CASE WHEN category_code = {imm} THEN why_code WHEN who_code IS NOT NULL THEN who_code
            WHEN category_code = {vague} THEN why_code ELSE how_code END AS rule_code,
       org AS org_name
FROM axes
"""  # noqa: S608


def _names(rules: RuleSet) -> tuple[str, str]:
    ids = "[" + ", ".join(sql_text(i) for i in rule_ids(rules)) + "]"
    categories = "[" + ", ".join(sql_text(c) for c in CATEGORIES) + "]"
    return ids, categories


def classify_sql(
    rules: RuleSet,
    present: frozenset[str],
    *,
    source: str = "src",
    guarded: bool = True,
    identifiers: bool = False,
    compact: bool = False,
    time_hint: str | None = None,
    frame_hint: str | None = None,
) -> str:
    """One row out per row in: the rule each axis chose, the category, the flag and the time.

    ``present`` names the canonical fields this source has; rules on absent fields never match.
    Identifier columns (user, plate, case number, reason text) are selected only when asked for.
    ``compact`` keeps codes, ``ts`` and ``month_key`` (YYYYMM) and leaves rows unordered, for the
    engine; otherwise rows come in order with rule ids, categories, ``month`` and ``searched_at``.
    """
    core = _core_sql(rules, present, source, guarded, time_hint, frame_hint)
    ids = ", user, plate, case_number, reason" if identifiers else ""
    if compact:
        return f"""
SELECT row, category_code, rule_code, federal_immigration_agency, flagged, who_code, why_code, how_code,
       org_name AS org, (year(ts) * 100 + month(ts))::INTEGER AS month_key, ts, networks_n, lookback_days{ids}
FROM ({core})
"""  # noqa: S608
    names, categories = _names(rules)
    return f"""
SELECT row, {categories}[category_code + 1] AS category, {names}[rule_code] AS rule,
       federal_immigration_agency, flagged,
       {names}[who_code] AS who_rule, {names}[why_code] AS why_rule, {names}[how_code] AS how_rule,
       nullif(trim(org_name), '') AS org, strftime(ts, '%Y-%m') AS month,
       strftime(ts, '%Y-%m-%dT%H:%M:%S') AS searched_at,
       networks_n, lookback_days{ids}
FROM ({core}) ORDER BY row
"""  # noqa: S608


def counts_sql(
    rules: RuleSet,
    present: frozenset[str],
    *,
    source: str = "src",
    time_hint: str | None = None,
    frame_hint: str | None = None,
) -> str:
    """The summary's grouped counts straight from a batch, with nothing materialised per row."""
    core = _core_sql(rules, present, source, True, time_hint, frame_hint)
    return GROUPED_COUNTS.format(
        source=f"(SELECT org_name AS org, (year(ts) * 100 + month(ts))::INTEGER AS month_key, who_code, "  # noqa: S608
        f"why_code, how_code, flagged, networks_n, lookback_days FROM ({core}))"
    )


# Three small groupings in one pass (GROUPING SETS): per rule combination, per organisation and
# per month. `kind` tells them apart: 0 rules, 1 agency, 2 month.
GROUPED_COUNTS = """
SELECT CASE WHEN grouping(why_code, who_code, how_code) = 0 THEN 0
            WHEN grouping(org) = 0 THEN 1 ELSE 2 END AS kind,
       org, month_key, who_code, why_code, how_code,
       count(*) AS n, count(*) FILTER (WHERE flagged) AS flagged,
       count(*) FILTER (WHERE networks_n > 1) AS multi, max(networks_n) AS max_networks,
       count(*) FILTER (WHERE lookback_days > 30) AS long_lookback, max(lookback_days) AS max_lookback
FROM {source}
GROUP BY GROUPING SETS ((who_code, why_code, how_code), (org, who_code, why_code), (month_key, why_code))
"""
