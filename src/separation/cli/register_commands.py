"""``separation serve``, ``token create``, ``ledger verify|checkpoint|check-checkpoint``, ``db upgrade``.

Heavy imports (SQLAlchemy, FastAPI) happen inside the commands so that other commands start fast.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from separation.cli._app import EXIT_FOUND, EXIT_OK, app, err_console, fail, guarded, out_console

__all__ = ["db_app", "ledger_app", "token_app"]

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file (default: $SEPARATION_DB or ./separation.db)."),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key", help="Ledger signing key file (default: $SEPARATION_LEDGER_KEY or ~/.local/share)."
    ),
]

token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
ledger_app = typer.Typer(help="The register's tamper-evident ledger.", no_args_is_help=True)
db_app = typer.Typer(help="The register's database schema.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(ledger_app, name="ledger")
app.add_typer(db_app, name="db")


def _settings(db: str | None, key: Path | None = None, **extra: object):  # type: ignore[no-untyped-def]
    from separation.register.settings import Settings

    overrides: dict[str, object] = dict(extra)
    if db:
        overrides["db_url"] = db
    if key:
        overrides["key_path"] = key
    return Settings.from_env(**overrides)


def _database(db: str | None, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from separation.register.db import Database

    settings = _settings(db, migrate=migrate)
    try:
        return Database.from_settings(settings)
    except sa.exc.OperationalError as exc:
        raise fail(f"cannot open the database: {type(exc.orig).__name__ if exc.orig else 'error'}") from None


@app.command("serve")
@guarded
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    pack: Annotated[str, typer.Option(help="Policy pack.")] = "minneapolis",
    key: KeyOption = None,
    access_log: Annotated[bool, typer.Option(help="Log one line per request (method, path, status).")] = True,
) -> None:
    """Start the register (API at /api, OpenAPI at /docs), creating or migrating the schema first."""
    import uvicorn

    from separation.policy import load_pack
    from separation.register.db import Database

    settings = _settings(db, key, pack=pack)
    load_pack(settings.pack)  # fail here, once, with a clear message, rather than in every worker
    Database.from_settings(settings).dispose()  # migrates before any worker starts
    os.environ.update({**settings.to_env(), "SEPARATION_MIGRATE": "0"})
    err_console.print(
        f"separation register on http://{host}:{port} (docs at /docs), database {_safe_url(settings.db_url)}"
    )
    uvicorn.run(
        "separation.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        timeout_graceful_shutdown=10,
    )


def _say(text: str) -> None:
    out_console.print(text, markup=False, highlight=False, soft_wrap=True)


def _safe_url(url: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)


@token_app.command("create")
@guarded
def token_create(
    role: Annotated[str, typer.Option(help="clerk, attorney, auditor or admin.")],
    name: Annotated[str, typer.Option(help="Who the token is for.")],
    department: Annotated[
        str | None, typer.Option(help="The clerk's department (required for clerks).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a user with a new token. The token is printed once; only its hash is stored."""
    from separation.register.auth import issue_token

    database = _database(db)
    try:
        issued = issue_token(database, role=role, name=name, department=department, actor=None)
    finally:
        database.dispose()
    _say(issued.token)
    err_console.print(
        f"token {issued.token_id} for {issued.name} ({issued.role.value}); it will not be shown again"
    )


@ledger_app.command("verify")
@guarded
def ledger_verify(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Walk the hash chain: exit 0 when intact, 1 when broken (naming the first bad entry)."""
    from separation.register.ledger import verify

    database = _database(db, migrate=False)
    try:
        with database.read() as conn:
            result = verify(conn)
    finally:
        database.dispose()
    if as_json:
        _say(json.dumps(result.to_dict()))
    elif result.ok:
        _say(f"ledger intact: {result.entries} entries, head {result.head_seq} {result.head_hash}")
    else:
        _say(f"ledger BROKEN at entry {result.first_bad}: {result.problem}")
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FOUND)


@ledger_app.command("checkpoint")
@guarded
def ledger_checkpoint(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the checkpoint JSON here (default: stdout).")
    ] = None,
    db: DbOption = None,
    key: KeyOption = None,
) -> None:
    """Sign the chain head with the ledger's Ed25519 key (created on first use, mode 0600)."""
    from separation.register.ledger import load_or_create_key, make_checkpoint, verify

    settings = _settings(db, key)
    database = _database(db, migrate=False)
    try:
        with database.read() as conn:
            result = verify(conn)
            if not result.ok:
                _say(f"ledger BROKEN at entry {result.first_bad}: {result.problem}; no checkpoint signed")
                raise typer.Exit(EXIT_FOUND)
            checkpoint = make_checkpoint(conn, load_or_create_key(settings.key_path))
    finally:
        database.dispose()
    text = json.dumps(checkpoint.to_dict(), indent=2, sort_keys=True)
    if out is None:
        out_console.print(text, markup=False, soft_wrap=True)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        err_console.print(f"checkpoint of entry {checkpoint.seq} written to {out}")


@ledger_app.command("check-checkpoint")
@guarded
def ledger_check_checkpoint(
    file: Annotated[Path, typer.Argument(help="A checkpoint JSON file from `ledger checkpoint`.")],
    db: DbOption = None,
    key: KeyOption = None,
    signature_only: Annotated[
        bool, typer.Option("--signature-only", help="Check the signature alone, without a database.")
    ] = False,
) -> None:
    """Check a checkpoint: its signature by the ledger's key, and that the chain still holds that head."""
    from separation.errors import InputError
    from separation.register.ledger import Checkpoint, check_checkpoint, load_or_create_key

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("cannot be read as JSON", where=str(file)) from None
    checkpoint = Checkpoint.from_dict(data)
    settings = _settings(db, key)
    trusted = load_or_create_key(settings.key_path).public_key() if settings.key_path.exists() else None
    if signature_only:
        ok, message = check_checkpoint(checkpoint, None, trusted)
    else:
        database = _database(db, migrate=False)
        try:
            with database.read() as conn:
                ok, message = check_checkpoint(checkpoint, conn, trusted)
        finally:
            database.dispose()
    if trusted is None:
        message += " (no local key to compare the signer with)"
    _say(("checkpoint OK: " if ok else "checkpoint FAILED: ") + message)
    raise typer.Exit(EXIT_OK if ok else EXIT_FOUND)


@db_app.command("upgrade")
@guarded
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to the newest revision."""
    from separation.register.db import current_revision

    database = _database(db, migrate=True)
    try:
        _say(f"schema at revision {current_revision(database.engine)}")
    finally:
        database.dispose()
