"""One multi-pattern automaton over folded byte buffers: Hyperscan, or RE2 where it is missing.

Both engines are linear in the input (no backtracking), so no text can make a scan slow. Hyperscan
(the Vectorscan wheel) scans every pattern in one pass and reports leftmost start offsets for the
patterns that ask for them (``Pattern.start``; the others cost a third as much to scan and the detector
finds their start itself); the RE2 fallback first asks an ``re2.Set`` which patterns occur at all,
then locates only those. Known engine issue: this Vectorscan build can miss a start-of-match report
after a long prefix (see the xfail test in tests/firewall/test_engine.py).

Compiling the Hyperscan database takes a few seconds of CPU, so the compiled database is kept in a
cache file: in ``$SEPARATION_CACHE_DIR`` (or ``cache_dir=``) when set, else in the user's cache folder
(``$XDG_CACHE_HOME/separation``, by default ``~/.cache/separation``); an empty
``SEPARATION_CACHE_DIR`` turns the cache off. The file is keyed by a hash of the exact patterns, flags
and engine build, so that a fresh process loads it in milliseconds; a cache that cannot be read or
written is ignored.
"""

from __future__ import annotations

import hashlib
import os
import platform
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from separation.errors import PackError

__all__ = ["ENGINES", "Hit", "Pattern", "Scanner", "bounded_expression", "build_scanner", "default_cache_dir"]

Hit = tuple[int, int, int]  # pattern id, start, end (byte offsets in the buffer)


@dataclass(frozen=True, slots=True)
class Pattern:
    regex: str
    caseless: bool
    where: str  # the rule id, for error messages
    # Report the leftmost start (costly in Hyperscan, impossible for long bounded repeats). Without
    # it the engine may report any start; the detector then works from the end.
    start: bool = True
    # Compile for raw bytes instead of UTF-8 (see HyperscanScanner: each mode drops a few matches
    # the other finds).
    raw: bool = False


class Scanner(Protocol):
    engine: str

    def scan(self, buffer: bytes) -> list[Hit]: ...


# A pattern that ends in punctuation ("A#", "(I-551)") cannot be followed by a word boundary.
_OPEN_END = ("#", "\\)", "\\?", "\\.", ":", '"', "'", "/")


def bounded_expression(regex: str) -> bytes:
    tail = regex
    while tail.endswith((")", ")?", ")*")) and not tail.endswith(("\\)", "\\)?", "\\)*")):
        tail = tail[:-2] if tail.endswith((")?", ")*")) else tail[:-1]
    end = "" if tail.endswith(_OPEN_END) else r"\b"
    # A pattern that starts with punctuation ("[,;]citizenship") cannot be preceded by a boundary.
    start = "" if _punctuation_class(regex) else r"\b"
    return (start + "(?:" + regex + ")" + end).encode("ascii")


def _punctuation_class(regex: str) -> bool:
    """Does the pattern open with a character class of punctuation only (``[",;|=/]``)?"""
    if not regex.startswith("["):
        return False
    close = regex.find("]", 2)
    body = regex[1:close]
    return close > 0 and not any(c.isalnum() for c in body.replace("\\", ""))


class HyperscanScanner:
    engine = "hyperscan"

    def __init__(self, patterns: Sequence[Pattern], *, cache_dir: Path | None = None) -> None:
        import hyperscan

        # UTF-8 mode, though the folded buffer is plain ASCII: the installed Vectorscan build misses
        # some matches after a prefix of 23+ bytes when compiled for raw bytes (the tests keep a case
        # of it, with and without start offsets); the UTF-8 compile path does not. ASCII is valid
        # UTF-8, so nothing else changes. UTF-8 mode has its own miss on a few long patterns: a
        # pattern marked ``raw`` compiles for raw bytes (the tests keep a case of each).
        flags = [
            (0 if p.raw else hyperscan.HS_FLAG_UTF8)
            | (hyperscan.HS_FLAG_SOM_LEFTMOST if p.start else 0)
            | (hyperscan.HS_FLAG_CASELESS if p.caseless else 0)
            for p in patterns
        ]
        expressions = [bounded_expression(p.regex) for p in patterns]
        cache = _cache_file(cache_dir, expressions, flags, hyperscan)
        db = _load_cached(cache, hyperscan)
        if db is None:
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            try:
                db.compile(
                    expressions=expressions,
                    ids=list(range(len(patterns))),
                    elements=len(patterns),
                    flags=flags,
                )
            except hyperscan.error:
                raise PackError(_first_bad(patterns, hyperscan), rule=None) from None
            _store_cached(cache, db, hyperscan)
        self._db = db
        self._hyperscan = hyperscan
        # Hyperscan scratch space may be used by one scan at a time: one per thread.
        self._local = threading.local()

    def scan(self, buffer: bytes) -> list[Hit]:
        hits: list[Hit] = []
        append = hits.append

        def on_match(pid: int, start: int, end: int, flags: int, context: Any) -> None:
            append((pid, start, end))

        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._hyperscan.Scratch(self._db)
        self._db.scan(buffer, match_event_handler=on_match, scratch=scratch)
        return hits


