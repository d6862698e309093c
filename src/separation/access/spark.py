"""The same audit on PySpark, for logs that outgrow one machine.

The classification is built from the same ``RuleSet`` as the DuckDB query: per axis an ordered
``when`` chain (first match wins) over ``rlike``. The rule patterns are kept inside the regex subset
RE2 and java.util.regex read alike (checked at load), so both engines give the same rule for the same
row; ``tests/access`` holds them to that. Input is a DataFrame of the canonical columns
(``reader.CANONICAL_SCHEMA``): from ``canonical_frame`` (our reader's batches) or from
``read_csv`` (Spark reads the files itself, one partition per file, rows numbered in file order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType

from separation.access.profiles import CANONICAL_FIELDS, Profile
from separation.access.rules import Rule, RuleSet

__all__ = ["SPARK_TIMESTAMP_FORMATS", "classify_frame", "read_csv"]

# The Spark spellings of sql.TIMESTAMP_FORMATS (java.time patterns), in the same order.
SPARK_TIMESTAMP_FORMATS: tuple[str, ...] = (
    "MM/dd/yyyy, hh:mm:ss a 'UTC'",
    "MM/dd/yyyy, hh:mm:ss a",
    "MM/dd/yyyy hh:mm:ss a 'UTC'",
    "MM/dd/yyyy hh:mm:ss a",
    "MM/dd/yyyy h:mm a",
    "MM/dd/yyyy HH:mm:ss",
    "MM/dd/yyyy HH:mm",
    "MM/dd/yyyy",
    "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'",
    "yyyy-MM-dd'T'HH:mm:ss'Z'",
    "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
    "yyyy-MM-dd'T'HH:mm:ssXXX",
    "yyyy-MM-dd'T'HH:mm:ss",
    "yyyy-MM-dd HH:mm:ss.SSSSSS",
    "yyyy-MM-dd HH:mm:ss 'UTC'",
    "yyyy-MM-dd HH:mm:ss",
    "yyyy-MM-dd HH:mm",
    "yyyy-MM-dd",
    "MMM dd, yyyy hh:mm:ss a",
    "MMM dd, yyyy hh:mm a",
    "MMMM dd, yyyy hh:mm a",
)


def _column_of(field: str) -> str:
    return {"reason": "why_text", "networks": "networks_n", "devices": "devices_n"}.get(field, field)


def _condition(rule: Rule, present: frozenset[str]) -> Column:
    if rule.field not in present:
        return F.lit(False)
    column = F.col(_column_of(rule.field))
    if rule.pattern is not None:
        return column.rlike("(?i)" + rule.pattern)
    if rule.values is not None:
        return F.lower(F.trim(column)).isin(list(rule.values)) if rule.values else F.lit(False)
    if rule.at_least is not None:
        return column >= F.lit(int(rule.at_least))
    if rule.empty:
        return column.isNotNull() & (F.trim(column) == F.lit(""))
    return F.lit(True)


def _axis(rules: Sequence[Rule], present: frozenset[str]) -> Column:
    chain: Any = None
    for rule in rules:
        cond = _condition(rule, present)
        if rule.only_in_category is not None:
            cond = cond & (F.col("category") == F.lit(rule.only_in_category))
        chain = F.when(cond, F.lit(rule.id)) if chain is None else chain.when(cond, F.lit(rule.id))
    result: Column = chain.otherwise(F.lit(None).cast("string"))
    return result


def _timestamp(value: Column) -> Column:
    text = F.trim(value)
    number = text.try_cast("double")
    parsed = [F.try_to_timestamp(text, F.lit(fmt)) for fmt in SPARK_TIMESTAMP_FORMATS]
    excel = F.when(
        number.between(20_000.0, 80_000.0),
        F.timestamp_micros(F.round((number - F.lit(25_569.0)) * F.lit(86_400_000_000.0)).cast("long")),
    )
    epoch_s = F.when(number.between(1.0e9, 1.0e10), F.timestamp_micros((number * 1_000_000).cast("long")))
    epoch_ms = F.when(number.between(1.0e12, 1.0e13), F.timestamp_micros((number * 1_000).cast("long")))
    return F.coalesce(*parsed, excel, epoch_s, epoch_ms)


def _frame_parts(present: frozenset[str]) -> tuple[Column, Column] | None:
    """Start and end texts of the searched time frame (sql.frame_parts, in Spark)."""
    if {"time_frame_start", "time_frame_end"} <= present:
        return F.col("time_frame_start"), F.col("time_frame_end")
    if "time_frame" in present:
        parts = F.split(F.regexp_replace(F.col("time_frame"), "\r", ""), "\n")
        return (
            F.trim(F.coalesce(F.try_element_at(parts, F.lit(1)), F.lit(""))),
            F.trim(F.coalesce(F.try_element_at(parts, F.lit(2)), F.lit(""))),
        )
    return None


def classify_frame(df: DataFrame, rules: RuleSet, present: frozenset[str]) -> DataFrame:
    """The DuckDB query's output columns, computed by Spark (session time zone must be UTC)."""
    if "offense_type" in present:
        why_text = F.when(
            F.col("offense_type").isNull() | F.col("offense_type").rlike("(?i)^\\W*(other)?\\W*$"),
            F.coalesce(F.col("reason"), F.lit("")),
        ).otherwise(F.concat(F.col("offense_type"), F.lit(" : "), F.coalesce(F.col("reason"), F.lit(""))))
    else:
        why_text = F.coalesce(F.col("reason"), F.lit(""))

    def number(field: str) -> Column:
        if field not in present:
            return F.lit(None).cast("long")
        return F.regexp_replace(F.trim(F.col(field)), ",", "").try_cast("long")

    searched = _timestamp(F.col("search_time")) if "search_time" in present else F.lit(None).cast("timestamp")
    frame = _frame_parts(present)
    if frame is not None:
        present = present | {"lookback_days"}
        start, end = (_timestamp(part) for part in frame)
        lookback = F.floor((F.unix_micros(end) - F.unix_micros(start)) / F.lit(86_400_000_000.0)).cast("long")
    else:
        lookback = F.lit(None).cast("long")
    typed = (
        df.withColumn("why_text", why_text)
        .withColumn("networks_n", number("networks"))
        .withColumn("devices_n", number("devices"))
        .withColumn("searched_ts", searched)
        .withColumn("lookback_days", lookback)
    )
    category: Any = None
    for rule in rules.why:
        cond = F.col("why_rule") == F.lit(rule.id)
        category = (
            F.when(cond, F.lit(rule.category))
            if category is None
            else category.when(cond, F.lit(rule.category))
        )
    # why (and so the category) first: some who/how rules apply only within a category.
    axes = (
        typed.withColumn("why_rule", _axis(rules.why, present))
        .withColumn("category", category)
        .withColumn("who_rule", _axis(rules.who, present))
        .withColumn("how_rule", _axis(rules.how, present))
    )
    federal = sorted(rules.federal_who_ids)
    labelled = axes.withColumn(
        "federal_immigration_agency",
        F.coalesce(F.col("who_rule").isin(federal), F.lit(False)) if federal else F.lit(False),
    )
    imm = F.col("category") == F.lit("immigration_enforcement")
    vague = F.col("category") == F.lit("vague_or_missing")
    return labelled.select(
        "row",
        "category",
        F.when(imm, F.col("why_rule"))
        .when(F.col("who_rule").isNotNull(), F.col("who_rule"))
        .when(vague, F.col("why_rule"))
        .otherwise(F.col("how_rule"))
        .alias("rule"),
        "federal_immigration_agency",
        (imm | vague | F.col("who_rule").isNotNull() | F.col("how_rule").isNotNull()).alias("flagged"),
        "who_rule",
        "why_rule",
        "how_rule",
        F.when(F.trim(F.col("org")) == F.lit(""), F.lit(None)).otherwise(F.trim(F.col("org"))).alias("org"),
        F.date_format(F.col("searched_ts"), "yyyy-MM").alias("month"),
        F.date_format(F.col("searched_ts"), "yyyy-MM-dd'T'HH:mm:ss").alias("searched_at"),
        "networks_n",
        "lookback_days",
    )


