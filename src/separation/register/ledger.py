"""The ledger: every event of the register in one SHA-256 hash chain, and signed checkpoints of its head.

An entry's hash is SHA-256 over ``prev_hash`` and the canonical JSON (sorted keys, no spaces, UTF-8) of
its other columns, so any edit, deletion, insertion or reordering made directly in the database breaks the
chain at a named entry. The head row that writers lock is compared with the last entry too (a deleted
tail shows). A checkpoint signs ``(sequence number, head hash, time)`` with an Ed25519 key kept outside the
database; once published, even a rewrite of the whole chain by someone holding the database shows.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from separation.errors import InputError
from separation.register.enums import EventKind
from separation.register.ids import new_salt
from separation.register.models import ChainHead, Event, table

__all__ = [
    "CHAIN_ID",
    "GENESIS",
    "KEPT_RECORDS",
    "Checkpoint",
    "Entry",
    "NewEvent",
    "Verification",
    "append",
    "append_entries",
    "canonical",
    "check_checkpoint",
    "entry_hash",
    "insert_rows",
    "load_or_create_key",
    "make_checkpoint",
    "now_iso",
    "sealed_hash",
    "verify",
]

GENESIS = "0" * 64
CHAIN_ID = "separation-register"
_HASHED = ("seq", "at", "kind", "actor", "subject_type", "subject_id", "request_id", "body")


def canonical(value: Any) -> bytes:
    """Sorted-key, compact, UTF-8 JSON: the same bytes for the same value on any Python or database."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def sealed_hash(salt: str, text: str) -> str:
    """The commitment to a text kept apart (a description): salted so a guessed text cannot be confirmed."""
    return hashlib.sha256(salt.encode() + b"\x00" + text.encode()).hexdigest()


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical form of the entry (its body parsed as JSON)."""
    material = {k: entry[k] for k in _HASHED}
    material["body"] = json.loads(entry["body"]) if isinstance(entry["body"], str) else entry["body"]
    return _hash(prev_hash, material)


def _hash(prev_hash: str, material: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(material)).hexdigest()


@dataclass(frozen=True)
class NewEvent:
    kind: EventKind
    subject_type: str
    subject_id: str
    body: dict[str, Any]
    actor: str | None = None
    request_id: str | None = None


# Built once: statements with bound parameters are compiled once and cached, which matters at hundreds/s.
_EVENTS = table(Event)
_HEAD = table(ChainHead)
_LOCK_HEAD = sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = (
    sa.update(_HEAD).where(_HEAD.c.id == 1).values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
)


class ChainGroup:
    """The state of a group of jobs sharing one transaction. The head of the chain is held in memory: the
    head row is locked and read once, and written once before the commit (``finish_group``). While the group
    runs insert-only jobs (filings), their new rows wait in ``pending`` and go in one multi-row INSERT per
    table (``flush``), in dependency order, before anything else reads or changes the database."""

    __slots__ = ("buffering", "head", "pending")

    def __init__(self) -> None:
        self.head: tuple[int, str] | None = None
        self.buffering = False
        self.pending: dict[sa.Table, list[dict[str, Any]]] = {}

    def flush(self, conn: sa.Connection) -> None:
        if not self.pending:
            return
        for target in _flush_order(self.pending):
            conn.execute(sa.insert(target), self.pending[target])
        self.pending = {}


_GROUP = "separation_chain_group"


def _flush_order(pending: dict[sa.Table, list[dict[str, Any]]]) -> list[sa.Table]:
    from separation.register.models import Base

    order = {t: i for i, t in enumerate(Base.metadata.sorted_tables)}
    return sorted(pending, key=lambda t: order.get(t, len(order)))


def start_group(conn: sa.Connection) -> ChainGroup:
    group = ChainGroup()
    conn.execution_options(**{_GROUP: group})
    return group


def finish_group(conn: sa.Connection, group: ChainGroup) -> None:
    group.flush(conn)
    if group.head is not None:
        conn.execute(_MOVE_HEAD, {"new_seq": group.head[0], "new_hash": group.head[1]})


def insert_rows(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert new rows now, or, inside an insert-only job of a group, with the group's next flush."""
    if not rows:
        return
    group: ChainGroup | None = conn.get_execution_options().get(_GROUP)
    if group is not None and group.buffering:
        group.pending.setdefault(table, []).extend(rows)
    else:
        conn.execute(sa.insert(table), rows)


