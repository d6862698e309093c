"""The hash chain: intact chains verify; edits, deletions, insertions and reorderings made directly in the
database are caught at the first bad entry; signed checkpoints; concurrent writers keep one chain."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing as mp
import stat
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from separation.register import Database, EventKind, Settings, verify
from separation.register.ledger import (
    GENESIS,
    Checkpoint,
    NewEvent,
    append,
    canonical,
    check_checkpoint,
    entry_hash,
    load_or_create_key,
    make_checkpoint,
)


def _fill(db: Database, n: int, batch: int = 1) -> None:
    for i in range(0, n, batch):
        with db.write() as conn:
            append(
                conn,
                [
                    NewEvent(EventKind.complaint_updated, "complaint", f"c{j}", {"n": j, "note": "é ✓"})
                    for j in range(i, min(n, i + batch))
                ],
            )


def _check(db: Database) -> tuple[bool, int | None, str | None]:
    with db.read() as conn:
        result = verify(conn)
    return result.ok, result.first_bad, result.problem


def _sql(db: Database, *statements: str) -> None:
    with db.engine.begin() as conn:
        for s in statements:
            conn.exec_driver_sql(s)


def test_empty_and_filled_chains_verify(db: Database) -> None:
    assert _check(db) == (True, None, None)
    _fill(db, 12, batch=5)
    with db.read() as conn:
        result = verify(conn)
    assert result.ok and result.entries == 12 and result.head_seq == 12


def test_canonical_form_is_sorted_compact_utf8() -> None:
    assert canonical({"b": 1, "a": [True, None, "é"]}) == '{"a":[true,null,"é"],"b":1}'.encode()
    row = {
        "seq": 1,
        "at": "t",
        "kind": "user.created",
        "actor": None,
        "subject_type": "user",
        "subject_id": "u",
        "request_id": None,
        "body": '{"z": 1, "a": 2}',
    }
    # The stored body's own spacing or key order does not matter; its content does.
    assert entry_hash(GENESIS, row) == entry_hash(GENESIS, {**row, "body": '{"a":2,"z":1}'})
    assert entry_hash(GENESIS, row) != entry_hash(GENESIS, {**row, "body": '{"a":3,"z":1}'})


def test_edit_is_detected(db: Database) -> None:
    _fill(db, 10)
    _sql(db, """UPDATE events SET body = '{"n":4,"note":"changed"}' WHERE seq = 5""")
    ok, first_bad, problem = _check(db)
    assert not ok and first_bad == 5 and "altered" in (problem or "")


def test_edit_of_a_hashed_column_is_detected(db: Database) -> None:
    _fill(db, 10)
    _sql(db, "UPDATE events SET actor = 'someone' WHERE seq = 3")
    assert _check(db)[:2] == (False, 3)


def test_edit_with_rehash_of_the_rest_shows_at_the_head_or_the_checkpoint(
    db: Database, settings: Settings
) -> None:
    """A forger who recomputes every later hash and the head row: the chain verifies again, but a checkpoint
    signed before the rewrite no longer matches."""
    _fill(db, 6)
    key = load_or_create_key(settings.key_path)
    with db.read() as conn:
        checkpoint = make_checkpoint(conn, key)
    with db.engine.begin() as conn:
        rows = [dict(r) for r in conn.execute(sa.text("SELECT * FROM events ORDER BY seq")).mappings()]
        rows[1]["body"] = '{"n":1,"note":"forged"}'
        prev = GENESIS
        for r in rows:
            r["prev_hash"] = prev
            r["hash"] = prev = entry_hash(prev, r)
            conn.execute(
                sa.text("UPDATE events SET body=:body, prev_hash=:prev_hash, hash=:hash WHERE seq=:seq"), r
            )
        conn.execute(sa.text("UPDATE chain_head SET hash=:h"), {"h": prev})
    assert _check(db)[0]
    with db.read() as conn:
        ok, message = check_checkpoint(checkpoint, conn, key.public_key())
    assert not ok and "rewritten" in message


def test_deletion_in_the_middle_is_detected(db: Database) -> None:
    _fill(db, 10)
    _sql(db, "DELETE FROM events WHERE seq = 4")
    ok, first_bad, problem = _check(db)
    assert not ok and first_bad == 5 and "missing" in (problem or "")


def test_deletion_of_the_first_entry_is_detected(db: Database) -> None:
    _fill(db, 3)
    _sql(db, "DELETE FROM events WHERE seq = 1")
    assert _check(db)[:2] == (False, 2)


def test_deletion_of_the_tail_is_detected(db: Database) -> None:
    _fill(db, 10)
    _sql(db, "DELETE FROM events WHERE seq >= 9")
    ok, first_bad, problem = _check(db)
    assert not ok and first_bad == 9 and "head" in (problem or "")


def test_deletion_of_tail_and_head_rewind_is_caught_by_a_checkpoint(db: Database, settings: Settings) -> None:
    _fill(db, 10)
    key = load_or_create_key(settings.key_path)
    with db.read() as conn:
        checkpoint = make_checkpoint(conn, key)
    with db.engine.begin() as conn:
        h8 = conn.execute(sa.text("SELECT hash FROM events WHERE seq = 8")).scalar()
        conn.execute(sa.text("DELETE FROM events WHERE seq >= 9"))
        conn.execute(sa.text("UPDATE chain_head SET seq = 8, hash = :h"), {"h": h8})
    assert _check(db)[0]
    with db.read() as conn:
        ok, message = check_checkpoint(checkpoint, conn, key.public_key())
    assert not ok and "truncated" in message


def test_insertion_is_detected(db: Database) -> None:
    _fill(db, 6)
    with db.engine.begin() as conn:
        row = dict(conn.execute(sa.text("SELECT * FROM events WHERE seq = 3")).mappings().one())
        conn.execute(sa.text("UPDATE events SET seq = seq + 1000 WHERE seq > 3"))
        conn.execute(sa.text("UPDATE events SET seq = seq - 999 WHERE seq > 1000"))
        row.update(seq=4, body='{"n":99,"note":"inserted"}', prev_hash=row["hash"])
        row["hash"] = entry_hash(row["prev_hash"], row)
        cols = ", ".join(row)
        conn.execute(sa.text(f"INSERT INTO events ({cols}) VALUES ({', '.join(':' + c for c in row)})"), row)
    ok, first_bad, _ = _check(db)
    # The inserted entry links correctly; the one after it no longer does.
    assert not ok and first_bad == 5


def test_reordering_is_detected(db: Database) -> None:
    _fill(db, 6)
    _sql(
        db,
        "UPDATE events SET seq = 100 WHERE seq = 2",
        "UPDATE events SET seq = 2 WHERE seq = 3",
        "UPDATE events SET seq = 3 WHERE seq = 100",
    )
    ok, first_bad, _ = _check(db)
    assert not ok and first_bad == 2


def test_head_row_tampering_is_detected(db: Database) -> None:
    _fill(db, 3)
    _sql(db, "UPDATE chain_head SET hash = '" + "f" * 64 + "'")
    assert _check(db)[:2] == (False, 4)


def test_checkpoint_round_trip_and_key_file(db: Database, settings: Settings, tmp_path: Path) -> None:
    _fill(db, 4)
    assert not settings.key_path.exists()
    key = load_or_create_key(settings.key_path)
    assert stat.S_IMODE(settings.key_path.stat().st_mode) == 0o600
    with db.read() as conn:
        checkpoint = make_checkpoint(conn, key)
        exported = json.loads(json.dumps(checkpoint.to_dict()))
        again = Checkpoint.from_dict(exported)
        assert check_checkpoint(again, conn, key.public_key())[0]
        # A forged checkpoint (another head) fails the signature.
        forged = Checkpoint.from_dict({**exported, "head": "a" * 64})
        assert check_checkpoint(forged, conn, key.public_key()) == (
            False,
            "the checkpoint's signature does not match its content",
        )
        # A checkpoint signed by another key fails against the ledger's key.
        other = load_or_create_key(tmp_path / "other.pem")
        foreign = make_checkpoint(conn, other)
        assert not check_checkpoint(foreign, conn, key.public_key())[0]
    assert (
        load_or_create_key(settings.key_path).public_key().public_bytes_raw()
        == key.public_key().public_bytes_raw()
    )


def test_threads_appending_concurrently_keep_one_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            _fill(db, 15)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.read() as conn:
        result = verify(conn)
    assert result.ok and result.entries == 60


def _process_writer(settings: Settings, n: int) -> None:
    db = Database.from_settings(dataclasses.replace(settings, migrate=False))
    _fill(db, n)
    db.dispose()


@pytest.mark.slow
def test_processes_appending_concurrently_keep_one_chain(db: Database, settings: Settings) -> None:
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_process_writer, args=(settings, 25)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with db.read() as conn:
        result = verify(conn)
    assert result.ok and result.entries == 75


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bodies=st.lists(
        st.dictionaries(
            st.text(max_size=8),
            st.one_of(st.integers(-(2**53), 2**53), st.text(max_size=20), st.booleans(), st.none()),
            max_size=4,
        ),
        min_size=1,
        max_size=6,
    ),
    victim=st.integers(min_value=0, max_value=5),
)
def test_any_body_edit_is_caught_in_memory(bodies: list[dict[str, object]], victim: int) -> None:
    """Pure check of the hash function over arbitrary JSON bodies: each entry's hash covers its body."""
    prev, rows = GENESIS, []
    for i, body in enumerate(bodies, 1):
        row = {
            "seq": i,
            "at": "t",
            "kind": "complaint.updated",
            "actor": None,
            "subject_type": "complaint",
            "subject_id": "c",
            "request_id": None,
            "body": canonical(body).decode(),
        }
        row["hash"] = prev = entry_hash(prev, row)
        rows.append(row)
    target = rows[victim % len(rows)]
    changed = {**json.loads(target["body"]), "\x00tamper": 1}
    target_prev = GENESIS if target["seq"] == 1 else rows[target["seq"] - 2]["hash"]
    assert entry_hash(target_prev, {**target, "body": canonical(changed).decode()}) != target["hash"]


