"""The self-contained HTML report: the summary as tables and inline SVG charts, no external assets.

Built from ``Summary.as_json()`` only, so it can hold nothing the summary does not (no identifiers).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

__all__ = ["render_html"]

_LABELS = {
    "immigration_enforcement": "Immigration enforcement",
    "vague_or_missing": "Vague or missing",
    "criminal_stated": "Crime stated",
    "other": "Other stated purpose",
}
_COLOURS = {
    "immigration_enforcement": "#b3261e",
    "vague_or_missing": "#e0a100",
    "criminal_stated": "#3b6ea8",
    "other": "#8a8a8a",
}
_AGENCIES_CHARTED = 12


def _thousands(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _bars(items: list[tuple[str, int, str]], *, width: int = 640) -> Markup:
    """Horizontal bars: (label, value, colour)."""
    if not items:
        return Markup("")
    top = max(v for _, v, _ in items) or 1
    row, label_w = 26, 270
    height = row * len(items) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}">'
    ]
    for i, (label, value, colour) in enumerate(items):
        y = 4 + i * row
        bar = int((width - label_w - 90) * value / top)
        text = escape(label if len(label) <= 36 else label[:35] + "…")
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12">{text}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{max(bar, 1 if value else 0)}" height="18" '
            f'fill="{colour}">'
            f"<title>{text}: {value:,}</title></rect>"
            f'<text x="{label_w + bar + 6}" y="{y + 16}" font-size="12">{value:,}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _stacked_months(months: list[dict[str, Any]], *, width: int = 640) -> Markup:
    if not months:
        return Markup("")
    top = max(m["rows"] for m in months) or 1
    chart_h, base = 180, 200
    step = max(16, min(80, (width - 60) // len(months)))
    svg_w = 60 + step * len(months)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {svg_w} {base + 50}" '
        f'width="{svg_w}">',
        f'<line x1="50" y1="{base}" x2="{svg_w}" y2="{base}" stroke="#999"/>',
        f'<text x="45" y="{base - chart_h + 4}" text-anchor="end" font-size="11">{top:,}</text>',
    ]
    for i, month in enumerate(months):
        x, y = 55 + i * step, base
        for category in ("immigration_enforcement", "vague_or_missing", "criminal_stated", "other"):
            h = int(chart_h * month[category] / top)
            if h:
                y -= h
                title = f"{escape(month['month'])} {_LABELS[category]}: {month[category]:,}"
                parts.append(
                    f'<rect x="{x}" y="{y}" width="{step - 6}" height="{h}" fill="{_COLOURS[category]}">'
                    f"<title>{title}</title></rect>"
                )
        parts.append(
            f'<text x="{x + (step - 6) / 2}" y="{base + 16}" text-anchor="middle" font-size="11">'
            f"{escape(month['month'])}</text>"
        )
    legend_x = 55
    for category, label in _LABELS.items():
        parts.append(
            f'<rect x="{legend_x}" y="{base + 30}" width="12" height="12" fill="{_COLOURS[category]}"/>'
            f'<text x="{legend_x + 16}" y="{base + 40}" font-size="11">{label}</text>'
        )
        legend_x += 150
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def render_html(summary: dict[str, Any], *, title: str = "license-plate-reader searches") -> str:
    """The report as one HTML string (inline CSS and SVG only)."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["thousands"] = _thousands
    source = resources.files("separation.access").joinpath("templates").joinpath("report.html.j2")
    template = env.from_string(source.read_text(encoding="utf-8"))
    rows = summary["rows"] or 0
    categories = [
        {
            "label": _LABELS[c],
            "count": n,
            "share": f"{100 * n / rows:.1f}%" if rows else "-",
        }
        for c, n in summary["categories"].items()
    ]
    agencies = summary["by_agency"]
    agency_items = [
        (
            a["agency"],
            a["rows"],
            _COLOURS["immigration_enforcement"] if a["federal_immigration_agency"] else "#3b6ea8",
        )
        for a in agencies[:_AGENCIES_CHARTED]
    ]
    return template.render(
        title=title,
        found=summary["found"],
        headline=summary["headline"],
        rows=rows,
        rules_version=summary["rules_version"],
        files=summary["files"],
        categories=categories,
        category_chart=_bars([(_LABELS[c], n, _COLOURS[c]) for c, n in summary["categories"].items()]),
        why_rules=sorted(summary["rules"]["why"].items(), key=lambda kv: -kv[1]),
        who_rules=sorted(summary["rules"]["who"].items(), key=lambda kv: -kv[1]),
        how_rules=sorted(summary["rules"]["how"].items(), key=lambda kv: -kv[1]),
        who_total=sum(summary["rules"]["who"].values()),
        federal=summary["federal_immigration_agency"],
        agencies=agencies,
        agencies_truncated=summary["by_agency_truncated"],
        agency_chart=_bars(agency_items),
        multi_network=summary["networks"]["multi_network"],
        max_networks=summary["networks"]["max"],
        lookback=summary["lookback_days"],
        months=summary["by_month"],
        month_chart=_stacked_months(summary["by_month"]),
    )
