"""Findings shown in the text they were found in: segments built from offsets, every piece escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from separation.firewall.finding import Finding

__all__ = ["highlight"]


def highlight(text: str, findings: Sequence[Finding]) -> Markup:
    """``text`` as HTML with each finding wrapped in ``<mark>`` (overlaps merged; all text escaped)."""
    spans = sorted((max(0, f.start), min(len(text), f.end), f.kind) for f in findings if f.end > f.start)
    parts: list[str] = []
    pos = 0
    for start, end, kind in spans:
        if end <= pos:
            continue
        start = max(start, pos)
        parts.append(escape(text[pos:start]))
        parts.append(
            f'<mark class="finding-{escape(kind)}" title="{escape(kind)}">{escape(text[start:end])}</mark>'
        )
        pos = end
    parts.append(escape(text[pos:]))
    return Markup("".join(parts))  # noqa: S704 (every piece escaped above)
