"""Reports for the Council and the public: built from aggregates, rendered as HTML, PDF and CSV.

report = make_report(db, settings, period_from=..., period_to=..., jurisdiction=..., public=True)
render(report, "pdf")            # bytes; "html" and "csv" too
publish(db, report, actor=...)   # the snapshot the public page shows (public version only)
"""

from __future__ import annotations

from separation.reports.model import SUPPRESS_BELOW, Report, suppress
from separation.reports.render import FORMATS, render, render_csv, render_html, render_pdf
from separation.reports.store import latest_published, make_report, publish, record_account

__all__ = [
    "FORMATS",
    "SUPPRESS_BELOW",
    "Report",
    "latest_published",
    "make_report",
    "publish",
    "record_account",
    "render",
    "render_csv",
    "render_html",
    "render_pdf",
    "suppress",
]
