"""Identifiers and salts from the operating system's CSPRNG, read in blocks.

Each ``os.urandom`` call costs a system call (over 100 µs in some sandboxes), and a filing needs several
identifiers and a salt; reading 64 KiB at a time and handing out slices keeps the same source at a tiny
fraction of the cost. Every worker process reads its own blocks (uvicorn spawns fresh processes; after a
fork the buffer is discarded).
"""

from __future__ import annotations

import os
import threading
import uuid

__all__ = ["new_id", "new_salt", "random_bytes"]

_BLOCK = 65536
_lock = threading.Lock()
_state: dict[str, object] = {"buf": b"", "pos": 0, "pid": -1}


def random_bytes(n: int) -> bytes:
    with _lock:
        buf, pos = _state["buf"], _state["pos"]
        assert isinstance(buf, bytes) and isinstance(pos, int)
        if _state["pid"] != os.getpid() or pos + n > len(buf):
            buf, pos = os.urandom(max(_BLOCK, n)), 0
            _state["buf"], _state["pid"] = buf, os.getpid()
        _state["pos"] = pos + n
        return buf[pos : pos + n]


def new_id() -> str:
    """A random (version 4) UUID as text."""
    return str(uuid.UUID(bytes=random_bytes(16), version=4))


def new_salt() -> str:
    return random_bytes(16).hex()