def _cache_file(
    cache_dir: Path | None, expressions: list[bytes], flags: list[int], hyperscan: Any
) -> Path | None:
    """Where the compiled database for exactly these patterns, flags and engine build is kept."""
    if cache_dir is None:
        cache_dir = default_cache_dir()
        if cache_dir is None:
            return None
    digest = hashlib.sha256()
    digest.update(f"{getattr(hyperscan, '__version__', '?')}|{platform.machine()}|".encode())
    for expression, flag in zip(expressions, flags, strict=True):
        digest.update(expression + b"\x00" + str(flag).encode() + b"\x00")
    return cache_dir / f"firewall-{digest.hexdigest()[:24]}.hsdb"


def default_cache_dir() -> Path | None:
    """``$SEPARATION_CACHE_DIR``, else the user's cache folder; None when the variable is set empty.

    The file holds compiled patterns only (no text, no finding), so the per-user cache is the right
    home: without it every command would spend seconds compiling before its first answer. A relative
    ``$XDG_CACHE_HOME`` is ignored (as the XDG spec says); without a home folder there is no cache.
    """
    root = os.environ.get("SEPARATION_CACHE_DIR")
    if root is not None:
        return Path(root.strip()) if root.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "separation"
    try:
        return Path.home() / ".cache" / "separation"
    except RuntimeError:  # no HOME and no password entry (an arbitrary-UID container)
        return None


def _load_cached(path: Path | None, hyperscan: Any) -> Any:
    if path is None:
        return None
    try:
        if not path.is_file():
            return None
        db = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)  # a loaded database comes without scratch space
        db.scan(b"warm", match_event_handler=lambda *a: None)
        return db
    except (OSError, hyperscan.error, TypeError, ValueError):
        return None


_KEPT_DATABASES = 3  # older compiled databases (from earlier knowledge) are removed beyond these


def _store_cached(path: Path | None, db: Any, hyperscan: Any) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(hyperscan.dumpb(db))
        os.replace(tmp, path)
    except OSError:
        return  # e.g. a read-only home: compile every time
    _prune(path)


def _prune(kept: Path) -> None:
    """Every knowledge change writes a new database: keep the newest few, remove the rest."""
    try:
        olds = sorted(
            (p for p in kept.parent.glob("firewall-*.hsdb") if p != kept),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in olds[_KEPT_DATABASES - 1 :]:
            old.unlink(missing_ok=True)
    except OSError:
        return


def _first_bad(patterns: Sequence[Pattern], hyperscan: Any) -> str:
    for p in patterns:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            db.compile(
                expressions=[bounded_expression(p.regex)],
                ids=[0],
                elements=1,
                flags=[hyperscan.HS_FLAG_UTF8 | (hyperscan.HS_FLAG_SOM_LEFTMOST if p.start else 0)],
            )
        except hyperscan.error:
            return f"rule {p.where}: a pattern Hyperscan cannot compile"
    return "the pattern set cannot be compiled"


class Re2Scanner:
    engine = "re2"

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        import re2

        self._set = re2.Set.SearchSet(_options(re2, caseless=False))
        self._regexes = []
        for p in patterns:
            opts = _options(re2, caseless=p.caseless)
            # The set takes no per-pattern options: case is folded with an inline flag instead.
            inline = ("(?i)" if p.caseless else "") + bounded_expression(p.regex).decode("ascii")
            try:
                self._set.Add(inline)
                self._regexes.append(re2.compile(bounded_expression(p.regex), opts))
            except re2.error:
                raise PackError("a pattern RE2 cannot compile", rule=p.where) from None
        self._set.Compile()

    def scan(self, buffer: bytes) -> list[Hit]:
        hits: list[Hit] = []
        for pid in self._set.Match(buffer) or ():
            for m in self._regexes[pid].finditer(buffer):
                hits.append((pid, m.start(), m.end()))
        return hits


def _options(re2: Any, *, caseless: bool) -> Any:
    opts = re2.Options()
    opts.longest_match = True
    opts.case_sensitive = not caseless
    opts.max_mem = 64 << 20
    return opts


ENGINES = ("hyperscan", "re2")


def build_scanner(
    patterns: Sequence[Pattern], engine: str | None = None, *, cache_dir: Path | None = None
) -> Scanner:
    """Hyperscan unless it is unavailable or ``engine='re2'`` is asked for."""
    if engine not in (None, *ENGINES):
        raise ValueError("engine must be 'hyperscan' or 're2'")
    if engine in (None, "hyperscan"):
        try:
            import hyperscan  # noqa: F401
        except ImportError:
            if engine == "hyperscan":
                raise
        else:
            return HyperscanScanner(patterns, cache_dir=cache_dir)
    return Re2Scanner(patterns)
