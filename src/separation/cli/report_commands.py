"""``separation report``: the Council's (or with ``--public``, the public) report for a period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from separation.cli._app import app, err_console, fail, guarded

__all__ = ["report"]


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"--{field}: give a date as YYYY-MM-DD") from None


@app.command("report")
@guarded
def report(
    date_from: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD), included.")],
    out: Annotated[Path, typer.Option("--out", help="Write the report to this file.")],
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or csv.")] = "html",
    public: Annotated[
        bool, typer.Option("--public", help="The public version: counts from 1 to 4 withheld.")
    ] = False,
    publish: Annotated[
        bool,
        typer.Option("--publish", help="Also store it as the report the public page shows (needs --public)."),
    ] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL or SQLite file (default: $SEPARATION_DB).")
    ] = None,
    pack: Annotated[str | None, typer.Option("--pack", help="Policy pack (names the jurisdiction).")] = None,
) -> None:
    """Requests by agency, ask, outcome and department; overrides; referral turnaround; obligations met on
    time; complaints; uses of city personnel in criminal investigations; the signed ledger head."""
    if fmt not in ("html", "pdf", "csv"):
        raise fail("--format: must be html, pdf or csv")
    if publish and not public:
        raise fail("--publish: only the public version can be published; add --public")
    start, end = _date(date_from, "from"), _date(date_to, "to")
    import sqlalchemy as sa

    from separation.policy import load_pack
    from separation.register.db import Database
    from separation.register.settings import Settings
    from separation.reports import make_report, render
    from separation.reports import publish as publish_report

    overrides: dict[str, object] = {}
    if db:
        overrides["db_url"] = db
    if pack:
        overrides["pack"] = pack
    settings = Settings.from_env(**overrides)
    loaded = load_pack(settings.pack)
    jurisdiction = str(getattr(loaded, "name", None) or loaded.id)
    try:
        database = Database.from_settings(settings)
    except sa.exc.OperationalError as exc:
        raise fail(f"cannot open the database: {type(exc.orig).__name__ if exc.orig else 'error'}") from None
    try:
        made = make_report(
            database, settings, period_from=start, period_to=end, jurisdiction=jurisdiction, public=public
        )
        data = render(made, fmt)
        if publish:
            publish_report(database, made, actor=None)
    finally:
        database.dispose()
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise fail(f"--out: cannot write the file ({exc.strerror})") from None
    version = "public" if public else "full"
    err_console.print(
        f"{version} report {start} to {end} ({fmt}, {len(data):,} bytes) written to {out}; "
        f"ledger entry {made.ledger.seq}{'; published' if publish else ''}"
    )
