"""Engines, transactions and migrations for SQLite (embedded default) and PostgreSQL (production).

Appends to the ledger must be serialised across every process that writes: on SQLite a write transaction
starts with ``BEGIN IMMEDIATE`` (the database's one writer lock, taken before reading the chain head); on
PostgreSQL the chain-head row is read ``FOR UPDATE``. On SQLite, writers first queue on a thread lock and
an ``flock`` of a file beside the database: the kernel wakes the next writer at once, where SQLite's own
busy handler sleeps and polls, which would otherwise dominate the tail latency with several workers.

Because the chain is one sequence, every append waits for the previous commit (and its fsync). ``run_write``
therefore commits in groups: one writer thread per process takes the jobs waiting at that moment and runs
them in one transaction, so that one lock, one read and write of the chain head and one fsync serve many
requests. When a job fails, the group is rolled back and its jobs are run again one by one (jobs carry their
ids and data with them, so a rerun writes the same thing). A caller is answered only after its commit.
"""

from __future__ import annotations

import fcntl
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from importlib import resources
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from separation.errors import InputError
from separation.register.settings import Settings, normalise_db_url

T = TypeVar("T")
_MAX_BATCH = 64

_INSERT_ONLY = "separation_insert_only"


def insert_only(job: Callable[[sa.Connection], T]) -> Callable[[sa.Connection], T]:
    """Mark a write job that only inserts new rows (and appends): in a group, its rows wait and go in one
    multi-row INSERT per table with those of the other insert-only jobs of the group."""
    setattr(job, _INSERT_ONLY, True)
    return job


__all__ = ["Database", "current_revision", "head_revision", "insert_only", "make_engine", "upgrade"]

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SYNC_MODES = {"OFF", "NORMAL", "FULL", "EXTRA"}


def make_engine(url: str, *, schema: str | None = None, sqlite_synchronous: str = "NORMAL") -> sa.Engine:
    """An engine for ``url``; parameters never enter exception messages (they may hold descriptions)."""
    url = normalise_db_url(url)
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise InputError("not a database URL", field="db") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if sqlite_synchronous.upper() not in _SYNC_MODES:
            raise InputError(f"must be one of {sorted(_SYNC_MODES)}", field="sqlite_synchronous")
        engine = sa.create_engine(
            parsed, hide_parameters=True, connect_args={"timeout": 60, "check_same_thread": False}
        )
        _sqlite_setup(engine, sqlite_synchronous.upper())
        return engine
    if backend == "postgresql":
        connect_args: dict[str, Any] = {}
        if schema:
            if not _SCHEMA_NAME.match(schema):
                raise InputError("must be a plain lower-case identifier", field="db_schema")
            connect_args["options"] = f"-c search_path={schema}"
        return sa.create_engine(
            parsed, hide_parameters=True, pool_size=10, max_overflow=20, connect_args=connect_args
        )
    raise InputError("only sqlite and postgresql databases are supported", field="db")


def _sqlite_setup(engine: sa.Engine, synchronous: str) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so that BEGIN IMMEDIATE is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("separation_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def _alembic_config(conn: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("separation.register") / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def upgrade(engine: sa.Engine) -> None:
    """Create or migrate the schema to the newest revision (idempotent)."""
    with engine.connect().execution_options(separation_write=True) as conn:
        command.upgrade(_alembic_config(conn), "head")
        conn.commit()


def head_revision() -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("separation.register") / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class Database:
    """One engine plus the transaction discipline the ledger needs."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._local_writer = threading.Lock()
        self._lock_path = _writer_lock_path(engine)
        self._lock_fd: int | None = None
        self._jobs: queue.SimpleQueue[tuple[Callable[[sa.Connection], Any], Future[Any]] | None] = (
            queue.SimpleQueue()
        )
        self._writer: threading.Thread | None = None
        self._writer_start = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        engine = make_engine(
            settings.db_url, schema=settings.db_schema, sqlite_synchronous=settings.sqlite_synchronous
        )
        db = cls(engine)
        if settings.migrate:
            upgrade(engine)
        return db

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A transaction that may append to the ledger; commits on success, rolls back on any error."""
        if self.dialect == "sqlite":
            with self._local_writer, self._process_lock(), self.engine.connect() as conn:
                conn.execution_options(separation_write=True)
                with conn.begin():
                    yield conn
        else:
            with self.engine.begin() as conn:
                yield conn

    def run_write(self, job: Callable[[sa.Connection], T]) -> T:
        """Run ``job`` in a write transaction shared with other waiting jobs; return once it is committed."""
        return self.submit_write(job).result()

    def submit_write(self, job: Callable[[sa.Connection], T]) -> Future[T]:
        """Queue ``job`` for the writer thread; the future resolves after its commit."""
        if self._writer is None:
            with self._writer_start:
                if self._writer is None:
                    self._writer = threading.Thread(
                        target=self._write_loop, name="register-writer", daemon=True
                    )
                    self._writer.start()
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    def _write_loop(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < _MAX_BATCH:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._run_batch(batch)
            if stop:
                return

    def _run_batch(self, batch: list[tuple[Callable[[sa.Connection], Any], Future[Any]]]) -> None:
        from separation.register.ledger import finish_group, start_group

        try:
            with self.write() as conn:
                group = start_group(conn)
                values = []
                for job, _ in batch:
                    buffered = getattr(job, _INSERT_ONLY, False)
                    if not buffered:
                        group.flush(conn)
                    group.buffering = buffered
                    values.append(job(conn))
                    group.buffering = False
                finish_group(conn, group)
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            # Rare (a 404 or 409 inside a job, or the database gone): undo the group, run each job alone.
            for one in batch:
                self._run_batch([one])
            return
        for (_, future), value in zip(batch, values, strict=True):
            future.set_result(value)

    @contextmanager
    def _process_lock(self) -> Iterator[None]:
        if self._lock_path is None:
            yield
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        if self._writer is not None:
            self._jobs.put(None)
            self._writer.join(timeout=30)
            self._writer = None
        self.engine.dispose()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _writer_lock_path(engine: sa.Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + ".writer-lock"
