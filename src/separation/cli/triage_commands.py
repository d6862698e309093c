"""``separation triage``: decisions for requests, for a person or for a machine."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import orjson
import typer

from separation.cli._app import EXIT_OK, EXIT_USAGE, app, err_console, guarded, out_console
from separation.cli.decision_view import render_decision
from separation.errors import InputError, NotFoundError
from separation.policy import Request, decide, load_pack, parse_pack_ref
from separation.policy.batch import BatchTriage
from separation.policy.intake import iter_requests, parse_request

__all__ = ["triage"]


def open_input(path: str) -> BinaryIO:
    """'-' is standard input; anything else must be a readable file."""
    if path == "-":
        return sys.stdin.buffer
    file = Path(path)
    if not file.is_file():
        raise InputError("no such file", where=path)
    return file.open("rb")


@app.command()
@guarded
def triage(
    source: Annotated[
        str, typer.Argument(help="A file of requests (JSON object, JSON list or JSON Lines), or - for stdin.")
    ],
    json_out: Annotated[
        bool, typer.Option("--json", help="Print one Decision JSON object per line, in input order.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Include the trace: every rule considered and why.")
    ] = False,
    pack_name: Annotated[
        str, typer.Option("--pack", help="Pack name, or NAME@DATE for the version in force then.")
    ] = "minneapolis",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Judge under the version in force on this date (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Decide requests: outcome, reasons with citations, and obligations with due dates.

    A bad request is reported on stderr with its line and field; the others are still decided, and the
    exit code is 2. With --json a bad request prints {"error": ...} on its line so lines stay aligned.
    """
    name, pinned = parse_pack_ref(pack_name)
    when = _parse_date(as_of) if as_of else pinned
    pack = load_pack(name)
    failures = 0
    write = sys.stdout.buffer.write
    batch = BatchTriage(pack, as_of=when) if json_out and not explain else None
    with open_input(source) as stream:
        for where, item in iter_requests(stream, source=source):
            try:
                if batch is not None:
                    write(batch.decide_line(item, where))
                    write(b"\n")
                    continue
                request: Request = parse_request(item, where=where)
                decision = decide(request, pack, as_of=when, explain=explain)
            except (InputError, NotFoundError) as exc:
                failures += 1
                err_console.print(
                    f"error: {where}: {exc}" if isinstance(exc, NotFoundError) else f"error: {exc}",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
                if json_out:
                    problem = exc.problem if isinstance(exc, InputError) else str(exc)
                    field = exc.field if isinstance(exc, InputError) else "received_at"
                    write(orjson.dumps({"error": {"where": where, "field": field, "problem": problem}}))
                    write(b"\n")
                continue
            if json_out:
                write(
                    decision.model_dump_json(
                        exclude_none=False, exclude=None if explain else {"trace"}
                    ).encode()
                )
                write(b"\n")
            else:
                out_console.print(render_decision(decision, flag_help=dict(pack.flags)))
    sys.stdout.flush()
    raise typer.Exit(EXIT_USAGE if failures else EXIT_OK)


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("must be a date YYYY-MM-DD", field="--as-of") from None
