"""The HTTP API end to end on both backends: intake, lists and filters, review, obligations, complaints,
letters, problem details and limits."""

from __future__ import annotations

import io

from pypdf import PdfReader

from ._support import DETAINER, JUDICIAL, Api

PROBLEM = "application/problem+json"


def _file(api: Api, body: dict[str, object], who: str = "clerk") -> dict[str, object]:
    r = api.post("/api/requests", who, json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_file_a_request_answers_201_with_id_and_decision(api: Api) -> None:
    r = api.post("/api/requests", "clerk", json=DETAINER)
    assert r.status_code == 201
    body = r.json()
    assert r.headers["location"] == f"/api/requests/{body['id']}"
    assert body["decision"]["outcome"] == "decline"
    assert body["decision"]["pack"]["id"] == "minneapolis"
    assert {"id", "citation", "reason", "citation_pending"} <= set(body["decision"]["rules"][0])


def test_request_detail_has_request_decision_obligations_and_timeline(api: Api) -> None:
    filed = _file(api, DETAINER)
    r = api.get(f"/api/requests/{filed['id']}", "auditor")
    assert r.status_code == 200
    view = r.json()
    assert view["request"]["requester"]["agency"] == "ICE ERO"
    assert view["decision"] == filed["decision"]
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds[:2] == ["request.filed", "decision.proposed"]
    assert (
        kinds.count("obligation.opened") == len(view["obligations"]) == len(filed["decision"]["obligations"])
    )
    assert [e["seq"] for e in view["timeline"]] == sorted(e["seq"] for e in view["timeline"])


def test_list_filters_and_paging(api: Api) -> None:
    a = _file(api, DETAINER)
    b = _file(api, JUDICIAL)
    everything = api.get("/api/requests", "attorney").json()
    assert everything["total"] == 2 and [i["id"] for i in everything["items"]] == [b["id"], a["id"]]
    outcome = a["decision"]["outcome"]  # type: ignore[index]
    assert [i["id"] for i in api.get(f"/api/requests?outcome={outcome}", "attorney").json()["items"]] == [
        a["id"]
    ]
    assert [i["id"] for i in api.get("/api/requests?agency=ice%20ero", "attorney").json()["items"]] == [
        a["id"]
    ]
    assert [i["id"] for i in api.get("/api/requests?ask=records", "attorney").json()["items"]] == [b["id"]]
    assert [i["id"] for i in api.get("/api/requests?from=2026-02-01", "attorney").json()["items"]] == [
        b["id"]
    ]
    assert [i["id"] for i in api.get("/api/requests?to=2026-01-31", "attorney").json()["items"]] == [a["id"]]
    page = api.get("/api/requests?limit=1&offset=1", "attorney").json()
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [a["id"]]
    r = api.get("/api/requests?ask=fly", "attorney")
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert r.json()["errors"][0]["field"] == "ask"
    assert api.get("/api/requests?limit=0", "attorney").status_code == 422


def test_clerks_see_their_own_department_only(api: Api) -> None:
    filed = _file(api, DETAINER)
    assert api.get("/api/requests", "clerk_fire").json()["total"] == 0
    assert api.get(f"/api/requests/{filed['id']}", "clerk_fire").status_code == 404
    assert api.get(f"/api/requests/{filed['id']}/letter", "clerk_fire").status_code == 404
    assert api.get("/api/obligations", "clerk_fire").json()["total"] == 0
    assert api.get("/api/requests", "clerk").json()["total"] == 1


def test_a_clerk_filing_without_a_department_files_under_their_own(api: Api) -> None:
    body = {k: v for k, v in DETAINER.items() if k != "received_by"}
    filed = _file(api, body, who="clerk_fire")
    assert api.get(f"/api/requests/{filed['id']}", "clerk_fire").json()["department"] == "fire"


def test_invalid_request_is_422_problem_naming_the_field(api: Api) -> None:
    r = api.post("/api/requests", "clerk", json={**DETAINER, "asks": ["hold", "teleport"]})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["status"] == 422 and problem["title"]
    assert problem["errors"][0]["field"].startswith("asks")
    r = api.post("/api/requests", "clerk", json={**DETAINER, "purpsoe": "criminal"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "purpsoe"
    r = api.post("/api/requests", "clerk", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM


def test_body_over_the_limit_is_413(api: Api) -> None:
    big = {**DETAINER, "description": "x" * 1_100_000}
    r = api.post("/api/requests", "clerk", json=big)
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(12):
            yield b"x" * 100_000

    r = api.post("/api/requests", "clerk", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_review_confirm_and_override_need_a_reason(api: Api) -> None:
    filed = _file(api, DETAINER)
    path = f"/api/requests/{filed['id']}/review"
    r = api.post(path, "attorney", json={"action": "override", "outcome": "comply"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = api.post(path, "attorney", json={"action": "override", "reason": "  "})
    assert r.status_code == 422
    r = api.post(path, "attorney", json={"action": "override", "reason": "judicial warrant arrived later"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "outcome"
    r = api.post(path, "attorney", json={"action": "confirm", "reason": "detainer only"})
    assert r.status_code == 201 and r.json()["stage"] == "confirmed"
    r = api.post(
        path, "attorney", json={"action": "override", "outcome": "comply", "reason": "warrant served"}
    )
    assert r.status_code == 201 and r.json()["outcome"] == "comply"
    view = api.get(f"/api/requests/{filed['id']}", "attorney").json()
    assert view["outcome"] == "comply" and view["proposed_outcome"] == "decline"
    assert view["review_state"] == "overridden"
    assert [d["stage"] for d in view["decisions"]] == ["proposed", "confirmed", "overridden"]
    assert view["timeline"][-1]["kind"] == "decision.reviewed"
    assert api.get("/api/requests?outcome=comply", "auditor").json()["total"] == 1
    assert (
        api.post(
            "/api/requests/nope/review", "attorney", json={"action": "confirm", "reason": "x"}
        ).status_code
        == 404
    )


def test_obligations_open_overdue_done(api: Api) -> None:
    filed = _file(api, DETAINER)
    obligations = api.get("/api/obligations", "clerk").json()["items"]
    assert obligations
    dated = [o for o in obligations if o["due"]]
    # Filed in January 2026 for dates long past: every dated obligation is overdue now.
    assert dated and all(o["state"] == "overdue" for o in dated)
    overdue = api.get("/api/obligations?state=overdue", "clerk").json()["items"]
    assert {o["id"] for o in overdue} == {o["id"] for o in dated}
    assert api.get("/api/obligations?state=open", "clerk").json()["total"] == len(obligations)
    target = dated[0]["id"]
    assert api.post(f"/api/obligations/{target}/done", "clerk_fire").status_code == 404
    r = api.post(f"/api/obligations/{target}/done", "clerk", json={"note": "reported on 2026-01-09"})
    assert r.status_code == 200 and r.json()["state"] == "done"
    assert api.post(f"/api/obligations/{target}/done", "clerk").status_code == 409
    done = api.get("/api/obligations?state=done", "auditor").json()["items"]
    assert [o["id"] for o in done] == [target] and done[0]["closed_by"] and done[0]["closed_at"]
    view = api.get(f"/api/requests/{filed['id']}", "clerk").json()
    assert view["timeline"][-1]["kind"] == "obligation.done"
    assert api.get("/api/obligations?state=late", "clerk").status_code == 422


def test_complaints_intake_anonymous_and_disposition(api: Api) -> None:
    r = api.post(
        "/api/complaints",
        "clerk",
        json={"category": "inquiry_status", "anonymous": True, "narrative": "asked"},
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    r = api.post(
        "/api/complaints", "clerk", json={"category": "other", "anonymous": True, "contact": "555-0100"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contact"
    r = api.post("/api/complaints", "clerk", json={"category": "gossip"})
    assert r.status_code == 422
    listed = api.get("/api/complaints", "auditor").json()["items"]
    assert listed[0]["status"] == "received" and "narrative" not in listed[0]
    assert api.get("/api/complaints", "attorney").json()["items"][0]["narrative"] == "asked"
    assert api.get("/api/complaints", "clerk_fire").json()["total"] == 0
    path = f"/api/complaints/{cid}/status"
    assert api.post(path, "attorney", json={"status": "closed"}).status_code == 422
    assert api.post(path, "attorney", json={"status": "investigating"}).status_code == 200
    r = api.post(
        path, "attorney", json={"status": "closed", "disposition": "sustained", "note": "trained staff"}
    )
    assert r.status_code == 200 and r.json()["disposition"] == "sustained"
    assert api.post(path, "attorney", json={"status": "investigating"}).status_code == 409
    assert api.get("/api/complaints?status=closed", "auditor").json()["total"] == 1


def test_letters_in_html_and_pdf_carry_outcome_and_citations_but_no_description(api: Api) -> None:
    marker = "ZQX-DESCRIPTION-MARKER"
    filed = _file(api, {**DETAINER, "description": f"Detainer for {marker}, held since Friday"})
    rule = filed["decision"]["rules"][0]  # type: ignore[index]
    r = api.get(f"/api/requests/{filed['id']}/letter", "clerk")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "declines" in r.text and "ERO-2026-0001" in r.text and "ICE ERO" in r.text
    assert rule["citation"].split("§")[0].strip() in r.text
    assert marker not in r.text
    r = api.get(f"/api/requests/{filed['id']}/letter?format=pdf", "clerk")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "declines" in text and "ERO-2026-0001" in text and marker not in text
    assert api.get(f"/api/requests/{filed['id']}/letter?format=doc", "clerk").status_code == 422


def test_letter_html_escapes_what_the_requester_sent(api: Api) -> None:
    filed = _file(api, {**DETAINER, "requester": {"agency": "<script>alert(1)</script>"}})
    html = api.get(f"/api/requests/{filed['id']}/letter", "clerk").text
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_letter_after_override_states_the_review(api: Api) -> None:
    filed = _file(api, DETAINER)
    api.post(
        f"/api/requests/{filed['id']}/review",
        "attorney",
        json={"action": "override", "outcome": "refer", "reason": "a judicial warrant may follow"},
    )
    html = api.get(f"/api/requests/{filed['id']}/letter", "auditor").text
    assert "City Attorney" in html and "a judicial warrant may follow" in html
    # The attorney's outcome, not the engine's proposal, is what each ask shows.
    text = api.get(f"/api/requests/{filed['id']}/letter", "auditor").text
    assert "hold: referred to the City Attorney" in text.replace("<li>", "").replace("</li>", "")
    assert "hold: declined" not in text


def test_ledger_verify_and_checkpoint_over_http(api: Api) -> None:
    _file(api, DETAINER)
    r = api.get("/api/ledger/verify", "auditor")
    assert r.status_code == 200 and r.json()["ok"] and r.json()["entries"] >= 3
    r = api.get("/api/ledger/checkpoint", "auditor")
    assert r.status_code == 200 and r.json()["algorithm"] == "Ed25519"


def test_admin_creates_lists_and_revokes_tokens(api: Api) -> None:
    r = api.post("/api/tokens", "admin", json={"role": "auditor", "name": "Council auditor"})
    assert r.status_code == 201
    issued = r.json()
    headers = {"Authorization": f"Bearer {issued['token']}"}
    assert api.client.get("/api/ledger/verify", headers=headers).status_code == 200
    users = api.get("/api/users", "admin").json()["items"]
    assert any(u["name"] == "Council auditor" for u in users)
    assert all("token" not in t and "token_sha256" not in t for u in users for t in u["tokens"])
    assert api.post(f"/api/tokens/{issued['token_id']}/revoke", "admin").status_code == 200
    assert api.client.get("/api/ledger/verify", headers=headers).status_code == 401
    r = api.post("/api/tokens", "admin", json={"role": "clerk", "name": "no department"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "department"


def test_health_and_openapi(api: Api) -> None:
    assert api.client.get("/api/health").json()["status"] == "ok"
    spec = api.client.get("/openapi.json").json()
    assert "/api/requests" in spec["paths"] and "/api/ledger/verify" in spec["paths"]
    assert api.client.get("/docs").status_code == 200
    r = api.client.get("/api/nowhere")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM


def test_a_clerk_sees_what_they_filed_for_another_department(api: Api) -> None:
    filed = _file(api, {**DETAINER, "received_by": {"department": "fire"}}, who="clerk")
    assert api.get(f"/api/requests/{filed['id']}", "clerk").status_code == 200
    assert api.get(f"/api/requests/{filed['id']}", "clerk_fire").status_code == 200
    assert [i["id"] for i in api.get("/api/requests", "clerk").json()["items"]] == [filed["id"]]
