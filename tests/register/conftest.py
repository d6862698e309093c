"""Fixtures: the same tests run on SQLite and on PostgreSQL.

PostgreSQL comes from ``SEPARATION_TEST_PG_URL`` (default: the local server, database ``test``). Each test
works in a fresh schema that is dropped afterwards. Where the server is missing the PostgreSQL cases skip,
except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from separation.register import Database, Settings, issue_token
from separation.web import create_app

from ._support import Api

PG_URL = os.environ.get("SEPARATION_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, str | None] = {}


def _pg_problem() -> str | None:
    if "problem" not in _pg_state:
        try:
            engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            engine.dispose()
            _pg_state["problem"] = None
        except Exception as exc:
            _pg_state["problem"] = f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}"
    return _pg_state["problem"]


def require_pg() -> None:
    problem = _pg_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture
def pg_schema() -> Iterator[str]:
    require_pg()
    schema = "sep_test_" + secrets.token_hex(6)
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    key = tmp_path / "keys" / "ledger.pem"
    if request.param == "sqlite":
        return Settings(db_url=f"sqlite:///{tmp_path / 'register.db'}", key_path=key)
    schema = request.getfixturevalue("pg_schema")
    return Settings(db_url=PG_URL, db_schema=schema, key_path=key)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database.from_settings(settings)
    try:
        yield database
    finally:
        database.dispose()


# --- the web app over the same two backends -----------------------------------------------------------


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from _api(settings)


@pytest.fixture
def api_sqlite(tmp_path: Path) -> Iterator[Api]:
    """For property tests, which run many examples: SQLite only."""
    yield from _api(Settings(db_url=f"sqlite:///{tmp_path / 'property.db'}", key_path=tmp_path / "key.pem"))


def _api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    database = app.state.register.db
    tokens = {
        "clerk": issue_token(database, role="clerk", name="Desk clerk", department="police").token,
        "clerk_fire": issue_token(database, role="clerk", name="Fire clerk", department="fire").token,
        "attorney": issue_token(database, role="attorney", name="Assistant city attorney").token,
        "auditor": issue_token(database, role="auditor", name="City auditor").token,
        "admin": issue_token(database, role="admin", name="IT admin").token,
    }
    with TestClient(app) as client:
        yield Api(client, tokens)
