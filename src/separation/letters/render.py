"""Rendering: Jinja2 with autoescape for HTML; the PDF is laid out by fpdf2 from the plain-text letter."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from fpdf import FPDF

__all__ = ["letter_context", "render_html", "render_pdf", "render_text"]

_OUTCOME_WORDS = {
    "comply": "The city will do what was asked.",
    "decline": "The city declines what was asked.",
    "partial": "The city will do part of what was asked and declines the rest.",
    "refer": "The request has been referred to the City Attorney's Office, which will answer it.",
}
_ASK_OUTCOME = {
    "comply": "granted",
    "decline": "declined",
    "refer": "referred to the City Attorney",
    "partial": "in part",
}
_ASK_UNSTATED = "decided on review (see below)"


def letter_context(view: dict[str, Any], *, jurisdiction: str, today: dt.date) -> dict[str, Any]:
    """What a template may show, built only from the request as received and the decision.

    Deliberately picks fields one by one (no ``**request``): a field added to the request later does not
    reach a letter unless someone decides it should.
    """
    request = view["request"]
    decision = view["decision"]
    outcome = view["final_outcome"]
    overridden = view["review_state"] == "overridden"
    per_ask = {a["ask"]: a["outcome"] for a in decision.get("asks", [])}
    if overridden:
        # The attorney's final word replaces the engine's per-ask proposal; a split ("partial")
        # override names no per-ask outcomes, so none is claimed.
        per_ask = {ask: outcome for ask in per_ask} if outcome != "partial" else {}
    return {
        "jurisdiction": jurisdiction,
        "date": today.isoformat(),
        "register_id": view["id"],
        "caller_ref": request.get("id"),
        "received_on": str(request.get("received_at", ""))[:10],
        "agency": (request.get("requester") or {}).get("agency") or "the requesting agency",
        "asks": [
            {"ask": ask.replace("_", " "), "outcome": _ASK_OUTCOME.get(per_ask.get(ask, ""), _ASK_UNSTATED)}
            for ask in request.get("asks", [])
        ],
        "outcome": outcome,
        "outcome_sentence": _OUTCOME_WORDS.get(outcome, outcome),
        "review_state": view["review_state"],
        "review_reason": view.get("review_reason") if overridden else None,
        "rules": [
            {
                "reason": r["reason"],
                "citation": r["citation"],
                "citation_pending": bool(r.get("citation_pending")),
                "url": r.get("url"),
            }
            for r in decision.get("rules", [])
        ]
        if not overridden
        else [],
        "pack": decision.get("pack", {}),
    }


@lru_cache(maxsize=16)
def _environment(pack_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if pack_dir:
        loaders.append(jinja2.FileSystemLoader(str(Path(pack_dir) / "letters")))
    loaders.append(jinja2.PackageLoader("separation.letters", "templates"))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "html.j2"), disabled_extensions=("txt", "txt.j2"), default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(context: dict[str, Any], pack_dir: Path | None = None) -> str:
    """The letter as HTML; a pack may supply ``letters/letter.html.j2`` to replace the default."""
    return _environment(str(pack_dir) if pack_dir else None).get_template("letter.html.j2").render(context)


def render_text(context: dict[str, Any], pack_dir: Path | None = None) -> str:
    return _environment(str(pack_dir) if pack_dir else None).get_template("letter.txt.j2").render(context)


def _latin1(text: str) -> str:
    # The PDF core fonts cover Latin-1 only; anything else becomes '?' rather than failing the letter.
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(context: dict[str, Any], pack_dir: Path | None = None) -> bytes:
    """The letter as PDF: the plain-text letter, laid out on A4/Letter-safe margins."""
    text = render_text(context, pack_dir)
    pdf = FPDF(format="letter")
    pdf.set_title(_latin1(f"{context['jurisdiction']}: response to request {context['register_id']}"))
    pdf.set_creator("separation")
    pdf.set_margins(22, 22, 22)
    pdf.add_page()
    lines = text.splitlines()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin1(lines[0] if lines else ""), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10.5)
    for line in lines[1:]:
        if not line.strip():
            pdf.ln(3)
            continue
        pdf.multi_cell(0, 5.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
