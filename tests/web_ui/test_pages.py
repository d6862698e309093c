"""The pages' flows without a browser: preview without storing, filing, review, obligations, complaints,
the public page from the published snapshot only, languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from separation.register import Database, Settings
from separation.register.models import RequestRecord

from .conftest import form_token

CRIMINAL = {
    "agency": "ICE HSI",
    "asks": "personnel",
    "purpose": "criminal",
    "status_is_element": "yes",
    "offenses": "8 U.S.C. 1324",
}


def _count_requests(settings: Settings) -> int:
    db = Database.from_settings(settings)
    try:
        with db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(RequestRecord)).scalar_one())
    finally:
        db.dispose()


def _file(client: TestClient, csrf: str, **fields: Any) -> str:
    data: dict[str, Any] = {
        "csrf": csrf,
        "agency": "ICE ERO",
        "asks": "hold",
        "document": "detainer",
        "identified": "yes",
    }
    data.update(fields)
    data["action"] = "file"
    response = client.post("/requests/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"].split("/")[2].split("?")[0])


def test_preview_decides_without_storing(make_client, settings: Settings) -> None:
    client, csrf = make_client("clerk")
    response = client.post(
        "/requests/preview",
        data={"csrf": csrf, "agency": "ICE ERO", "asks": "hold", "document": "detainer", "identified": "yes"},
    )
    body = response.json()
    assert body["decision"]["outcome"] == "decline"
    assert body["decision"]["rules"] and "Proposed decision" in body["html"]
    no_js = client.post(
        "/requests/new",
        data={"csrf": csrf, "asks": "hold", "document": "detainer", "identified": "yes", "action": "preview"},
    )
    assert no_js.status_code == 200 and 'id="proposed-outcome">decline' in no_js.text
    empty = client.post("/requests/preview", data={"csrf": csrf}).json()
    assert empty["decision"] is None and "asks" in empty["errors"]
    assert _count_requests(settings) == 0


def test_form_errors_name_the_field(make_client) -> None:
    client, csrf = make_client("clerk")
    response = client.post("/requests/new", data={"csrf": csrf, "action": "file", "received_at": "soon"})
    assert response.status_code == 422
    assert 'id="e-asks"' in response.text and 'id="e-received_at"' in response.text


def test_file_review_and_obligations(make_client) -> None:
    clerk, csrf = make_client("clerk")
    rid = _file(clerk, csrf)
    detail = clerk.get(f"/requests/{rid}?filed=1").text
    assert "The request was filed" in detail and "Timeline" in detail and "request filed" in detail
    assert "Letter to the agency" in detail
    attorney, acsrf = make_client("attorney")
    no_reason = attorney.post(
        f"/requests/{rid}/review",
        data={"csrf": acsrf, "action": "override", "outcome": "refer", "reason": " "},
    )
    assert no_reason.status_code == 422 and "reason is required" in no_reason.text
    done = attorney.post(
        f"/requests/{rid}/review",
        data={"csrf": acsrf, "action": "override", "outcome": "refer", "reason": "papers unclear"},
        follow_redirects=True,
    )
    assert 'id="final-outcome">refer' in done.text and "papers unclear" in done.text
    obligations = clerk.get("/obligations?state=open").text
    ids = re.findall(r'action="/obligations/([0-9a-f-]{36})/done"', obligations)
    assert ids
    closed = clerk.post(
        f"/obligations/{ids[0]}/done", data={"csrf": csrf, "note": "sent"}, follow_redirects=True
    )
    assert closed.status_code == 200
    again = clerk.post(f"/obligations/{ids[0]}/done", data={"csrf": csrf})
    assert again.status_code == 409
    assert clerk.get("/obligations?state=done").text.count("done 20") >= 1


def test_request_list_filters(make_client) -> None:
    client, csrf = make_client("attorney")
    _file(client, csrf, agency="CBP")
    _file(client, csrf, agency="FBI", asks="information", purpose="criminal")
    assert "1 request." in client.get("/requests?agency=cbp").text
    assert "2 requests." in client.get("/requests").text
    bad = client.get("/requests?from=yesterday")
    assert bad.status_code == 422 and "Check the filters" in bad.text


def test_overdue_obligations_are_highlighted_on_the_dashboard(make_client) -> None:
    client, csrf = make_client("clerk")
    _file(client, csrf, received_at="2025-12-15T10:00")
    page = client.get("/dashboard").text
    assert 'class="overdue"' in page and "Overdue</span>" in page


def test_complaints_staff_and_public(make_client, app_client: TestClient) -> None:
    page = app_client.get("/public/complaint", headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in page.text and "Denunciar" in page.text
    sent = app_client.post(
        "/public/complaint",
        data={
            "csrf": form_token(page.text),
            "category": "detention",
            "narrative": "en la cárcel",
            "lang": "es",
        },
    )
    assert sent.status_code == 200 and "Gracias" in sent.text
    english = app_client.get("/public/complaint?lang=en").text
    assert '<html lang="en">' in english and "Report a violation" in english
    invalid = app_client.post("/public/complaint", data={"csrf": form_token(english), "category": "nope"})
    assert invalid.status_code == 422 and "Choose what happened" in invalid.text
    expired = app_client.post("/public/complaint", data={"csrf": "x.y", "category": "detention"})
    assert expired.status_code == 422

    attorney, acsrf = make_client("attorney")
    listing = attorney.get("/complaints").text
    (cid,) = set(re.findall(r'href="/complaints/([0-9a-f-]{36})"', listing))
    detail = attorney.get(f"/complaints/{cid}").text
    assert "en la cárcel" in detail and "the public form" in detail
    closed = attorney.post(
        f"/complaints/{cid}/status",
        data={"csrf": acsrf, "status": "closed", "disposition": "sustained", "note": "ok"},
        follow_redirects=True,
    )
    assert "closed: sustained" in closed.text
    auditor, _ = make_client("auditor")
    assert "en la cárcel" not in auditor.get(f"/complaints/{cid}").text

    clerk, ccsrf = make_client("clerk")
    staff = clerk.post(
        "/complaints/new",
        data={"csrf": ccsrf, "category": "inquiry_status", "department": "police", "anonymous": "yes"},
        follow_redirects=True,
    )
    assert staff.status_code == 200 and "inquiry status" in staff.text


def test_public_page_reads_only_the_published_snapshot(make_client, app_client: TestClient) -> None:
    assert "No report has been published yet" in app_client.get("/public").text
    clerk, csrf = make_client("clerk")
    for _ in range(6):
        _file(clerk, csrf, received_at="2026-01-10T10:00")
    auditor, acsrf = make_client("auditor")
    published = auditor.post(
        "/reports/publish",
        data={"csrf": acsrf, "from": "2026-01-01", "to": "2026-03-31"},
        follow_redirects=True,
    )
    assert published.status_code == 200
    _file(clerk, csrf, received_at="2026-01-11T10:00")  # after publication: not on the public page

    engine = app_client.app.state.register.db.engine
    statements: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.lower())

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        page = app_client.get("/public?lang=es").text
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    assert "Solicitudes recibidas: <strong>6</strong>" in page and "Lo que ha hecho la ciudad" in page
    assert "Solicitudes por agencia" in page and "rechazar" in page
    selects = [s for s in statements if s.startswith("select")]
    assert selects and all("published_reports" in s for s in selects), statements
    assert all(s.startswith(("select", "begin")) for s in statements), statements
    assert "<svg" in page and "Punto de control del registro" in page
    assert "Requests by agency" in app_client.get("/public?lang=en").text


def test_screen_highlights_and_redacts(make_client) -> None:
    client, csrf = make_client("auditor")
    page = client.post(
        "/screen", data={"csrf": csrf, "text": "The tenant is undocumented & poor.", "lang": "en"}
    )
    assert '<mark class="finding-status"' in page.text and "[REDACTED]" in page.text
    assert "&amp; poor." in page.text
    too_big = client.post("/screen", data={"csrf": csrf, "text": "x" * 100_001})
    assert too_big.status_code == 413


def test_investigation_account_flows_into_the_report(make_client) -> None:
    clerk, csrf = make_client("clerk")
    rid = _file(clerk, csrf, document="", received_at="2026-02-01T09:00", **CRIMINAL)
    detail = clerk.get(f"/requests/{rid}").text
    assert "Report on the use of city personnel" in detail and "Not recorded yet" in detail
    auditor, _ = make_client("auditor")
    csv_before = auditor.get("/reports/download?from=2026-02-01&to=2026-02-28&format=csv").text
    assert "investigation 1,how_began,not recorded" in csv_before
    saved = clerk.post(
        f"/requests/{rid}/account",
        data={"csrf": csrf, "how_began": "HSI asked for two officers", "arrests": "2", "cost": "$1,200"},
        follow_redirects=True,
    )
    assert "Version 1" in saved.text
    csv_after = auditor.get("/reports/download?from=2026-02-01&to=2026-02-28&format=csv").text
    assert "investigation 1,how_began,HSI asked for two officers" in csv_after
    assert "investigation 1,why_city,not recorded" in csv_after


@pytest.mark.parametrize("fmt", ["html", "pdf", "csv"])
def test_report_downloads(make_client, fmt: str) -> None:
    client, _ = make_client("attorney")
    response = client.get(f"/reports/download?from=2026-01-01&to=2026-03-31&format={fmt}&public=true")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    if fmt == "pdf":
        assert response.content.startswith(b"%PDF")
    else:
        assert "No requests were received in this period." in response.text
    bad = client.get("/reports/download?from=2026-04-01&to=2026-03-31")
    assert bad.status_code == 422
