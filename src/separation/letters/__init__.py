"""Response letters to the requesting agency, from the pack's templates (HTML and PDF).

A letter shows the outcome, the reasons and the citations, and about the request only what the requester
sent that the answer needs (agency, their reference, dates, what was asked). Never the description.
"""

from __future__ import annotations

from separation.letters.render import letter_context, render_html, render_pdf, render_text

__all__ = ["letter_context", "render_html", "render_pdf", "render_text"]
