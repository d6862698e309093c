"""The Spark engine (local mode) gives the same report as the local engine on the same files."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.scanner.conftest import make_rows, write_csv

from separation.scanner import ScanOptions, load_allow_list, scan


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("separation-scanner-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # Small splits and Arrow batches, so that row numbers cross partition and batch boundaries.
        .config("spark.sql.files.maxPartitionBytes", "4096")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "97")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _without_engine(report: dict[str, Any]) -> dict[str, Any]:
    report["summary"].pop("engine")
    return report


@pytest.mark.slow
def test_spark_report_equals_the_local_report(tmp_path: Path, spark: Any) -> None:
    from separation.scanner.spark import scan_spark

    rows = make_rows(1200)
    root = tmp_path / "lake"
    (root / "year=2024").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), root / "year=2024" / "permits.parquet", row_group_size=100)
    write_csv(root / "cases.csv", rows[:300])
    allow = tmp_path / "allow.yaml"
    allow.write_text(
        'allow:\n  - source: "cases.csv"\n    column: notes\n    basis: "19.30(a)(2)"\n', encoding="utf-8"
    )
    options = ScanOptions(allow=load_allow_list(allow))
    assert spark.read.parquet(str(root / "year=2024" / "permits.parquet")).rdd.getNumPartitions() > 1
    spark_report = _without_engine(scan_spark([str(root)], options, spark=spark).to_dict())
    local_report = _without_engine(scan([str(root)], options).to_dict())
    assert spark_report == local_report
    assert spark_report["summary"]["columns_flagged"] == 5 and spark_report["summary"]["columns_allowed"] == 1
    keyed = ScanOptions(allow=load_allow_list(allow), key=("id",))
    spark_keyed = _without_engine(scan_spark([str(root)], keyed, spark=spark).to_dict())
    assert spark_keyed == _without_engine(scan([str(root)], keyed).to_dict())
    assert spark_keyed["sources"][1]["keys"]["case_ref"] == [3, 7]


@pytest.mark.slow
def test_spark_rejects_other_formats_given_directly(tmp_path: Path, spark: Any) -> None:
    from separation.errors import InputError
    from separation.scanner.spark import scan_spark

    (tmp_path / "memo.txt").write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError, match="Parquet and CSV"):
        scan_spark([str(tmp_path / "memo.txt")], spark=spark)


@pytest.mark.slow
def test_a_delta_table_without_delta_lake_says_so(tmp_path: Path, spark: Any, monkeypatch: Any) -> None:
    # Delta Lake's jars come from Maven at Spark start-up, which this machine cannot reach: the
    # Spark engine must say plainly what is missing rather than fail inside a job.
    from separation.errors import InputError
    from separation.scanner import spark as spark_engine

    table = tmp_path / "permits"
    (table / "_delta_log").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(make_rows(10)), table / "part-0.parquet")
    if spark_engine.delta_available(spark):
        pytest.skip("this Spark has Delta Lake")
    with pytest.raises(InputError, match="Delta Lake"):
        spark_engine.scan_spark([str(table)], spark=spark)
    # The check itself finds classes that are there.
    monkeypatch.setattr(spark_engine, "_DELTA_CLASS", "org.apache.spark.sql.SparkSession")
    assert spark_engine.delta_available(spark)
