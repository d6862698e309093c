"""The report for people: a Rich table for the terminal and a self-contained HTML page."""

from __future__ import annotations

import datetime as dt
from html import escape

from rich.console import Console
from rich.table import Table

from separation.scanner.report import ColumnReport, ScanReport, SourceReport

__all__ = ["render_html", "render_rich"]

_ROWS_SHOWN = 8


def _rows_text(col: ColumnReport, src: SourceReport | None = None) -> str:
    """The first row numbers, each with its key when the source has one ("3 (id 1003)")."""
    keys = src.keys.get(col.column or "") if src is not None and src.key else None
    if keys is not None and src is not None and len(keys) == len(col.rows):
        name = ", ".join(src.key or ())
        shown = ", ".join(f"{r} ({name} {k})" for r, k in zip(col.rows[:_ROWS_SHOWN], keys, strict=False))
    else:
        shown = ", ".join(str(r) for r in col.rows[:_ROWS_SHOWN])
    if len(col.rows) > _ROWS_SHOWN or col.rows_truncated:
        shown += ", …"
    return shown


def _column_label(col: ColumnReport) -> str:
    return "(text)" if col.column is None else col.column


def render_rich(report: ScanReport, console: Console) -> None:
    s = report.summary()
    if report.sample < 1.0:
        console.print(
            f"[yellow]Sample mode:[/] about {report.sample:.0%} of the rows were read; "
            "counts and row numbers cover the sample only."
        )
    table = Table(title="Columns holding immigration-status information", title_justify="left", expand=False)
    for header in ("source", "column", "kinds", "reasons", "rows flagged", "rows"):
        table.add_column(header, overflow="fold")
    for src in report.sources:
        for col in src.columns:
            table.add_row(
                src.source,
                _column_label(col),
                ", ".join(col.kinds),
                ", ".join(col.reasons),
                str(col.rows_flagged),
                _rows_text(col, src),
            )
    if table.row_count:
        console.print(table)
    allowed = [(src, col) for src in report.sources for col in src.allowed]
    if allowed:
        atable = Table(title="Allowed by law (not violations)", title_justify="left")
        for header in ("source", "column", "kinds", "rows", "legal basis"):
            atable.add_column(header, overflow="fold")
        for src, col in allowed:
            atable.add_row(
                src.source, _column_label(col), ", ".join(col.kinds), str(col.rows_flagged), col.basis or ""
            )
        console.print(atable)
    errors = [(src, e) for src in report.sources for e in src.errors]
    if errors:
        etable = Table(title="Could not be read completely", title_justify="left")
        for header in ("source", "where", "reason"):
            etable.add_column(header, overflow="fold")
        for src, err in errors:
            where = " ".join(
                p for p in (err.column and f"column {err.column}", err.row and f"row {err.row}") if p
            )
            etable.add_row(src.source, where, err.reason)
        console.print(etable)
    verdict = "[bold red]found[/]" if report.found else "[bold green]nothing found[/]"
    console.print(
        f"{verdict}: {s['sources']} sources, {s['rows_scanned']} rows read, "
        f"{s['columns_flagged']} columns flagged, {s['rows_flagged']} rows flagged, "
        f"{s['columns_allowed']} allowed, {s['errors']} read errors"
    )


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1b1b1b;max-width:72rem}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem}
.meta{color:#555}.verdict{font-size:1.1rem;padding:.6rem .9rem;border-radius:6px;display:inline-block}
.found{background:#fde8e8;color:#8a1010}.clean{background:#e6f4ea;color:#135c2a}
table{border-collapse:collapse;width:100%;margin-top:.5rem;font-size:.92rem}
th,td{border-bottom:1px solid #ddd;text-align:left;padding:.35rem .5rem;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff8e1;padding:.5rem .8rem;border-radius:6px}
"""


def _table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: ScanReport, *, generated: dt.datetime | None = None) -> str:
    """One page, no external resources, for a data steward's manager."""
    s = report.summary()
    when = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>Data store scan: immigration-status information</title><style>{_CSS}</style></head><body>",
        "<h1>Data store scan: immigration-status information</h1>",
        f"<p class='meta'>Generated {escape(when)} · engine {escape(str(s['engine']))} · "
        f"{s['sources']} sources · {s['rows_scanned']} rows read</p>",
    ]
    if report.sample < 1.0:
        parts.append(
            f"<p class='note'>Sample mode: about {report.sample:.0%} of the rows were read. "
            "Counts and row numbers cover the sample only.</p>"
        )
    cls, text = (
        ("found", "Immigration-status information found") if report.found else ("clean", "Nothing found")
    )
    parts.append(
        f"<p class='verdict {cls}'>{text}: {s['columns_flagged']} columns and "
        f"{s['rows_flagged']} rows flagged; "
        f"{s['columns_allowed']} columns allowed by law; {s['errors']} read errors.</p>"
    )
    parts.append(
        "<p>The report names sources, columns, kinds and row numbers only; it never shows a value.</p>"
    )
    flagged = [
        [
            src.source,
            _column_label(c),
            ", ".join(c.kinds),
            ", ".join(c.reasons),
            str(c.rows_flagged),
            _rows_text(c, src),
        ]
        for src in report.sources
        for c in src.columns
    ]
    parts.append("<h2>Flagged columns</h2>")
    parts.append(
        _table(["source", "column", "kinds", "reasons", "rows flagged", "first rows"], flagged, {4})
        if flagged
        else "<p>None.</p>"
    )
    allowed = [
        [src.source, _column_label(c), ", ".join(c.kinds), str(c.rows_flagged), c.basis or ""]
        for src in report.sources
        for c in src.allowed
    ]
    if allowed:
        parts.append("<h2>Allowed by law (not violations)</h2>")
        parts.append(_table(["source", "column", "kinds", "rows", "legal basis"], allowed, {3}))
    errors = [
        [src.source, e.column or "", "" if e.row is None else str(e.row), e.reason]
        for src in report.sources
        for e in src.errors
    ]
    if errors:
        parts.append("<h2>Could not be read completely</h2>")
        parts.append(_table(["source", "column", "row", "reason"], errors, set()))
    parts.append("<h2>All sources</h2>")
    parts.append(
        _table(
            ["source", "format", "rows read", "rows flagged", "columns flagged"],
            [
                [x.source, x.kind, str(x.rows_scanned), str(x.rows_flagged), str(len(x.columns))]
                for x in report.sources
            ],
            {2, 3, 4},
        )
    )
    parts.append("</body></html>\n")
    return "".join(parts)
