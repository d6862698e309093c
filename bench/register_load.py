"""Load and fault benchmark of the register: a real server (uvicorn, two workers) on loopback, driven by a
load generator in another process.

    python bench/register_load.py                     # 60 s per load phase, 20 kill/restart rounds
    python bench/register_load.py --duration 10 --fault-rounds 3     # a quick run

Phases, on SQLite and on PostgreSQL:
  1. sustained ``POST /api/requests`` for ``--duration`` seconds, then ``GET /api/health`` under the same load
     (the framework's floor) for the ratio;
  2. (SQLite run) ``POST /api/screen`` with 2 KB texts, with its own health ratio;
  3. faults: SIGKILL the whole server (parent and workers) in the middle of the load, restart it, then
     ``separation ledger verify`` must pass and every request answered 201 must be in the register.

The load generator is ``wrk`` when installed (Debian package ``wrk``), else a Python one (threads with
keep-alive connections) in a child process; the fault rounds always use the Python one, since they must
record which requests were answered 201. Targets (2-core machine, load generator included): requests at
>= 300/s with p99 < 100 ms on PostgreSQL and >= 200/s on SQLite; screen at >= 1,000/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import multiprocessing.synchronize
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from separation.register import Database, Settings, issue_token

OUT = Path(__file__).resolve().parent / "out" / "register"
PG_URL = os.environ.get("SEPARATION_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

REQUEST = {
    "received_at": "2026-01-05T10:00:00-06:00",
    "channel": "fax",
    "received_by": {"department": "police"},
    "requester": {"agency": "ICE ERO"},
    "asks": ["hold", "notify_release"],
    "process": {"document": "detainer", "signed_by": "immigration_officer", "form": "I-247A"},
    "purpose": "civil_immigration",
    "description": "Detainer faxed for a person booked on a misdemeanour; release expected Friday.",
}
_SENTENCES = [
    "The caller reported a broken streetlight on the corner of Lake Street and 4th Avenue.",
    "Officer took a statement from the complainant about a stolen bicycle from the garage.",
    "She said her neighbour is undocumented and afraid to call about the noise.",
    "Case notes: follow-up visit scheduled, the tenant asked for a Spanish interpreter.",
    "He mentioned he has a green card and works nights at the bakery on Central.",
    "Water service restored after the main break; no further action needed at this time.",
    "The resident asked whether the city shares information with immigration agents.",
]


def screen_text(size: int = 2048) -> str:
    rng = random.Random(7)
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < size:
        parts.append(rng.choice(_SENTENCES))
    return " ".join(parts)[:size]


# --- server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Backend:
    name: str
    url: str
    schema: str | None
    key: Path

    def env(self) -> dict[str, str]:
        env = {**os.environ, "SEPARATION_LEDGER_KEY": str(self.key), "SEPARATION_DB": self.url}
        env.pop("SEPARATION_DB_SCHEMA", None)
        if self.schema:
            env["SEPARATION_DB_SCHEMA"] = self.schema
        return env

    def settings(self) -> Settings:
        return Settings(db_url=self.url, db_schema=self.schema, key_path=self.key)


class Server:
    """``separation serve`` in its own session, so the parent and its workers die together on SIGKILL."""

    def __init__(self, backend: Backend, port: int, workers: int, log: Path) -> None:
        self.backend, self.port, self.workers, self.log = backend, port, workers, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> float:
        t0 = time.perf_counter()
        cmd = [
            sys.executable,
            "-m",
            "separation",
            "serve",
            "--db",
            self.backend.url,
            "--port",
            str(self.port),
        ]
        cmd += ["--workers", str(self.workers), "--no-access-log"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=self.backend.env(), stdout=log, stderr=log, start_new_session=True
            )
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    # Both workers must be up: ask a few times on fresh connections.
                    time.sleep(0.5)
                    return time.perf_counter() - t0
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"server did not answer within {timeout} s; see {self.log}")

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def verify_cli(backend: Backend) -> tuple[int, str]:
    cmd = [sys.executable, "-m", "separation", "ledger", "verify", "--db", backend.url]
    done = subprocess.run(cmd, env=backend.env(), capture_output=True, text=True, timeout=600, check=False)
    return done.returncode, (done.stdout + done.stderr).strip()


# --- load generators ----------------------------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(
    port: int, method: str, path: str, token: str, body: bytes | None, seconds: float, conns: int
) -> Result:
    lua = ""
    if method != "GET":
        lua += f'wrk.method = "{method}"\n'
    if body is not None:
        lua += (
            "wrk.body = [==["
            + body.decode()
            + "]==]\n"
            + 'wrk.headers["Content-Type"] = "application/json"\n'
        )
    if token:
        lua += f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    try:
        cmd = ["wrk", "-t1", f"-c{conns}", f"-d{max(1, round(seconds))}s", "--latency", "-s", fh.name]
        out = subprocess.run(
            [*cmd, f"http://127.0.0.1:{port}{path}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(fh.name)

    def latency(pct: str) -> float:
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")

    total = re.search(r"(\d+) requests in ([\d.]+)(s|m)", out)
    assert total, out
    secs = float(total.group(2)) * (60 if total.group(3) == "m" else 1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)$", out, re.M)
    n_err = int(errors.group(1)) if errors else 0
    tool = f"wrk; socket errors: {sock.group(1)}" if sock else "wrk"
    return Result(int(total.group(1)), secs, latency("50"), latency("99"), n_err, tool)


def _py_worker(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None,
    stop_at: float,
    stop: threading.Event,
    lat: list[float],
    ids: list[str],
    errs: list[int],
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop.is_set() and time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            errs.append(1)
            conn.close()
            if stop.is_set():
                return
            time.sleep(0.05)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        lat.append((time.perf_counter() - t0) * 1000)
        if resp.status == 201:
            ids.append(json.loads(data)["id"])
        elif resp.status >= 300:
            errs.append(1)


def _py_load_process(
    port: int,
    method: str,
    path: str,
    token: str,
    body: bytes | None,
    seconds: float,
    conns: int,
    stop_evt: mp.synchronize.Event,
    out_q: mp.Queue,
) -> None:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    stop = threading.Event()
    lat: list[float] = []
    ids: list[str] = []
    errs: list[int] = []
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    threads = [
        threading.Thread(
            target=_py_worker, args=(port, method, path, headers, body, stop_at, stop, lat, ids, errs)
        )
        for _ in range(conns)
    ]
    for t in threads:
        t.start()
    while time.perf_counter() < stop_at and not stop_evt.is_set():
        time.sleep(0.05)
    stop.set()
    elapsed = time.perf_counter() - t0
    for t in threads:
        t.join(15)
    out_q.put({"lat": lat, "ids": ids, "errors": len(errs), "seconds": elapsed})


def run_python(
    port: int,
    method: str,
    path: str,
    token: str,
    body: bytes | None,
    seconds: float,
    conns: int,
    stop_evt: mp.synchronize.Event | None = None,
) -> tuple[Result, list[str]]:
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    evt = stop_evt or ctx.Event()
    p = ctx.Process(target=_py_load_process, args=(port, method, path, token, body, seconds, conns, evt, q))
    p.start()
    data = q.get(timeout=seconds + 120)
    p.join(30)
    lat = sorted(data["lat"])
    p50 = statistics.median(lat) if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
    return Result(len(lat), data["seconds"], p50, p99, data["errors"], "python"), data["ids"]


def load(
    args: argparse.Namespace,
    port: int,
    method: str,
    path: str,
    token: str,
    body: bytes | None,
    seconds: float,
    conns: int,
) -> Result:
    if shutil.which("wrk") and not args.python_load:
        return run_wrk(port, method, path, token, body, seconds, conns)
    return run_python(port, method, path, token, body, seconds, conns)[0]


def show(label: str, r: Result, floor: Result | None = None) -> None:
    ratio = f"  = {r.rate / floor.rate:.3f} x health ({floor.rate:,.0f}/s)" if floor else ""
    print(
        f"  {label:<34} {r.rate:9,.0f}/s  p50 {r.p50_ms:7.2f} ms  p99 {r.p99_ms:7.2f} ms  "
        f"errors {r.errors}  [{r.tool}, {r.requests:,} in {r.seconds:.0f} s]{ratio}",
        flush=True,
    )


# --- phases -------------------------------------------------------------------------------------------


def make_backend(name: str) -> Backend:
    OUT.mkdir(parents=True, exist_ok=True)
    key = OUT / "ledger-key.pem"
    if name == "sqlite":
        path = OUT / "register-bench.db"
        for suffix in ("", "-wal", "-shm", ".writer-lock"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return Backend(name, f"sqlite:///{path}", None, key)
    schema = "bench_register_" + secrets.token_hex(4)
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    return Backend(name, PG_URL, schema, key)


def drop_backend(b: Backend) -> None:
    if b.schema:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {b.schema} CASCADE")
        engine.dispose()


def clerk_token(b: Backend) -> str:
    db = Database.from_settings(b.settings())
    try:
        return issue_token(db, role="clerk", name="bench clerk", department="police").token
    finally:
        db.dispose()


def load_phase(args: argparse.Namespace, b: Backend, screen: bool) -> None:
    token = clerk_token(b)
    port = free_port()
    server = Server(b, port, args.workers, OUT / f"server-{b.name}.log")
    took = server.start()
    print(
        f"\n{b.name}: server with {args.workers} workers up in {took:.1f} s; {args.connections} connections"
    )
    try:
        body = json.dumps(REQUEST).encode()
        posts = load(args, port, "POST", "/api/requests", token, body, args.duration, args.connections)
        health = load(args, port, "GET", "/api/health", "", None, args.health_duration, args.connections)
        show("GET  /api/health", health)
        show("POST /api/requests", posts, health)
        if screen:
            sbody = json.dumps({"text": screen_text()}).encode()
            screened = load(args, port, "POST", "/api/screen", token, sbody, args.duration, args.connections)
            show("POST /api/screen (2 KB texts)", screened, health)
    finally:
        server.stop()
    code, message = verify_cli(b)
    print(f"  ledger verify: exit {code}: {message}")


def fault_phase(args: argparse.Namespace, b: Backend) -> int:
    token = clerk_token(b)
    port = free_port()
    server = Server(b, port, args.workers, OUT / f"server-{b.name}-faults.log")
    server.start()
    engine = sa.create_engine(
        b.url, connect_args={"options": f"-c search_path={b.schema}"} if b.schema else {}
    )
    body = json.dumps(REQUEST).encode()
    lost_total = answered_total = 0
    broken = 0
    rng = random.Random(1)
    print(f"\n{b.name}: {args.fault_rounds} rounds of SIGKILL mid-load, restart, verify", flush=True)
    try:
        for round_no in range(1, args.fault_rounds + 1):
            ctx = mp.get_context("spawn")
            stop_evt = ctx.Event()
            delay = rng.uniform(1.0, 2.5)

            def crash(evt: mp.synchronize.Event = stop_evt) -> None:
                server.kill()
                evt.set()

            killer = threading.Timer(delay + 1.0, crash)
            killer.start()  # the extra second covers the generator's start-up
            result, ids = run_python(
                port, "POST", "/api/requests", token, body, 60, args.connections, stop_evt
            )
            killer.join()
            restart = server.start()
            code, message = verify_cli(b)
            with engine.connect() as conn:
                present: set[str] = set()
                for i in range(0, len(ids), 500):
                    chunk = ids[i : i + 500]
                    rows = conn.execute(
                        sa.text("SELECT id FROM requests WHERE id IN :ids").bindparams(
                            sa.bindparam("ids", expanding=True)
                        ),
                        {"ids": chunk},
                    )
                    present.update(r[0] for r in rows)
            lost = len(set(ids) - present)
            lost_total += lost
            answered_total += len(ids)
            broken += code != 0
            print(
                f"  round {round_no:2d}: killed after {delay + 1.0:.1f} s; {len(ids):5d} answered 201, "
                f"{result.errors} cut off; restart {restart:.1f} s; verify exit {code}; lost {lost}",
                flush=True,
            )
            if code != 0:
                print(f"    {message}")
    finally:
        server.stop()
        engine.dispose()
    print(
        f"  {b.name}: {answered_total} requests answered 201 over {args.fault_rounds} kills; "
        f"lost {lost_total}; broken ledgers {broken}"
    )
    return lost_total + broken


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of sustained load per phase")
    ap.add_argument("--health-duration", type=float, default=None, help="seconds for the health floor")
    ap.add_argument("--connections", type=int, default=8, help="concurrent connections of the load generator")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--fault-rounds", type=int, default=20)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument(
        "--python-load", action="store_true", help="use the Python load generator even if wrk exists"
    )
    args = ap.parse_args()
    args.health_duration = args.health_duration or min(args.duration, 20.0)
    tool = "wrk" if shutil.which("wrk") and not args.python_load else "python"
    print(
        f"register load bench: {os.cpu_count()} CPUs, load generator {tool}; "
        "SQLite WAL synchronous=NORMAL; access log off"
    )
    failures = 0
    for name in args.backends.split(","):
        b = make_backend(name)
        try:
            if not args.skip_load:
                load_phase(args, b, screen=name == "sqlite")
            if args.fault_rounds:
                failures += fault_phase(args, b)
        finally:
            drop_backend(b)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
