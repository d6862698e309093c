"""``separation access audit``: audit access logs of the city's shared data systems.

Exit codes: 0 when the audit ran and found no immigration-enforcement search; 1 when it found at
least one (a reason in category ``immigration_enforcement``, or a search by a federal immigration
agency, a listed partner or on their behalf): "the check found something" (CONTRACTS.md section 4);
vague reasons and how-rule flags alone do not change the exit code. 2 for bad input or usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from separation.access.engine import audit, expand_inputs
from separation.access.export import FlaggedWriter
from separation.access.profiles import resolve_profile
from separation.access.report import render_html
from separation.access.rules import CATEGORIES, default_rules, load_rules
from separation.access.summary import Summary
from separation.cli._app import EXIT_FOUND, EXIT_OK, app, fail, guarded, out_console

__all__ = ["access_app"]

access_app = typer.Typer(
    name="access",
    help="Audit access logs of shared data systems (license-plate readers first).",
    no_args_is_help=True,
)
app.add_typer(access_app, name="access")

_AGENCIES_SHOWN = 15
_MALFORMED_SHOWN = 10


@access_app.command("audit")
@guarded
def audit_command(
    files: Annotated[
        list[Path], typer.Argument(help="Log files or folders of them (.csv, .tsv, .jsonl, .parquet).")
    ],
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile", help="Built-in profile id, or a column-mapping .yaml; detected if omitted."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    flagged: Annotated[
        Path | None, typer.Option("--flagged", help="Write flagged entries to OUT.jsonl (or OUT.csv).")
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report.")] = None,
    include_identifiers: Annotated[
        bool,
        typer.Option(
            "--include-identifiers",
            help="Add user names, plates, case numbers and reason text to the --flagged export (only there).",
        ),
    ] = False,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="A classifier rules .yaml instead of the built-in one.")
    ] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1, max=256, help="DuckDB threads.")] = None,
) -> None:
    """Find searches made for immigration enforcement.

    Exit 1 when any were found, 0 when none, 2 on bad input.
    """
    if include_identifiers and flagged is None:
        raise fail("--include-identifiers only applies to the --flagged export")
    chosen = resolve_profile(profile) if profile else None
    ruleset = load_rules(rules) if rules else default_rules()
    several = len(expand_inputs(files)) > 1
    if flagged is not None:
        with FlaggedWriter(flagged, several_files=several, include_identifiers=include_identifiers) as writer:
            summary = audit(
                files,
                profile=chosen,
                rules=ruleset,
                sink=writer,
                include_identifiers=include_identifiers,
                threads=threads,
            )
    else:
        summary = audit(files, profile=chosen, rules=ruleset, threads=threads)
    data = summary.as_json()
    if html is not None:
        try:
            html.write_text(render_html(data), encoding="utf-8")
        except OSError as exc:
            raise fail(f"--html: cannot write ({type(exc).__name__})") from None
    if as_json:
        out_console.file.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        _print(summary, data)
    raise typer.Exit(EXIT_FOUND if summary.found else EXIT_OK)


def _print(summary: Summary, data: dict[str, Any]) -> None:
    console = out_console
    style = "bold red" if summary.found else "bold green"
    console.print(summary.headline(), style=style, markup=False, soft_wrap=True)
    console.print(
        f"{data['rows']:,} rows read from {len(data['files'])} file(s); "
        f"{data['rows_malformed']:,} malformed; "
        f"{data['flagged']:,} flagged for review; rules {data['rules_version']}",
        markup=False,
        soft_wrap=True,
    )

    categories = Table(title="By category (why)", title_justify="left")
    categories.add_column("category")
    categories.add_column("searches", justify="right")
    for category in CATEGORIES:
        categories.add_row(category, f"{data['categories'][category]:,}")
    console.print(categories)

    for axis in ("who", "why", "how"):
        counts = data["rules"][axis]
        if not counts:
            console.print(f"No {axis} rule fired.", markup=False, soft_wrap=True)
            continue
        table = Table(title=f"Rules ({axis})", title_justify="left")
        table.add_column("rule")
        table.add_column("searches", justify="right")
        for rule, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            table.add_row(rule, f"{n:,}")
        console.print(table)

    agencies = Table(title="By agency", title_justify="left")
    for column in ("agency", "searches", "immigration", "vague/missing", "federal"):
        agencies.add_column(column, justify="left" if column == "agency" else "right")
    for row in data["by_agency"][:_AGENCIES_SHOWN]:
        agencies.add_row(
            row["agency"],
            f"{row['rows']:,}",
            f"{row['immigration_enforcement']:,}",
            f"{row['vague_or_missing']:,}",
            f"{row['federal_immigration_searches']:,}" if row["federal_immigration_searches"] else "",
        )
    console.print(agencies)
    if len(data["by_agency"]) > _AGENCIES_SHOWN:
        console.print(
            f"... and {len(data['by_agency']) - _AGENCIES_SHOWN} more (see --json or --html)", markup=False
        )

    months = Table(title="By month", title_justify="left")
    months.add_column("month")
    months.add_column("searches", justify="right")
    for category in CATEGORIES:
        months.add_column(category, justify="right")
    for row in data["by_month"]:
        months.add_row(row["month"], f"{row['rows']:,}", *(f"{row[c]:,}" for c in CATEGORIES))
    console.print(months)

    console.print(
        f"Multi-network searches: {data['networks']['multi_network']:,}"
        + (f" (widest: {data['networks']['max']:,} networks)" if data["networks"]["max"] else ""),
        markup=False,
        soft_wrap=True,
    )
    if data["lookback_days"]["max"] is not None:
        console.print(
            f"Time frames reaching back more than 30 days: {data['lookback_days']['over_30']:,} "
            f"(longest: {data['lookback_days']['max']:,} days)",
            markup=False,
            soft_wrap=True,
        )
    for skipped in data["skipped"]:
        console.print(f"skipped {skipped['file']}: {skipped['problem']}", markup=False, soft_wrap=True)
    for source in data["files"]:
        if source["rows_malformed"]:
            lines = ", ".join(str(m["line"]) for m in source["malformed"][:_MALFORMED_SHOWN])
            more = " ..." if source["rows_malformed"] > _MALFORMED_SHOWN else ""
            console.print(
                f"{source['file']}: {source['rows_malformed']:,} malformed row(s), "
                f"starting on line(s) {lines}{more}",
                markup=False,
                soft_wrap=True,
            )
