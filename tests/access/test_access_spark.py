"""The same audit on PySpark (local mode) gives the same rule for every row as DuckDB."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from separation.access.reader import open_source
from separation.access.rules import default_rules

from .conftest import FIXTURES, OKALOOSA, PROFILED, classified, profile_for

pytestmark = pytest.mark.slow

_COLUMNS = (
    "row",
    "category",
    "rule",
    "federal_immigration_agency",
    "flagged",
    "who_rule",
    "why_rule",
    "how_rule",
    "org",
    "month",
    "searched_at",
    "networks_n",
    "lookback_days",
)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("separation-access-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _rows(frame: Any) -> list[dict[str, Any]]:
    rows = [{k: r[k] for k in _COLUMNS} for r in frame.toArrow().to_pylist()]
    return sorted(rows, key=lambda r: r["row"])


@pytest.mark.parametrize("name", sorted(PROFILED))
def test_spark_equals_duckdb_on_every_fixture(spark: Any, name: str) -> None:
    from separation.access.spark import classify_frame

    source = open_source(FIXTURES / name, profile_for(name))
    table = pa.Table.from_batches(list(source.batches()))
    expected = [{k: r[k] for k in _COLUMNS} for r in classified(name)]
    got = _rows(classify_frame(spark.createDataFrame(table), default_rules(), frozenset(source.fields)))
    assert got == expected


def test_spark_reads_the_vendor_csv_itself(spark: Any) -> None:
    """BOM, CRLF and two-line Time Frame cells, read by Spark's own CSV reader."""
    from separation.access.spark import classify_frame, read_csv

    source = open_source(FIXTURES / "network-audit.csv", None)
    frame = read_csv(spark, str(FIXTURES / "network-audit.csv"), source.profile, source.headers)
    got = _rows(classify_frame(frame, default_rules(), frozenset(source.fields)))
    assert got == [{k: r[k] for k in _COLUMNS} for r in classified("network-audit.csv")]


@pytest.mark.skipif(not OKALOOSA.exists(), reason="the real Okaloosa file is outside this checkout")
def test_spark_equals_duckdb_on_okaloosa(spark: Any) -> None:
    from separation.access.engine import classify_table, new_connection
    from separation.access.spark import classify_frame, read_csv

    source = open_source(OKALOOSA, None)
    table = pa.Table.from_batches(list(source.batches()))
    expected = classify_table(new_connection(), table, default_rules(), frozenset(source.fields)).to_pylist()
    frame = read_csv(spark, str(OKALOOSA), source.profile, source.headers)
    got = _rows(classify_frame(frame, default_rules(), frozenset(source.fields)))
    assert got == [{k: r[k] for k in _COLUMNS} for r in expected]
