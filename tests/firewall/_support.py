"""Helpers shared by the firewall tests."""

from __future__ import annotations

from separation.firewall import Finding, detect


def spans(text: str, lang: str | None = None) -> list[tuple[str, str]]:
    """(kind, matched text) per finding — for assertions only; never logged by the product."""
    return [(f.kind, text[f.start : f.end]) for f in detect(text, lang)]


def kinds(text: str, lang: str | None = None) -> set[str]:
    return {f.kind for f in detect(text, lang)}


def covers(findings: list[Finding], text: str, phrase: str, kind: str) -> bool:
    start = text.index(phrase)
    end = start + len(phrase)
    return any(f.kind == kind and f.start < end and start < f.end for f in findings)
