"""The register's commands: db upgrade, token create, ledger verify / checkpoint / check-checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from separation.cli import app
from separation.register import Settings
from separation.register.db import head_revision

runner = CliRunner()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SEPARATION_DB", settings.db_url)
    monkeypatch.setenv("SEPARATION_LEDGER_KEY", str(settings.key_path))
    if settings.db_schema:
        monkeypatch.setenv("SEPARATION_DB_SCHEMA", settings.db_schema)
    return settings


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_upgrade_token_verify_checkpoint_round_trip(cli_env: Settings, tmp_path: Path) -> None:
    code, out = run("db", "upgrade")
    assert code == 0 and f"revision {head_revision()}" in out
    code, out = run("token", "create", "--role", "auditor", "--name", "Council auditor")
    assert code == 0 and out.splitlines()[0].startswith("sep_")
    code, out = run("ledger", "verify")
    assert code == 0 and "intact: 2 entries" in out
    checkpoint = tmp_path / "cp.json"
    code, _ = run("ledger", "checkpoint", "--out", str(checkpoint))
    assert code == 0 and json.loads(checkpoint.read_text())["seq"] == 2
    code, out = run("ledger", "check-checkpoint", str(checkpoint))
    assert code == 0 and "checkpoint OK" in out
    code, out = run("ledger", "check-checkpoint", "--signature-only", str(checkpoint))
    assert code == 0

    engine = sa.create_engine(cli_env.db_url, connect_args=_schema_args(cli_env))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE users SET name = 'x'")  # projections are not the record: still intact
    code, _ = run("ledger", "verify")
    assert code == 0
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE events SET actor = 'forger' WHERE seq = 2")
    engine.dispose()
    code, out = run("ledger", "verify")
    assert code == 1 and "BROKEN at entry 2" in out
    code, out = run("ledger", "verify", "--json")
    assert code == 1 and json.loads(out)["first_bad"] == 2
    code, out = run("ledger", "check-checkpoint", str(checkpoint))
    assert code == 1 and "FAILED" in out


def _schema_args(settings: Settings) -> dict[str, str]:
    return {"options": f"-c search_path={settings.db_schema}"} if settings.db_schema else {}


def test_bad_input_is_one_line_and_exit_2(cli_env: Settings, tmp_path: Path) -> None:
    code, out = run("token", "create", "--role", "mayor", "--name", "x")
    assert code == 2 and "role" in out and "Traceback" not in out
    code, out = run("token", "create", "--role", "clerk", "--name", "x")
    assert code == 2 and "department" in out
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    code, out = run("ledger", "check-checkpoint", str(bad))
    assert code == 2 and "JSON" in out
    bad.write_text('{"chain": "x"}')
    code, out = run("ledger", "check-checkpoint", str(bad))
    assert code == 2 and "seq" in out


def test_bad_database_url_is_exit_2(tmp_path: Path) -> None:
    code, out = run("ledger", "verify", "--db", "mysql+nothing://x")
    assert code == 2 and "Traceback" not in out
