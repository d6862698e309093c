"""Small RE2 checks run on a hit's window (suppressors, required context, identifier values).

These run once per candidate hit, so the per-call cost matters more than the scan: the google-re2
wrapper's Python-level ``search`` costs several microseconds, its underlying ``Match`` about one.
``WindowRegex`` uses the low-level call when the installed wrapper has it and the public API
otherwise; both are linear-time RE2.
"""

from __future__ import annotations

from typing import Any

import re2

__all__ = ["WindowRegex"]

_NO_MATCH = (-1, -1)


def _options(caseless: bool) -> Any:
    o = re2.Options()
    o.case_sensitive = not caseless
    o.longest_match = True
    return o


class WindowRegex:
    """A compiled RE2 pattern searched within ``buf[pos:endpos]`` (bytes), returning spans."""

    __slots__ = ("_low", "_regex", "_start", "_unanchored", "caseless", "pattern")

    def __init__(self, pattern: str, *, caseless: bool = True) -> None:
        self.pattern = pattern
        self.caseless = caseless
        self._regex = re2.compile(pattern.encode("ascii"), _options(caseless))
        low = getattr(self._regex, "_regexp", None)
        anchor = getattr(re2, "_Anchor", None)
        if low is not None and anchor is not None and hasattr(low, "Match"):
            self._low = low.Match
            self._unanchored = anchor.UNANCHORED
            self._start = anchor.ANCHOR_START
        else:  # pragma: no cover - other wrapper versions
            self._low = None
            self._unanchored = self._start = None

    def search(self, buf: bytes, pos: int, endpos: int) -> tuple[int, int] | None:
        if pos >= endpos:
            return None
        if self._low is not None:
            span = self._low(self._unanchored, buf, pos, endpos)[0]
            return None if span == _NO_MATCH else span
        m = self._regex.search(buf, pos, endpos)  # pragma: no cover
        return None if m is None else (m.start(), m.end())  # pragma: no cover

    def match(self, buf: bytes, pos: int, endpos: int) -> tuple[int, int] | None:
        """Anchored at ``pos``."""
        if pos >= endpos:
            return None
        if self._low is not None:
            span = self._low(self._start, buf, pos, endpos)[0]
            return None if span == _NO_MATCH else span
        m = self._regex.match(buf, pos, endpos)  # pragma: no cover
        return None if m is None else (m.start(), m.end())  # pragma: no cover

    def ends_after(self, buf: bytes, pos: int, endpos: int, floor: int) -> bool:
        """Is there a match inside ``[pos, endpos)`` that ends at or after ``floor``?"""
        while pos < endpos:
            span = self.search(buf, pos, endpos)
            if span is None:
                return False
            if span[1] >= floor:
                return True
            pos = span[0] + 1
        return False

    def last(self, buf: bytes, pos: int, endpos: int) -> tuple[int, int] | None:
        """The last non-overlapping match inside ``[pos, endpos)``."""
        found = None
        while pos < endpos:
            span = self.search(buf, pos, endpos)
            if span is None:
                break
            found = span
            if span[1] >= endpos:
                break  # nothing can follow a match that reaches the end of the window
            pos = span[1] if span[1] > span[0] else span[0] + 1
        return found
