"""Figures for the web interface and the reports, on a register holding a year of requests.

    python bench/ui_figures.py                   # 10,000 requests over a year (the figures of issue 5)
    python bench/ui_figures.py --requests 2000   # quicker

Prints:
  1. the request form: how many fields and clicks a clerk needs to file a typical request (counted from
     the rendered form and the browser test's path), and how many optional fields there are;
  2. the dashboard with N requests in the database: page weight (HTML, plus CSS and JS, raw and gzip) and
     server render time (median and p90 of repeated GETs in-process), beside the JSON API calls that fetch
     the same lists (the baseline);
  3. a year's report: time to build it from the register's aggregates and to render it as HTML and PDF,
     with sizes, beside a plain read of every request row of that year (the baseline).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import random
import re
import shutil
import statistics
import sys
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from separation.policy import Outcome, Request, decide, load_pack
from separation.register import Database, Settings, authenticate, issue_token
from separation.register.enums import ComplaintCategory, ReviewAction
from separation.register.models import RequestRecord
from separation.register.workflow import file_complaint, plan_filing, review_decision
from separation.reports import make_report, render
from separation.web import create_app

OUT = Path(__file__).resolve().parent / "out" / "ui"
AGENCIES = ["ICE ERO", "ICE HSI", "CBP", "USBP", "FBI", "DEA", "ATF", "USMS", "FEMA", "county sheriff"]
SHAPES: list[dict[str, Any]] = [
    {"asks": ["hold"], "process": {"document": "detainer", "signed_by": "immigration_officer"}},
    {"asks": ["notify_release"], "process": {"document": "detainer"}},
    {"asks": ["information"], "items": ["address", "phone"], "purpose": "civil_immigration"},
    {"asks": ["property_use"], "resource": {"type": "parking_ramp", "city_controlled": True}},
    {"asks": ["personnel"], "purpose": "criminal", "status_is_element": True, "offenses": ["8 U.S.C. 1324"]},
    {
        "asks": ["arrest"],
        "process": {"document": "judicial_warrant", "signed_by": "judge"},
        "purpose": "criminal",
    },
    {"asks": ["records"], "process": {"document": "administrative_subpoena"}},
    {"asks": ["perimeter"], "purpose": "civil_immigration"},
    {"asks": ["information"], "purpose": "mixed"},
]


def seed(settings: Settings, n: int, year_start: dt.date) -> None:
    db = Database.from_settings(settings)
    pack = load_pack(settings.pack)
    rng = random.Random(5)
    clerks = [
        authenticate(db, issue_token(db, role="clerk", name=f"clerk {d}", department=d).token)
        for d in ("police", "311", "public_works", "it")
    ]
    attorney = authenticate(db, issue_token(db, role="attorney", name="attorney").token)
    assert attorney is not None and all(clerks)
    futures: list[Future[Any]] = []
    finishes = []
    for i in range(n):
        day = year_start + dt.timedelta(days=rng.randrange(365))
        at = dt.datetime(day.year, day.month, day.day, rng.randrange(7, 19), rng.randrange(60), tzinfo=dt.UTC)
        shape = dict(rng.choice(SHAPES))
        body = Request.model_validate(
            {
                **shape,
                "received_at": at.isoformat(),
                "requester": {"agency": rng.choice(AGENCIES), "identified": rng.random() > 0.05},
                "description": f"synthetic description {i}",
            }
        )
        job, finish = plan_filing(rng.choice(clerks), body, decide(body, pack))  # type: ignore[arg-type]
        futures.append(db.submit_write(job))
        finishes.append(finish)
    ids = [finish(f.result()).id for finish, f in zip(finishes, futures, strict=True)]
    for rid in rng.sample(ids, k=min(len(ids), n // 20)):
        action = ReviewAction.override if rng.random() < 0.3 else ReviewAction.confirm
        outcome = rng.choice([Outcome.decline, Outcome.refer]) if action is ReviewAction.override else None
        review_decision(db, attorney, rid, action, "benchmark review", outcome)  # type: ignore[arg-type]
    for _ in range(max(1, n // 40)):
        file_complaint(
            db,
            clerks[0],  # type: ignore[arg-type]
            category=rng.choice(list(ComplaintCategory)),
            received_at=dt.datetime.combine(
                year_start + dt.timedelta(days=rng.randrange(365)), dt.time(), dt.UTC
            ),
            department="police",
            anonymous=True,
            narrative=None,
            contact=None,
        )
    db.dispose()


def _timed(fn: Any, repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def _ms(times: list[float]) -> str:
    times = sorted(times)
    p90 = times[int(0.9 * (len(times) - 1))]
    return f"median {statistics.median(times) * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    settings = Settings(db_url=f"sqlite:///{OUT / 'register.db'}", key_path=OUT / "ledger.pem")
    year_start = dt.date(2025, 12, 11)
    t0 = time.perf_counter()
    seed(settings, args.requests, year_start)
    print(
        f"seeded {args.requests:,} requests over a year in {time.perf_counter() - t0:.1f} s",
        f"({OUT / 'register.db'})",
    )

    db = Database.from_settings(settings)
    with db.engine.connect() as conn:  # steady state: the seeding's write-ahead log folded into the file
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    clerk_token = issue_token(db, role="clerk", name="bench clerk", department="police").token
    attorney_token = issue_token(db, role="attorney", name="bench attorney").token
    db.dispose()
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"csrf": csrf, "token": clerk_token})

        # 1. The form.
        form = client.get("/requests/new").text
        main_part, _, optional = form.partition("<details")

        def controls(html: str) -> int:
            named = re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', html)
            return len({n for n in named if n not in ("csrf", "action")})

        print("\n1. Filing a request through the UI")
        print(
            f"   form fields: {controls(main_part)} shown first (of which 1 required: what was asked), "
            f"{controls(optional)} more under 'More details (optional)'"
        )
        print(
            "   typical path (the browser test's): type the agency, tick one ask, pick the paper\n"
            "   = 3 fields;\n"
            "   the proposed decision shows while typing; 1 click on 'File request' => 3 fields + 1 click\n"
            "   per request (sign-in once per shift: 1 field + 1 click)"
        )

        # 2. Dashboard.
        times, response = _timed(lambda: client.get("/dashboard"), args.repeat)
        html = response.content
        css = client.get("/static/app.css").content
        js = client.get("/static/app.js").content
        api_headers = {"Authorization": f"Bearer {clerk_token}"}
        api_times, _ = _timed(
            lambda: (
                client.get("/api/obligations?state=overdue&limit=10", headers=api_headers),
                client.get("/api/obligations?state=open&limit=1", headers=api_headers),
                client.get("/api/requests?limit=10", headers=api_headers),
            ),
            args.repeat,
        )
        print(f"\n2. Dashboard with {args.requests:,} requests in the database (clerk, police)")
        print(
            f"   page weight: HTML {len(html):,} B ({len(gzip.compress(html)):,} B gzip); "
            f"CSS {len(css):,} B ({len(gzip.compress(css)):,} gzip); JS {len(js):,} B;\n"
            f"   total {len(html) + len(css) + len(js):,} B; no images, fonts or third-party requests"
        )
        print(f"   server render: {_ms(times)}")
        with TestClient(app, base_url="http://testserver") as other:
            page = other.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            other.post("/login", data={"csrf": token, "token": attorney_token})
            all_times, _ = _timed(lambda: other.get("/dashboard"), args.repeat)
        print(f"   server render for an attorney (every department): {_ms(all_times)}")
        print(
            f"   baseline, the same lists from the JSON API (3 calls): {_ms(api_times)}; "
            f"ratio dashboard/API {statistics.median(times) / statistics.median(api_times):.2f}"
        )

    # 3. A year's report.
    db = Database.from_settings(settings)
    end = year_start + dt.timedelta(days=364)
    jurisdiction = "City of Minneapolis"
    build_times, full = _timed(
        lambda: make_report(
            db, settings, period_from=year_start, period_to=end, jurisdiction=jurisdiction, public=False
        ),
        5,
    )
    html_times, html_doc = _timed(lambda: render(full, "html"), 5)
    pdf_times, pdf_doc = _timed(lambda: render(full, "pdf"), 5)
    public = make_report(
        db, settings, period_from=year_start, period_to=end, jurisdiction=jurisdiction, public=True
    )
    csv_doc = render(public, "csv")

    def scan() -> int:
        with db.read() as conn:
            return len(
                conn.execute(
                    sa.select(
                        RequestRecord.agency,
                        RequestRecord.asks,
                        RequestRecord.final_outcome,
                        RequestRecord.department,
                    ).where(RequestRecord.received_on >= year_start, RequestRecord.received_on <= end)
                ).all()
            )

    scan_times, rows = _timed(scan, 5)
    db.dispose()
    b, h, p = statistics.median(build_times), statistics.median(html_times), statistics.median(pdf_times)
    print(
        f"\n3. A year's report ({year_start} to {end}, {full.requests_total:,} requests, "
        f"{len(full.investigations):,} criminal-investigation uses listed)"
    )
    print(f"   build from aggregates (SQL GROUP BY + signed checkpoint): {_ms(build_times)}")
    print(f"   HTML: {len(html_doc):,} B, render {h * 1000:.1f} ms; total {(b + h) * 1000:.0f} ms")
    print(f"   PDF:  {len(pdf_doc):,} B, render {p * 1000:.1f} ms; total {(b + p) * 1000:.0f} ms")
    print(f"   CSV (public): {len(csv_doc):,} B")
    print(
        f"   baseline, reading the year's {rows:,} request rows (no aggregation): {_ms(scan_times)}; "
        f"ratio build/scan {b / statistics.median(scan_times):.2f}"
    )
    (OUT / "year-report.html").write_bytes(html_doc)
    (OUT / "year-report.pdf").write_bytes(pdf_doc)


if __name__ == "__main__":
    sys.exit(main())