def test_group_commit_isolates_a_failing_job(db: Database) -> None:
    """Jobs that share a transaction: one that fails after appending rolls back alone."""
    from concurrent.futures import ThreadPoolExecutor

    def job(i: int) -> int:
        def run(conn: sa.Connection) -> int:
            (seq,) = append(conn, [NewEvent(EventKind.complaint_updated, "complaint", f"c{i}", {"i": i})])
            if i % 3 == 0:
                raise ValueError("refused after appending")
            return seq

        return db.run_write(run)

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(job, i) for i in range(30)]
    ok = [f.result() for i, f in enumerate(futures) if i % 3]
    assert all(isinstance(f.exception(), ValueError) for i, f in enumerate(futures) if i % 3 == 0)
    with db.read() as conn:
        result = verify(conn)
        subjects = {r[0] for r in conn.execute(sa.text("SELECT subject_id FROM events"))}
    assert result.ok and result.entries == len(ok) == 20
    assert sorted(ok) == list(range(1, 21))
    assert subjects == {f"c{i}" for i in range(30) if i % 3}


def test_ids_are_version_4_uuids_and_do_not_repeat() -> None:
    import uuid

    from separation.register.ids import new_id, new_salt

    ids = {new_id() for _ in range(200_000 // 16)}
    assert len(ids) == 200_000 // 16
    assert all(uuid.UUID(i).version == 4 for i in list(ids)[:100])
    assert len(new_salt()) == 32 and new_salt() != new_salt()
