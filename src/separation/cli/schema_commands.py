"""``separation schemas``: write or check the JSON Schema files of the public shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from separation.cli._app import EXIT_FOUND, EXIT_OK, app, guarded, out_console
from separation.schemas import schema_files

__all__ = ["schemas"]


@app.command()
@guarded
def schemas(
    directory: Annotated[Path, typer.Option("--dir", help="Where the schema files live.")] = Path("schemas"),
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files from the models.")] = False,
) -> None:
    """Check (default) or rewrite the JSON Schema files of Request, Decision and the other public shapes."""
    stale = []
    for path, text in schema_files(directory).items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            out_console.print(f"wrote {path}")
        else:
            stale.append(str(path))
    if stale:
        out_console.print(f"out of date (run `separation schemas --write`): {', '.join(stale)}")
        raise typer.Exit(EXIT_FOUND)
    raise typer.Exit(EXIT_OK)
