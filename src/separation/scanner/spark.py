"""The Spark engine: the same report, computed on a cluster (or in local mode).

Each Parquet or CSV file becomes a DataFrame; ``mapInPandas`` runs the scanner's own classifier
(``classify.classify_batch``) on every partition, so the detector is imported and compiled once per
Python worker and reused for all its batches. Each partition returns a tally with partition-local row
numbers; the driver shifts them by the rows of the partitions before it and merges them in order,
which gives exactly the report the local engine gives on the same files.

On a cluster (the package installed on every node)::

    spark-submit --master yarn "$(python -c 'import separation.scanner.spark as m; print(m.__file__)')" \\
        s3a://city-lake/exports/ --out report.json
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from separation.errors import InputError
from separation.scanner.allow import AllowList, load_allow_list
from separation.scanner.classify import ClassifyOptions, SourceTally, classify_batch
from separation.scanner.engine import ScanOptions, scan_source
from separation.scanner.report import ScanReport, SourceError, SourceReport
from separation.scanner.targets import Source, discover, file_format

__all__ = ["SPARK_FORMATS", "scan_spark"]

SPARK_FORMATS = frozenset({"parquet", "csv", "tsv", "delta"})
_RESULT_SCHEMA = "part long, rows long, state string"


def _session(spark: Any = None) -> Any:
    if spark is not None:
        return spark
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("separation-scan")
    if not SparkConf().contains("spark.master"):  # not under spark-submit: run on this machine
        builder = builder.master("local[*]").config("spark.ui.enabled", "false")
    return builder.getOrCreate()


def _remote(target: str) -> bool:
    return "://" in target and not target.startswith(("file://", "duckdb:", "sqlite:"))


def _list_remote(spark: Any, target: str) -> list[Source]:
    """Parquet and CSV files under a Hadoop path (s3a://, hdfs://, abfss://…), via the JVM's FileSystem."""
    jvm = spark._jvm
    root = jvm.org.apache.hadoop.fs.Path(target)
    fs = root.getFileSystem(spark._jsc.hadoopConfiguration())
    if not fs.exists(root):
        raise InputError("no such path", where=target)
    if fs.exists(jvm.org.apache.hadoop.fs.Path(target.rstrip("/") + "/_delta_log")):
        return [Source(name=PurePosixPath(target.rstrip("/")).name, format="delta", path=target)]
    out: list[Source] = []
    files = fs.listFiles(root, True)
    base = root.toString().rstrip("/")
    while files.hasNext():
        path = files.next().getPath().toString()
        fmt = file_format_name(path)
        if fmt in SPARK_FORMATS:
            rel = path[len(base) :].lstrip("/") or PurePosixPath(path).name
            out.append(Source(name=rel, format=fmt, path=path))
    return sorted(out, key=lambda s: s.name)


def file_format_name(path: str) -> str | None:
    from separation.scanner.targets import FILE_FORMATS

    return FILE_FORMATS.get(PurePosixPath(path).suffix.lower())


def _partition_classifier(
    source_name: str, allow: AllowList, opts: ClassifyOptions, document: bool, key: tuple[str, ...] = ()
) -> Any:
    """The function each partition runs: classify its batches, return one row with the tally."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd  # type: ignore[import-untyped]
        import pyarrow as pa
        from pyspark import TaskContext

        context = TaskContext.get()
        part = context.partitionId() if context is not None else 0
        tally = SourceTally(key=key)
        offset = 0
        for frame in batches:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            classify_batch(
                table, offset, tally, source=source_name, allow=allow, opts=opts, document=document
            )
            offset += table.num_rows
        yield pd.DataFrame({"part": [part], "rows": [offset], "state": [json.dumps(tally.to_state())]})

    return run


def _shift(tally: SourceTally, offset: int) -> SourceTally:
    for col in tally.columns.values():
        col.rows = [r + offset for r in col.rows]
    for err in tally.errors:
        if err.row is not None:
            err.row += offset
    return tally


def _read(spark: Any, source: Source) -> Any:
    assert source.path is not None
    if source.format == "parquet":
        return spark.read.parquet(source.path)
    if source.format == "delta":  # the current version of the table, where the cluster provides Delta
        return spark.read.format("delta").load(source.path)
    sep = "\t" if source.format == "tsv" else ","
    # Every column as text, RFC 4180 quoting and quoted newlines: the local reader's reading of a CSV.
    return spark.read.csv(
        source.path, header=True, sep=sep, quote='"', escape='"', multiLine=True, inferSchema=False
    )


_DELTA_CLASS = "io.delta.tables.DeltaTable"


def delta_available(spark: Any) -> bool:
    """Whether this Spark session can read Delta tables (the Delta Lake jars are on its classpath)."""
    jvm = spark._jvm

    def by_spark() -> Any:
        return jvm.org.apache.spark.util.Utils.classForName(_DELTA_CLASS, True, False)

    def by_thread() -> Any:
        return jvm.java.lang.Thread.currentThread().getContextClassLoader().loadClass(_DELTA_CLASS)

    for load in (by_spark, by_thread):
        try:
            load()
            return True
        except Exception:  # noqa: S112 (py4j: the class is not there, or this Spark lacks the helper)
            continue
    return False


def _no_delta(target: str) -> InputError:
    return InputError(
        "a Delta table (it has a _delta_log folder), and this Spark has no Delta Lake: run it where the "
        "cluster provides Delta (spark-submit --packages io.delta:delta-spark_2.13:VERSION --conf "
        "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension ...), or scan the folder with the "
        "local engine, which reads every Parquet file in it, older versions included",
        where=target,
    )


def _scan_one(spark: Any, source: Source, options: ScanOptions) -> SourceReport:
    fn = _partition_classifier(source.name, options.allow, options.classify, False, options.key)
    try:
        parts = _read(spark, source).mapInPandas(fn, schema=_RESULT_SCHEMA).collect()
    except Exception as exc:  # Spark's errors: a reason, never the message (it may quote data)
        why = "is Delta Lake available on this cluster?" if source.format == "delta" else type(exc).__name__
        return SourceReport(source.name, source.format, errors=[SourceError(f"cannot read ({why})")])
    total = SourceTally()
    offset = 0
    for row in sorted(parts, key=lambda r: r["part"]):
        total.merge(
            _shift(SourceTally.from_state(json.loads(row["state"])), offset), options.classify.row_limit
        )
        offset += int(row["rows"])
    return total.to_report(source.name, source.format, options.allow)


def scan_spark(
    targets: Sequence[str], options: ScanOptions | None = None, *, spark: Any = None
) -> ScanReport:
    """Scan Parquet and CSV files (and Delta tables, where the cluster has Delta) with Spark.

    Other formats in a folder are scanned by the local engine."""
    options = options or ScanOptions()
    options.check()
    session = _session(spark)
    sources: list[Source] = []
    for target in targets:
        if _remote(target):
            sources.extend(_list_remote(session, target))
        else:
            local = target.removeprefix("file://")
            if (Path(local) / "_delta_log").is_dir():
                sources.append(Source(name=Path(local).name, format="delta", path=local))
                continue
            found = discover([local], tables=options.tables, schema=options.schema)
            if os.path.isfile(local) and file_format(Path(local)) not in SPARK_FORMATS:
                raise InputError(
                    "the Spark engine reads Parquet and CSV; scan other formats locally", where=target
                )
            sources.extend(found)
    if any(s.format == "delta" for s in sources) and not delta_available(session):
        raise _no_delta(next(s.path or s.name for s in sources if s.format == "delta"))
    report = ScanReport(sample=1.0, engine="spark")
    for source in sources:
        if source.format in SPARK_FORMATS and source.path is not None:
            report.sources.append(_scan_one(session, source, options))
        else:
            report.sources.append(scan_source(source, options))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``spark-submit``: TARGET… [--allow FILE] [--json]; exit 1 when anything is found."""
    import argparse

    parser = argparse.ArgumentParser(prog="separation-scan-spark", description=main.__doc__)
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--allow")
    parser.add_argument("--max-rows", type=int, default=1000)
    parser.add_argument("--key", action="append", default=[], help="key column of files (repeatable)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", help="write the JSON report to this file (stdout may carry Spark's logs)")
    args = parser.parse_args(argv)
    try:
        options = ScanOptions(
            allow=load_allow_list(args.allow),
            classify=ClassifyOptions(row_limit=args.max_rows),
            key=tuple(args.key),
        )
        report = scan_spark(args.targets, options)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(report.to_dict(), fh)
    elif args.json:
        print(json.dumps(report.to_dict()))
    else:
        from rich.console import Console

        from separation.scanner.render import render_rich

        render_rich(report, Console())
    return 1 if report.found else 0


if __name__ == "__main__":
    sys.exit(main())
