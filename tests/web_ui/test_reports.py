"""Reports: suppression, "none received", the ledger stamp in every format, charts, the CLI; and the
highlighting of findings (every character escaped)."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from separation.cli import app as cli
from separation.firewall.finding import Finding
from separation.policy import Request, decide, load_pack
from separation.register import Database, Settings, authenticate, issue_token, workflow
from separation.reports import make_report, render, suppress
from separation.reports.charts import bar_chart
from separation.reports.model import Breakdown, LedgerStamp, Report, Turnaround
from separation.web.pages.highlight import highlight

counts = st.integers(min_value=0, max_value=60)


def _report(rows: list[tuple[str, int]], total: int) -> Report:
    return Report(
        jurisdiction="Test City",
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 3, 31),
        generated_at="2026-04-01T00:00:00+00:00",
        public=False,
        requests_total=total,
        breakdowns=(Breakdown("agency", "Requests by agency", tuple(rows), "none", total),),
        turnaround=Turnaround(referred=3, reviewed=3, awaiting=0, median_hours=2.0, p90_hours=5.0),
        investigations=(),
        ledger=LedgerStamp(seq=7, head="ab" * 32, at="t", key_id="k", public_key="pk", signature="sig"),
    )


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), counts), max_size=8), counts)
def test_public_version_never_shows_a_count_from_1_to_4(rows: list[tuple[str, int]], total: int) -> None:
    public = suppress(_report(rows, total))
    shown = [n for _, n in public.breakdowns[0].rows if n is not None]
    assert all(n == 0 or n >= 5 for n in shown)
    assert public.requests_total is None or not 0 < public.requests_total < 5
    hidden = [n for _, n in public.breakdowns[0].rows if n is None]
    assert len(hidden) != 1 or len(rows) == 1  # one withheld cell alone could be worked out from the total
    assert public.turnaround.median_hours is None  # fewer than 5 reviews: no timing shown
    assert public.public and Report.from_dict(public.to_dict()) == public


def test_suppressed_counts_read_fewer_than_5_in_every_format() -> None:
    public = suppress(_report([("ICE ERO", 12), ("CBP", 3), ("FBI", 9)], 24))
    assert public.breakdowns[0].rows == (("ICE ERO", 12), ("CBP", None), ("FBI", None))
    for fmt in ("html", "csv"):
        text = render(public, fmt).decode()
        assert "fewer than 5" in text and ",3\n" not in text
        assert "ab" * 32 in text and "sig" in text  # ledger head and checkpoint signature
    assert render(public, "pdf").startswith(b"%PDF")


def test_chart_is_accessible_svg_with_escaped_labels() -> None:
    svg = bar_chart("Requests <by> agency", (("<script>", 3), ("A & B", None)))
    assert (
        svg.startswith("<svg") and 'role="img"' in svg and "<title>Requests &lt;by&gt; agency</title>" in svg
    )
    assert (
        "<script>" not in svg and "&lt;script&gt;" in svg and "fewer than 5" in svg and " style=" not in svg
    )


def test_csv_cells_cannot_become_formulas() -> None:
    text = render(_report([("=HYPERLINK(1)", 7)], 7), "csv").decode()
    assert "'=HYPERLINK(1)" in text


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Database, Settings]:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'r.db'}", key_path=tmp_path / "k.pem")
    db = Database.from_settings(settings)
    principal = authenticate(db, issue_token(db, role="clerk", name="c", department="police").token)
    assert principal is not None
    pack = load_pack("minneapolis")
    for i in range(8):
        body = Request.model_validate(
            {
                "received_at": f"2026-01-{i + 5:02d}T10:00:00-06:00",
                "requester": {"agency": "ICE ERO" if i < 5 else "FBI" if i < 7 else "CBP"},
                "asks": ["hold"],
                "process": {"document": "detainer", "signed_by": "immigration_officer"},
                "description": "PRIVATE-TEXT",
            }
        )
        workflow.file_request(db, principal, body, decide(body, pack))
    workflow.file_complaint(
        db,
        principal,
        category=workflow.ComplaintCategory.detention,
        received_at=dt.datetime(2026, 1, 9, tzinfo=dt.UTC),
        department="police",
        anonymous=True,
        narrative="NARRATIVE-TEXT",
        contact=None,
    )
    yield db, settings
    db.dispose()


def test_report_from_the_register(filled: tuple[Database, Settings]) -> None:
    db, settings = filled
    full = make_report(
        db,
        settings,
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 3, 31),
        jurisdiction="X",
        public=False,
    )
    assert full.requests_total == 8
    assert dict(full.breakdown("agency").rows) == {"ICE ERO": 5, "FBI": 2, "CBP": 1}
    assert dict(full.breakdown("complaint_category").rows) == {"detention": 1}
    public = suppress(full)
    assert dict(public.breakdown("agency").rows) == {"ICE ERO": 5, "FBI": None, "CBP": None}
    for fmt in ("html", "csv", "pdf"):
        blob = render(public, fmt)
        assert b"PRIVATE-TEXT" not in blob and b"NARRATIVE-TEXT" not in blob
    page = render(public, "html").decode()
    assert full.ledger.head in page and full.ledger.signature in page and "<svg" in page
    empty = make_report(
        db,
        settings,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 3, 31),
        jurisdiction="X",
        public=True,
    )
    text = render(empty, "html").decode()
    assert "No requests were received in this period." in text
    assert "No complaints were received in this period." in text
    assert "None in this period" in text


def test_cli_report(
    filled: tuple[Database, Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = filled
    monkeypatch.setenv("SEPARATION_LEDGER_KEY", str(settings.key_path))
    runner = CliRunner()
    out = tmp_path / "report.pdf"
    args = ["report", "--from", "2026-01-01", "--to", "2026-01-31", "--db", settings.db_url]
    result = runner.invoke(cli, [*args, "--format", "pdf", "--public", "--publish", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    csv_out = tmp_path / "report.csv"
    assert runner.invoke(cli, [*args, "--format", "csv", "--out", str(csv_out)]).exit_code == 0
    assert "agency,ICE ERO,5" in csv_out.read_text()
    bad = runner.invoke(cli, ["report", "--from", "nope", "--to", "2026-01-31", "--out", str(out)])
    assert bad.exit_code == 2 and "--from" in bad.output
    assert runner.invoke(cli, [*args, "--format", "doc", "--out", str(out)]).exit_code == 2
    assert runner.invoke(cli, [*args, "--publish", "--out", str(out)]).exit_code == 2


@given(st.text(max_size=60), st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70)), max_size=5))
def test_highlight_escapes_everything_and_keeps_the_text(text: str, spans: list[tuple[int, int]]) -> None:
    findings = [Finding(min(a, b), max(a, b), "status", 0.9, "r", "en") for a, b in spans]
    marked = str(highlight(text, findings))
    assert "<" not in re.sub(r"</?mark[^>]*>", "", marked)
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", marked)) == text
