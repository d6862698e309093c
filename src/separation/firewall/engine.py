"""One multi-pattern automaton over folded byte buffers: Hyperscan, or RE2 where it is missing.

Both engines are linear in the input (no backtracking), so no text can make a scan slow. Hyperscan
(the Vectorscan wheel) scans every pattern in one pass and reports leftmost start offsets; the RE2
fallback first asks an ``re2.Set`` which patterns occur at all, then locates only those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from separation.errors import PackError

__all__ = ["ENGINES", "Hit", "Scanner", "build_scanner"]

Hit = tuple[int, int, int]  # pattern id, start, end (byte offsets in the buffer)


@dataclass(frozen=True, slots=True)
class Pattern:
    regex: str
    caseless: bool
    where: str  # the rule id, for error messages


class Scanner(Protocol):
    engine: str

    def scan(self, buffer: bytes) -> list[Hit]: ...


# A pattern that ends in punctuation ("A#", "(I-551)") cannot be followed by a word boundary.
_OPEN_END = ("#", "\\)", "\\?", "\\.", ":", '"', "'", "/")


def _bounded(regex: str) -> bytes:
    tail = regex
    while tail.endswith((")", ")?", ")*")) and not tail.endswith(("\\)", "\\)?", "\\)*")):
        tail = tail[:-2] if tail.endswith((")?", ")*")) else tail[:-1]
    end = "" if tail.endswith(_OPEN_END) else r"\b"
    return (r"\b(?:" + regex + ")" + end).encode("ascii")


class HyperscanScanner:
    engine = "hyperscan"

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        import hyperscan

        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        flags = [
            hyperscan.HS_FLAG_SOM_LEFTMOST | (hyperscan.HS_FLAG_CASELESS if p.caseless else 0)
            for p in patterns
        ]
        expressions = [_bounded(p.regex) for p in patterns]
        try:
            self._db.compile(
                expressions=expressions, ids=list(range(len(patterns))), elements=len(patterns), flags=flags
            )
        except hyperscan.error:
            raise PackError(_first_bad(patterns, hyperscan), rule=None) from None

    def scan(self, buffer: bytes) -> list[Hit]:
        hits: list[Hit] = []
        append = hits.append

        def on_match(pid: int, start: int, end: int, flags: int, context: Any) -> None:
            append((pid, start, end))

        self._db.scan(buffer, match_event_handler=on_match)
        return hits


def _first_bad(patterns: Sequence[Pattern], hyperscan: Any) -> str:
    for p in patterns:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            db.compile(
                expressions=[_bounded(p.regex)], ids=[0], elements=1, flags=[hyperscan.HS_FLAG_SOM_LEFTMOST]
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
            inline = ("(?i)" if p.caseless else "") + _bounded(p.regex).decode("ascii")
            try:
                self._set.Add(inline)
                self._regexes.append(re2.compile(_bounded(p.regex), opts))
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


def build_scanner(patterns: Sequence[Pattern], engine: str | None = None) -> Scanner:
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
            return HyperscanScanner(patterns)
    return Re2Scanner(patterns)
