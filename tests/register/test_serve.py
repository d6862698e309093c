"""``separation serve`` for real: two uvicorn workers share one chain; after a SIGKILL in the middle of
writes and a restart, the ledger verifies and every request answered 201 is there."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from separation.register import Database, Settings, issue_token

from ._support import DETAINER

pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "SEPARATION_LEDGER_KEY": str(settings.key_path)}
    env.pop("SEPARATION_DB_SCHEMA", None)
    if settings.db_schema:
        env["SEPARATION_DB_SCHEMA"] = settings.db_schema
    return env


class Served:
    def __init__(self, settings: Settings, log: Path) -> None:
        self.settings, self.log, self.port = settings, log, _port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "separation", "serve", "--db", self.settings.db_url]
        cmd += ["--port", str(self.port), "--workers", "2", "--no-access-log"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=_env(self.settings), stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("server did not start: " + self.log.read_text())

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(30)


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[Served]:
    server = Served(settings, tmp_path / "server.log")
    try:
        yield server
    finally:
        server.kill()


def _post_many(port: int, token: str, n: int, answered: list[str], stop: threading.Event) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({**DETAINER, "description": "served"})
    for _ in range(n):
        if stop.is_set():
            return
        try:
            conn.request("POST", "/api/requests", body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            return
        if resp.status == 201:
            answered.append(json.loads(data)["id"])


def test_two_workers_one_chain_and_nothing_lost_on_sigkill(served: Served, settings: Settings) -> None:
    db = Database.from_settings(settings)
    token = issue_token(db, role="clerk", name="desk", department="police").token
    served.start()
    answered: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=_post_many, args=(served.port, token, 400, answered, stop)) for _ in range(6)
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(answered) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    served.kill()  # mid-load: the parent and both workers at once
    stop.set()
    for t in threads:
        t.join(30)
    assert len(answered) >= 60
    served.start()  # the restart migrates (a no-op) and serves again
    done = subprocess.run(
        [sys.executable, "-m", "separation", "ledger", "verify", "--db", settings.db_url],
        env=_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with db.read() as conn:
        stored = {r[0] for r in conn.execute(sa.text("SELECT id FROM requests"))}
    assert set(answered) <= stored
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    conn.request("GET", f"/api/requests/{answered[0]}", headers={"Authorization": f"Bearer {token}"})
    assert conn.getresponse().status == 200
    db.dispose()
