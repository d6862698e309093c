"""What to scan: targets (files, folders, database URLs, DuckDB files) expanded into sources.

A source is one thing a report line is about: a file, a sheet of a workbook, or a table. Its name is
the path relative to the target (``/`` separators) or ``TABLE`` / ``SCHEMA.TABLE`` for databases.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from separation.errors import InputError

__all__ = ["FILE_FORMATS", "TABULAR_FORMATS", "Source", "discover", "file_format", "is_database_url"]

FILE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".pdf": "pdf",
    ".docx": "docx",
    ".duckdb": "duckdb",
    ".ddb": "duckdb",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".db": "database",  # DuckDB or SQLite: decided by the file's header
}
TABULAR_FORMATS = frozenset({"csv", "tsv", "json", "jsonl", "parquet", "xlsx", "sql", "duckdb"})


@dataclass(frozen=True)
class Source:
    """One file, sheet or table to scan. Picklable, so it can go to a worker process."""

    name: str
    format: str  # csv tsv json jsonl parquet xlsx text pdf docx sql duckdb
    path: str | None = None  # file path, or DuckDB database file
    url: str | None = None  # SQLAlchemy URL for "sql"
    table: str | None = None
    schema: str | None = None
    sheet: str | None = None
    problem: str | None = None  # known at discovery: reported as the source's error
    row_groups: tuple[int, int] | None = None  # a part of a Parquet file (row groups [a, b)) for a worker
    first_row: int = 0  # 0-based index of that part's first row in the file

    @property
    def key(self) -> str:
        """Stable identity for the resume state."""
        parts = (self.format, self.path, self.url, self.schema, self.table, self.sheet)
        return "|".join(str(p) for p in parts) + (f"|{self.row_groups}" if self.row_groups else "")

    @property
    def size(self) -> int:
        if self.path and self.format not in ("duckdb", "sql"):
            try:
                return os.path.getsize(self.path)
            except OSError:
                return 0
        return 0


def is_database_url(target: str) -> bool:
    return "://" in target or target.startswith(("duckdb:", "sqlite:"))


def file_format(path: Path) -> str | None:
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt in ("database", "sqlite", "duckdb"):
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
        except OSError:
            return fmt if fmt != "database" else "sqlite"
        if head.startswith(b"SQLite format 3"):
            return "sqlite"
        if head[8:12] == b"DUCK":
            return "duckdb"
        return "sqlite" if fmt == "database" else fmt
    return fmt


def discover(
    targets: Sequence[str], *, tables: Sequence[str] = (), schema: str | None = None
) -> list[Source]:
    """Expand targets into sources, in a stable order. A missing target is bad usage."""
    if not targets:
        raise InputError("give at least one file, folder or database URL", field="TARGET")
    out: list[Source] = []
    for target in targets:
        if is_database_url(target):
            out.extend(_database_sources(target, tables, schema))
            continue
        path = Path(target)
        if not path.exists():
            raise InputError("no such file or folder", where=target)
        if path.is_dir():
            for file in _walk(path):
                out.extend(_file_sources(file, file.relative_to(path).as_posix(), tables, schema))
        else:
            sources = list(_file_sources(path, target, tables, schema))
            if not sources:
                raise InputError(
                    f"unsupported format '{path.suffix or path.name}' "
                    f"(supported: {', '.join(sorted(set(FILE_FORMATS)))})",
                    where=target,
                )
            out.extend(sources)
    return out


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and not name.startswith("~$"):
                yield Path(dirpath) / name


def _file_sources(path: Path, name: str, tables: Sequence[str], schema: str | None) -> Iterator[Source]:
    fmt = file_format(path)
    if fmt is None:
        return
    if fmt == "sqlite":
        for src in _database_sources(f"sqlite:///{path.resolve()}", tables, schema):
            yield Source(
                name=f"{name}:{src.name}",
                format=src.format,
                url=src.url,
                table=src.table,
                schema=src.schema,
                problem=src.problem,
            )
        return
    if fmt == "duckdb":
        for src in _duckdb_sources(str(path), tables, schema):
            yield Source(
                name=f"{name}:{src.name}",
                format="duckdb",
                path=src.path,
                table=src.table,
                schema=src.schema,
                problem=src.problem,
            )
        return
    if fmt == "xlsx":
        yield from _sheets(path, name)
        return
    yield Source(name=name, format=fmt, path=str(path))


def _sheets(path: Path, name: str) -> Iterator[Source]:
    try:
        import openpyxl  # type: ignore[import-untyped]

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = list(book.sheetnames)
        finally:
            book.close()
    except Exception as exc:  # any broken workbook is reported on the source, never fatal
        yield Source(name=name, format="xlsx", path=str(path), problem=_workbook_problem(exc))
        return
    for sheet in sheets:
        label = name if len(sheets) == 1 else f"{name}#{sheet}"
        yield Source(name=label, format="xlsx", path=str(path), sheet=sheet)


def _workbook_problem(exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return "cannot read the file (permission denied)"
    return f"not a readable Excel workbook ({type(exc).__name__})"


def _database_sources(url: str, tables: Sequence[str], schema: str | None) -> Iterator[Source]:
    if url.startswith("duckdb:"):
        path = url.removeprefix("duckdb:").removeprefix("///").removeprefix("//")
        yield from _duckdb_sources(path, tables, schema)
        return
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    try:
        parsed = make_url(url)
        engine = create_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise InputError("not a usable database URL", where=_url_label(url)) from None
    except ImportError as exc:
        raise InputError(f"database driver not installed ({exc.name})", where=_url_label(url)) from None
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names(schema=schema)
    except SQLAlchemyError as exc:
        raise InputError(f"cannot list tables ({_db_problem(exc)})", where=_url_label(url)) from None
    finally:
        engine.dispose()
    wanted = _select(names, tables, _url_label(url))
    for table in wanted:
        label = f"{schema}.{table}" if schema else table
        yield Source(name=label, format="sql", url=url, table=table, schema=schema)


def _duckdb_sources(path: str, tables: Sequence[str], schema: str | None) -> Iterator[Source]:
    import duckdb

    if not Path(path).exists():
        raise InputError("no such DuckDB file", where=path)
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error:
        yield Source(
            name=Path(path).name, format="duckdb", path=path, problem="not a readable DuckDB database"
        )
        return
    try:
        rows = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' ORDER BY table_schema, table_name"
        ).fetchall()
    finally:
        con.close()
    found = [(str(s), str(t)) for s, t in rows if schema is None or s == schema]
    labels = {(s, t): (t if s == "main" else f"{s}.{t}") for s, t in found}
    wanted = set(_select(list(labels.values()), tables, path))
    for (s, t), label in labels.items():
        if label in wanted:
            yield Source(name=label, format="duckdb", path=path, table=t, schema=s)


def _select(names: Sequence[str], tables: Sequence[str], where: str) -> list[str]:
    if not tables:
        return sorted(names)
    missing = [t for t in tables if t not in names]
    if missing:
        raise InputError(f"no such table(s): {', '.join(missing)}", field="--table", where=where)
    return [t for t in tables if t in names]


def _url_label(url: str) -> str:
    """A database URL with any password hidden, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("://", 1)[0] + "://…"


def _db_problem(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)).lower()
    if "denied" in text or "permission" in text or "privilege" in text:
        return "permission denied"
    if "connect" in text or "refused" in text or "timeout" in text:
        return "cannot connect"
    if "does not exist" in text or "unknown database" in text or "no such" in text:
        return "does not exist"
    return type(getattr(exc, "orig", exc) or exc).__name__