@dataclass(frozen=True)
class Entry:
    """An appended ledger entry, with its body as data (what projections are built from)."""

    seq: int
    at: str
    kind: EventKind
    actor: str | None
    subject_type: str
    subject_id: str
    request_id: str | None
    body: dict[str, Any]


def append(conn: sa.Connection, events: Iterable[NewEvent], at: str | None = None) -> list[int]:
    """Append events under the chain lock, in the caller's transaction; returns their sequence numbers."""
    return [e.seq for e in append_entries(conn, events, at)]


def append_entries(conn: sa.Connection, events: Iterable[NewEvent], at: str | None = None) -> list[Entry]:
    """Append events under the chain lock, in the caller's transaction; returns the entries.

    The caller's transaction must be a write transaction (``Database.write``): on SQLite it already holds
    the writer lock, on PostgreSQL the head row is locked here until commit.
    """
    stamp = at or now_iso()
    group: ChainGroup | None = conn.get_execution_options().get(_GROUP)
    if group is not None and group.head is not None:
        seq, prev = group.head
    else:
        head = conn.execute(_LOCK_HEAD).one()
        seq, prev = int(head.seq), str(head.hash)
    rows: list[dict[str, Any]] = []
    entries: list[Entry] = []
    for ev in events:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": stamp,
            "kind": ev.kind.value,
            "actor": ev.actor,
            "subject_type": ev.subject_type,
            "subject_id": ev.subject_id,
            "request_id": ev.request_id,
            "body": ev.body,
        }
        row["hash"] = prev_next = _hash(prev, row)
        row["body"] = canonical(ev.body).decode()
        row["prev_hash"] = prev
        prev = prev_next
        rows.append(row)
        entries.append(
            Entry(seq, stamp, ev.kind, ev.actor, ev.subject_type, ev.subject_id, ev.request_id, ev.body)
        )
    if not rows:
        return []
    insert_rows(conn, _EVENTS, rows)
    if group is not None:
        group.head = (seq, prev)
    else:
        conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
    return entries


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain. ``first_bad`` is the sequence number of the first broken entry."""

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "first_bad": self.first_bad,
            "problem": self.problem,
        }


def verify(conn: sa.Connection, *, sealed: bool = True) -> Verification:
    """Walk the chain from the genesis; also check the head row and (``sealed``) the texts kept apart."""
    from separation.register.models import ComplaintText, RequestDescription

    prev, expected, count = GENESIS, 1, 0
    commitments: dict[tuple[str, str], str] = {}
    kept: dict[tuple[str, str], tuple[int, str | None]] = {}
    cols = [getattr(Event, c) for c in (*_HASHED, "prev_hash", "hash")]
    result = conn.execution_options(yield_per=2000).execute(sa.select(*cols).order_by(Event.seq))
    for row in result.mappings():
        seq = int(row["seq"])
        bad = _entry_problem(row, seq, expected, prev)
        if bad:
            return Verification(False, count, expected - 1, prev, first_bad=seq, problem=bad)
        prev, expected, count = row["hash"], seq + 1, count + 1
        if sealed and row["kind"] in (EventKind.request_filed.value, EventKind.complaint_filed.value):
            body = json.loads(row["body"])
            if body.get("text_sha256"):
                commitments[(row["subject_type"], row["subject_id"])] = body["text_sha256"]
        elif sealed and row["kind"] in KEPT_RECORDS:
            kept[(row["subject_type"], row["subject_id"])] = (seq, json.loads(row["body"]).get("sha256"))
    head = conn.execute(sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).one_or_none()
    if head is None or int(head.seq) != expected - 1 or head.hash != prev:
        return Verification(
            False,
            count,
            expected - 1,
            prev,
            first_bad=expected,
            problem=f"the chain head does not match the last entry ({expected - 1}): entries were removed "
            "from the end or the head was altered",
        )
    if sealed:
        problem = _sealed_problem(conn, commitments, RequestDescription, ComplaintText) or _kept_problem(
            conn, kept
        )
        if problem:
            return Verification(False, count, expected - 1, prev, first_bad=problem[0], problem=problem[1])
    return Verification(True, count, expected - 1, prev)


def _entry_problem(row: sa.RowMapping, seq: int, expected: int, prev: str) -> str | None:
    if seq != expected:
        if seq > expected:
            return f"entry {expected} is missing (next entry is {seq})"
        return f"entry {seq} appears out of order"
    if row["prev_hash"] != prev:
        return f"entry {seq} does not link to entry {seq - 1} (entries inserted, removed or reordered)"
    try:
        recomputed = entry_hash(prev, dict(row))
    except (ValueError, TypeError):
        return f"entry {seq} has a body that is not JSON"
    if recomputed != row["hash"]:
        return f"entry {seq} has been altered: its hash does not match its content"
    return None


def _sealed_problem(
    conn: sa.Connection, commitments: dict[tuple[str, str], str], descriptions: Any, texts: Any
) -> tuple[int, str] | None:
    for subject_type, kept, key, cols in (
        ("request", descriptions, descriptions.request_id, (descriptions.description,)),
        ("complaint", texts, texts.complaint_id, (texts.narrative, texts.contact)),
    ):
        for row in conn.execution_options(yield_per=2000).execute(sa.select(key, kept.salt, *cols)):
            rid = row[0]
            want = commitments.pop((subject_type, rid), None)
            got = sealed_hash(row[1], canonical(list(row[2:])).decode())
            if want != got:
                seq = _filed_seq(conn, subject_type, rid)
                return seq, f"the text kept apart for {subject_type} {rid} does not match entry {seq}"
    if commitments:
        (subject_type, rid), _ = next(iter(commitments.items()))
        seq = _filed_seq(conn, subject_type, rid)
        return seq, f"the text kept apart for {subject_type} {rid} (entry {seq}) is missing"
    return None


# Event kinds whose records live in a table of their own (subject_type names the table; the row has the
# columns id, body and sha256). Named here, not imported, so that the register does not depend on them.
KEPT_RECORDS = {
    EventKind.investigation_recorded.value: "investigation_accounts",
    EventKind.report_published.value: "published_reports",
}


def _kept_problem(
    conn: sa.Connection, kept: dict[tuple[str, str], tuple[int, str | None]]
) -> tuple[int, str] | None:
    """Every kept record matches the SHA-256 its entry committed to, and none exists outside the chain."""
    inspector = sa.inspect(conn)
    for name in sorted(set(KEPT_RECORDS.values())):
        if not inspector.has_table(name):
            continue
        table = sa.table(name, sa.column("id"), sa.column("body"), sa.column("sha256"))
        for rid, body, stored in conn.execute(sa.select(table.c.id, table.c.body, table.c.sha256)):
            entry = kept.pop((name, rid), None)
            if entry is None:
                return expected_seq(conn), f"{name} row {rid} was not entered through the ledger"
            seq, committed = entry
            actual = hashlib.sha256(str(body).encode()).hexdigest()
            if not (committed == stored == actual):
                return seq, f"{name} row {rid} does not match entry {seq}"
    if kept:
        (name, rid), (seq, _) = next(iter(kept.items()))
        return seq, f"{name} row {rid} (entry {seq}) is missing"
    return None


def expected_seq(conn: sa.Connection) -> int:
    """The sequence number the next entry will take (where something outside the chain is reported)."""
    last = conn.execute(sa.select(sa.func.max(Event.seq))).scalar()
    return int(last or 0) + 1


def _filed_seq(conn: sa.Connection, subject_type: str, subject_id: str) -> int:
    seq = conn.execute(
        sa.select(sa.func.min(Event.seq)).where(
            Event.subject_type == subject_type, Event.subject_id == subject_id
        )
    ).scalar()
    return int(seq or 0)


def seal(texts: list[str | None]) -> tuple[str, str]:
    """A fresh salt and the commitment to the texts (in order) that events carry instead of the texts."""
    salt = new_salt()
    return salt, sealed_hash(salt, canonical(texts).decode())


# --- signed checkpoints -------------------------------------------------------------------------------


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The ledger's Ed25519 key; created on first use, readable by its owner only (0600)."""
    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError:
            raise InputError("is not a PEM private key", field="ledger key", where=str(path)) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise InputError("is not an Ed25519 key", field="ledger key", where=str(path))
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def _public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    head: str
    at: str
    public_key: str
    signature: str

    def signed_part(self) -> dict[str, Any]:
        return {"chain": self.chain, "seq": self.seq, "head": self.head, "at": self.at}

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.signed_part(),
            "algorithm": "Ed25519",
            "key_id": hashlib.sha256(base64.b64decode(self.public_key)).hexdigest()[:16],
            "public_key": self.public_key,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Checkpoint:
        if not isinstance(data, dict):
            raise InputError("a checkpoint must be a JSON object", field="checkpoint")
        fields: dict[str, Any] = {}
        for name, kind in (("chain", str), ("seq", int), ("head", str), ("at", str)):
            value = data.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise InputError(f"missing or not a {kind.__name__}", field=name, where="checkpoint")
            fields[name] = value
        for name in ("public_key", "signature"):
            value = data.get(name)
            if not isinstance(value, str):
                raise InputError("missing or not a string", field=name, where="checkpoint")
            fields[name] = value
        return cls(**fields)


