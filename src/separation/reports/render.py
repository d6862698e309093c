"""Render a ``Report`` as HTML (Jinja2, autoescaped, charts inline as SVG), PDF (fpdf2) or CSV."""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from typing import Any

import jinja2
from fpdf import FPDF
from markupsafe import Markup

from separation.reports.charts import bar_chart
from separation.reports.i18n import TEXT, section, translate_label
from separation.reports.model import INVESTIGATION_FIELDS, SUPPRESS_BELOW, Report

__all__ = ["FORMATS", "render", "render_csv", "render_html", "render_pdf", "report_context"]

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
SUPPRESSED = f"fewer than {SUPPRESS_BELOW}"
NOT_RECORDED = "not recorded"


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("separation.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _count(n: int | None) -> str:
    return SUPPRESSED if n is None else str(n)


def report_context(report: Report, lang: str = "en") -> dict[str, Any]:
    """What the templates show; charts are SVG built here from the counts (labels escaped inside).
    ``lang="es"`` gives the Spanish of the public page (``separation.reports.i18n``)."""
    m = TEXT["es" if lang == "es" else "en"]
    t = report.turnaround

    def count(n: int | None) -> str:
        return m["suppressed"] if n is None else str(n)

    def hours(h: float | None) -> str:
        return m["not_shown"] if h is None else f"{h:g}"

    sections = []
    for b in report.breakdowns:
        title, none = section(b.id, b.title, b.none_statement, lang)
        rows = tuple((translate_label(k, lang), n) for k, n in b.rows)
        chart = Markup(bar_chart(title, rows, suppressed_text=m["suppressed"])) if rows else None  # noqa: S704
        sections.append(
            {"id": b.id, "title": title, "none": none, "rows": rows, "total": b.total, "chart": chart}
        )
    notes = [m["suppression_note"] if "fewer than" in note else note for note in report.notes]
    return {
        "r": report,
        "m": m,
        "lang": lang,
        "count": count,
        "sections": sections,
        "notes": notes,
        "fields": [
            (name, label if lang != "es" else _FIELDS_ES[name]) for name, label in INVESTIGATION_FIELDS
        ],
        "turnaround": [
            (m["referred"], count(t.referred)),
            (m["reviewed"], count(t.reviewed)),
            (m["awaiting"], count(t.awaiting)),
            (m["median"], hours(t.median_hours)),
            (m["p90"], hours(t.p90_hours)),
        ],
    }


_FIELDS_ES = {
    "how_began": "Cómo empezó la situación",
    "why_city": "Por qué participó la ciudad",
    "timeline": "Cronología de la participación de la ciudad",
    "arrests": "Arrestos",
    "cost": "Costo para la ciudad",
}


def render_html(report: Report) -> str:
    """A self-contained HTML document (its stylesheet inline, no script)."""
    return _env().get_template("report.html.j2").render(report_context(report))


def render_body(report: Report, lang: str = "en") -> Markup:
    """The report's body only, for embedding in a page of the web app (in English or Spanish)."""
    html = _env().get_template("report_body.html.j2").render(report_context(report, lang))
    return Markup(html)  # noqa: S704 (autoescaped template)


def render_csv(report: Report) -> str:
    """Long format: ``section,category,value``; the period and the ledger stamp come first."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "category", "value"])
    meta = [
        ("jurisdiction", report.jurisdiction),
        ("period_from", report.period_from.isoformat()),
        ("period_to", report.period_to.isoformat()),
        ("version", "public" if report.public else "full"),
        ("generated_at", report.generated_at),
        ("ledger_seq", str(report.ledger.seq)),
        ("ledger_head", report.ledger.head),
        ("checkpoint_at", report.ledger.at),
        ("checkpoint_key_id", report.ledger.key_id),
        ("checkpoint_public_key", report.ledger.public_key),
        ("checkpoint_signature", report.ledger.signature),
    ]
    for k, v in meta:
        w.writerow(["meta", k, _cell(v)])
    w.writerow(["requests", "total", _count(report.requests_total)])
    for b in report.breakdowns:
        if not b.rows:
            w.writerow([b.id, "none", b.none_statement])
        for k, n in b.rows:
            w.writerow([b.id, _cell(k), _count(n)])
    for label, value in report_context(report)["turnaround"]:
        w.writerow(["referral_turnaround", label, value])
    if not report.investigations:
        w.writerow(
            ["investigations", "none", "No use of city personnel in such an investigation was recorded."]
        )
    for inv in report.investigations:
        prefix = f"investigation {inv.number}"
        for k, v in (
            ("received_on", inv.received_on),
            ("agency", inv.agency),
            ("department", inv.department),
            ("outcome", inv.outcome),
        ):
            w.writerow([prefix, k, _cell(v)])
        for name, _ in INVESTIGATION_FIELDS:
            w.writerow([prefix, name, _cell(inv.fields.get(name) or NOT_RECORDED)])
    return out.getvalue()


def _cell(value: str) -> str:
    # A cell that a spreadsheet would run as a formula is prefixed with a quote (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# The PDF core fonts are Latin-1: typographic characters get plain stand-ins instead of "?".
_PLAIN = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2192": "->",
        "\u2014": "-",
        "\u2013": "-",
        "\u2026": "...",
    }
)


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class _ReportPDF(FPDF):
    stamp = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 7.5)
        self.set_text_color(60, 60, 60)
        self.cell(0, 4, _latin1(self.stamp), align="L")
        self.cell(0, 4, f"page {self.page_no()}", align="R")


def render_pdf(report: Report) -> bytes:
    """The report as PDF: headings, bars drawn natively with their numbers, tables, the ledger stamp on
    every page's footer and the full signed checkpoint at the end."""
    pdf = _ReportPDF(format="letter")
    pdf.stamp = f"Ledger entry {report.ledger.seq}, head {report.ledger.head}"
    title = f"{report.jurisdiction}: separation ordinance report"
    pdf.set_title(_latin1(title))
    pdf.set_creator("separation")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    _line(pdf, 8, title)
    pdf.set_font("Helvetica", "", 10)
    version = "Public version" if report.public else "Full version (not for publication)"
    pdf.multi_cell(
        0,
        5.5,
        _latin1(
            f"Period {report.period_from} to {report.period_to}. {version}. Generated {report.generated_at}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for note in report.notes:
        _line(pdf, 5, note)
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    _line(pdf, 6, f"Requests received: {_count(report.requests_total)}")
    for b in report.breakdowns:
        _pdf_breakdown(pdf, b.title, b.rows, b.none_statement)
    _heading(pdf, "Referral turnaround")
    pdf.set_font("Helvetica", "", 10)
    for label, value in report_context(report)["turnaround"]:
        _line(pdf, 5.5, f"{label}: {value}")
    _heading(pdf, "City personnel in criminal investigations with an immigration angle")
    pdf.set_font("Helvetica", "", 10)
    if not report.investigations:
        _line(pdf, 5.5, "None in this period.")
    for inv in report.investigations:
        pdf.set_font("Helvetica", "B", 10)
        _line(
            pdf,
            5.5,
            f"{inv.number}. Received {inv.received_on}, {inv.agency}, {inv.department}, "
            f"outcome {inv.outcome}",
        )
        pdf.set_font("Helvetica", "", 10)
        for name, label in INVESTIGATION_FIELDS:
            _line(pdf, 5.5, f"{label}: {inv.fields.get(name) or NOT_RECORDED}")
        pdf.ln(1.5)
    _heading(pdf, "Ledger checkpoint")
    pdf.set_font("Courier", "", 8)
    for k, v in (
        ("entry", str(report.ledger.seq)),
        ("head", report.ledger.head),
        ("signed at", report.ledger.at),
        ("key id", report.ledger.key_id),
        ("public key", report.ledger.public_key),
        ("signature", report.ledger.signature),
    ):
        _line(pdf, 4.2, f"{k}: {v}")
    return bytes(pdf.output())


def _line(pdf: FPDF, height: float, text: str) -> None:
    """One paragraph: a plain cell when it fits on one line (fpdf2's line breaking is slow, and most lines
    of a report are short), else a wrapped multi-cell."""
    text = _latin1(text)
    if "\n" not in text and pdf.get_string_width(text) <= pdf.epw - 1:
        pdf.cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    _line(pdf, 7, text)


def _pdf_breakdown(pdf: FPDF, title: str, rows: tuple[tuple[str, int | None], ...], none: str) -> None:
    _heading(pdf, title)
    pdf.set_font("Helvetica", "", 9.5)
    if not rows:
        _line(pdf, 5.5, none)
        return
    top = max((n for _, n in rows if n is not None), default=1) or 1
    label_w, bar_w = 62.0, 80.0
    for label, n in rows:
        if pdf.will_page_break(6):
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_xy(x, y)
        short = label if len(label) <= 36 else label[:35] + "..."
        pdf.cell(label_w, 5.5, _latin1(short), align="R")
        pdf.set_fill_color(31, 59, 115)
        if n is None:
            pdf.set_draw_color(31, 59, 115)
            pdf.rect(x + label_w + 2, y + 1, 3, 3.5, style="D")
            end = x + label_w + 5
        else:
            w = max(0.5, bar_w * n / top) if n else 0
            if w:
                pdf.rect(x + label_w + 2, y + 1, w, 3.5, style="F")
            end = x + label_w + 2 + w
        pdf.set_xy(end + 2, y)
        pdf.cell(30, 5.5, _count(n))
        pdf.set_xy(x, y + 5.5)


def render(report: Report, fmt: str) -> bytes:
    if fmt == "html":
        return render_html(report).encode()
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "csv":
        return render_csv(report).encode()
    raise ValueError(fmt)
