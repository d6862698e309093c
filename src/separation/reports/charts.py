"""Horizontal bar charts as SVG, drawn on the server: plain shapes and text, dark on white (prints well),
a text label and the number beside every bar (the chart never carries meaning by colour alone)."""

from __future__ import annotations

from html import escape

__all__ = ["bar_chart"]

_ROW = 26
_LABEL_W = 230
_BAR_W = 330
_NUM_W = 110


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def bar_chart(
    title: str, rows: tuple[tuple[str, int | None], ...], *, suppressed_text: str = "fewer than 5"
) -> str:
    """An accessible SVG (role="img", a <title> and <desc>) with one bar per row; ``None`` counts are drawn
    as a hatched stub labelled ``suppressed_text``."""
    known = [n for _, n in rows if n is not None]
    top = max(known, default=1) or 1
    width = _LABEL_W + _BAR_W + _NUM_W
    height = _ROW * len(rows) + 8
    desc = "; ".join(f"{label}: {suppressed_text if n is None else n}" for label, n in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" class="chart" aria-labelledby="t d">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]
    for i, (label, n) in enumerate(rows):
        y = 4 + i * _ROW
        parts.append(
            f'<text x="{_LABEL_W - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'font-family="sans-serif" fill="#1a1a1a">{escape(_short(label))}</text>'
        )
        if n is None:
            parts.append(
                f'<rect x="{_LABEL_W}" y="{y + 4}" width="12" height="16" fill="#ffffff" '
                f'stroke="#1f3b73" stroke-dasharray="2 2"/>'
            )
            value = suppressed_text
            end = _LABEL_W + 12
        else:
            w = max(1, round(_BAR_W * n / top)) if n else 0
            parts.append(f'<rect x="{_LABEL_W}" y="{y + 4}" width="{w}" height="16" fill="#1f3b73"/>')
            value = str(n)
            end = _LABEL_W + w
        parts.append(
            f'<text x="{end + 6}" y="{y + 17}" font-size="13" font-family="sans-serif" '
            f'fill="#1a1a1a">{escape(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