def make_checkpoint(conn: sa.Connection, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the current head (read as one consistent row)."""
    head = conn.execute(sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).one()
    unsigned = Checkpoint(
        CHAIN_ID, int(head.seq), str(head.hash), now_iso(), _b64(_public_raw(key.public_key())), ""
    )
    signature = key.sign(canonical(unsigned.signed_part()))
    return Checkpoint(**{**unsigned.__dict__, "signature": _b64(signature)})


def check_checkpoint(
    checkpoint: Checkpoint, conn: sa.Connection | None, trusted_key: Ed25519PublicKey | None
) -> tuple[bool, str]:
    """Check the signature (against ``trusted_key`` when given) and, with ``conn``, that the database's chain
    is intact and still holds the signed head at the signed position."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint.public_key, validate=True))
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except ValueError:
        return False, "the checkpoint's key or signature is not valid base64 Ed25519 material"
    if trusted_key is not None and _public_raw(trusted_key) != _public_raw(public):
        return False, "the checkpoint was signed by a different key than the ledger's"
    try:
        public.verify(signature, canonical(checkpoint.signed_part()))
    except InvalidSignature:
        return False, "the checkpoint's signature does not match its content"
    if conn is None:
        return True, f"signature valid for entry {checkpoint.seq}"
    result = verify(conn)
    if not result.ok:
        return False, f"the ledger is broken: {result.problem}"
    row = conn.execute(sa.select(Event.hash).where(Event.seq == checkpoint.seq)).scalar()
    if checkpoint.seq == 0:
        row = GENESIS
    if row is None:
        return False, f"the ledger has no entry {checkpoint.seq}: it was truncated after the checkpoint"
    if row != checkpoint.head:
        return False, f"entry {checkpoint.seq} differs from the signed head: history was rewritten"
    return True, f"signature valid; the ledger still holds the signed head at entry {checkpoint.seq}"
