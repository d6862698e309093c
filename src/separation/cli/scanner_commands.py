"""``separation scan`` and ``separation clean``: the firewall over whole data stores."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from separation.cli._app import EXIT_FOUND, EXIT_OK, app, err_console, fail, guarded, out_console
from separation.errors import InputError
from separation.scanner import (
    ClassifyOptions,
    CleanOptions,
    ScanOptions,
    ScanReport,
    Source,
    SourceReport,
    clean,
    load_allow_list,
    render_html,
    render_rich,
    scan,
    write_log,
)
from separation.scanner import Progress as ScanProgress

__all__ = ["clean_command", "scan_command"]


class Engine(StrEnum):
    local = "local"
    spark = "spark"


class _Bar(ScanProgress):
    """A Rich progress bar on stderr: sources done, and the share read of the current one."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("scan", total=None, current="")
        self.done = 0

    def start(self, sources: Sequence[Source]) -> None:
        self.progress.update(self.task, total=len(sources))

    def batch(self, source: Source, rows: int, fraction: float) -> None:
        self.progress.update(self.task, completed=self.done + min(fraction, 0.999), current=source.name)

    def source_done(self, source: Source, report: SourceReport) -> None:
        self.done += 1
        self.progress.update(self.task, completed=self.done, current=source.name)


def _progress_bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=err_console,
        transient=True,
        disable=not enabled,
    )


@app.command("scan")
@guarded
def scan_command(
    targets: Annotated[list[str], typer.Argument(help="Files, folders, database URLs or DuckDB files.")],
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (CONTRACTS.md §4).")
    ] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained HTML page.")
    ] = None,
    sample: Annotated[float, typer.Option(help="Share of rows to read (1 = full mode).")] = 1.0,
    table: Annotated[list[str] | None, typer.Option("--table", help="Only this table (repeatable).")] = None,
    schema: Annotated[str | None, typer.Option(help="Database schema to list tables from.")] = None,
    key: Annotated[
        list[str] | None,
        typer.Option("--key", help="Key column of files (repeatable); tables use their primary key."),
    ] = None,
    allow: Annotated[
        Path | None, typer.Option(help="Allow-list YAML: lawful exceptions with their basis.")
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes scanning sources in parallel.")] = 1,
    batch_rows: Annotated[int, typer.Option(help="Rows per batch (bounds memory).")] = 65_536,
    max_rows: Annotated[int, typer.Option(help="Row numbers listed per column before truncating.")] = 1000,
    resume: Annotated[Path | None, typer.Option(help="State file: continue an interrupted scan.")] = None,
    engine: Annotated[Engine, typer.Option(help="local, or spark (Parquet and CSV).")] = Engine.local,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr (on when it is a terminal).")] = True,
) -> None:
    """Scan files, folders and databases for immigration-status data: exit 1 when anything is found."""
    options = ScanOptions(
        batch_rows=batch_rows,
        sample=sample,
        workers=workers,
        tables=tuple(table or ()),
        schema=schema,
        key=tuple(key or ()),
        allow=load_allow_list(allow),
        classify=ClassifyOptions(row_limit=max_rows),
    )
    if engine is Engine.spark:
        if resume is not None or sample < 1.0:
            raise InputError("--resume and --sample are for the local engine", field="--engine")
        from separation.scanner.spark import scan_spark

        report: ScanReport = scan_spark(targets, options)
    else:
        with _progress_bar(progress and err_console.is_terminal) as bar:
            try:
                report = scan(targets, options, progress=_Bar(bar), state_path=resume)
            except KeyboardInterrupt:
                if resume is not None:
                    err_console.print(f"interrupted; run again with --resume {resume} to continue")
                raise
    if html is not None:
        try:
            html.write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            raise fail(f"--html: cannot write ({exc.strerror or type(exc).__name__})") from None
    if json_out:
        sys.stdout.write(orjson.dumps(report.to_dict()).decode() + "\n")
    else:
        render_rich(report, out_console)
    raise typer.Exit(EXIT_FOUND if report.found else EXIT_OK)


@app.command("clean")
@guarded
def clean_command(
    source: Annotated[str, typer.Argument(help="File, folder, database URL or DuckDB file to clean.")],
    out: Annotated[
        str | None, typer.Option("--out", help="Where the copy goes (path, or database URL).")
    ] = None,
    mask: Annotated[bool, typer.Option(help="Mask flagged columns instead of dropping them.")] = False,
    allow: Annotated[Path | None, typer.Option(help="Allow-list YAML: columns left alone.")] = None,
    table: Annotated[list[str] | None, typer.Option("--table", help="Only this table (repeatable).")] = None,
    schema: Annotated[str | None, typer.Option(help="Database schema to read.")] = None,
    prefix: Annotated[str, typer.Option(help="Database copies: prefix of the new tables.")] = "clean_",
    out_schema: Annotated[str | None, typer.Option(help="Database copies: schema of the new tables.")] = None,
    log: Annotated[Path | None, typer.Option(help="Redaction log path (default: beside the copy).")] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Change the source itself (asks first).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm --in-place without asking.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the redaction log as JSON.")] = False,
) -> None:
    """Write a cleaned copy: flagged columns dropped (or masked), flagged text redacted, rest unchanged."""
    if in_place and out is not None:
        raise InputError("give either --out or --in-place, not both", field="--out")
    if not in_place and out is None:
        raise InputError("missing: where the clean copy goes (or --in-place)", field="--out")
    if in_place and not yes:
        if not sys.stdin.isatty():
            raise InputError("--in-place changes the source: confirm with --yes", field="--in-place")
        if not typer.confirm(
            f"Change {source} in place? Flagged data will be removed for good.", default=False
        ):
            raise typer.Exit(EXIT_OK)
    options = CleanOptions(
        mask=mask,
        allow=load_allow_list(allow),
        tables=tuple(table or ()),
        schema=schema,
        prefix=prefix,
        out_schema=out_schema,
        in_place=in_place,
    )
    result = clean(source, out or source, options)
    log_path = log or _default_log_path(source, out, in_place)
    try:
        write_log(result, log_path)
    except OSError as exc:
        raise fail(f"--log: cannot write ({exc.strerror or type(exc).__name__})") from None
    if json_out:
        sys.stdout.write(orjson.dumps(result.to_dict()).decode() + "\n")
        return
    data = result.to_dict()
    cleaned = sum(1 for s in data["sources"] if s["action"] == "cleaned")
    out_console.print(
        f"clean copy written to {result.out}: {cleaned} sources cleaned, "
        f"{len(data['left_out'])} left out; redaction log {log_path}"
    )
    for entry in data["sources"]:
        if entry.get("written"):  # e.g. a PDF's redacted text layer, written beside the copy
            out_console.print(f"{entry['source']}: written as {entry['written']}")
    for name in data["left_out"]:
        reason = next(s.get("reason", "") for s in data["sources"] if s["source"] == name)
        err_console.print(f"left out: {name} ({reason})")


def _default_log_path(source: str, out: str | None, in_place: bool) -> Path:
    target = source if in_place else (out or source)
    if "://" in target or target.startswith("duckdb:"):
        return Path("separation-clean-log.json")
    p = Path(target)
    return p.with_name(p.name.rstrip("/") + ".redaction-log.json")