def read_csv(spark: SparkSession, path: str, profile: Profile, headers: list[str]) -> DataFrame:
    """A CSV log read by Spark into the canonical columns, rows numbered 1.. in file order.

    ``multiLine`` keeps quoted two-line cells whole and makes each file one partition, so
    ``zipWithIndex`` numbers rows in file order. Malformed rows are dropped by Spark here; use the
    local reader to have them counted and reported by line.
    """
    raw = (
        spark.read.option("header", True)
        .option("multiLine", True)
        .option("escape", '"')
        .option("mode", "DROPMALFORMED")
        .option("sep", profile.delimiter)
        .schema(StructType([StructField(h.replace("\ufeff", ""), StringType()) for h in headers]))
        .csv(path)
    )
    mapping = profile.resolve(headers)
    selected = raw.select(
        *[
            (F.col(f"`{mapping[f]}`") if f in mapping else F.lit(None).cast("string")).alias(f)
            for f in CANONICAL_FIELDS
        ]
    ).fillna("", subset=[f for f in CANONICAL_FIELDS if f in mapping])
    numbered = selected.rdd.zipWithIndex().map(lambda pair: (pair[1] + 1, *pair[0]))
    schema = StructType(
        [StructField("row", LongType())] + [StructField(f, StringType()) for f in CANONICAL_FIELDS]
    )
    return spark.createDataFrame(numbered, schema)
