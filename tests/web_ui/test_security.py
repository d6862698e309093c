"""Sessions, CSRF, headers, escaping, and a request's description kept from everyone but attorneys."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from separation.register import Database, Settings, revoke_token
from separation.web.pages.session import COOKIE

from .conftest import form_token

SECRET = "Subject lives at 12 Elm St, SECRET-DESCRIPTION-42"
NASTY = '<script>alert("x")</script>'


def _file(client: TestClient, csrf: str, **extra: str) -> str:
    data = {"csrf": csrf, "agency": "ICE ERO", "asks": "hold", "document": "detainer", "identified": "yes"}
    data["action"] = "file"
    data.update(extra)
    response = client.post("/requests/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2].split("?")[0]


def test_security_headers_on_pages(app_client: TestClient) -> None:
    for path in ("/public", "/login", "/public/complaint", "/static/app.css"):
        headers = app_client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(make_client) -> None:
    client, csrf = make_client("attorney")
    rid = _file(client, csrf)
    for path in ("/dashboard", "/requests/new", f"/requests/{rid}", "/public", "/screen", "/obligations"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html, path
        assert " on" + "click=" not in html


def test_session_cookie_is_httponly_and_strict(app_client: TestClient, tokens: dict[str, str]) -> None:
    page = app_client.get("/login")
    response = app_client.post(
        "/login", data={"csrf": form_token(page.text), "token": tokens["clerk"]}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_bad_token_and_stale_form_are_refused(app_client: TestClient, tokens: dict[str, str]) -> None:
    page = app_client.get("/login")
    bad = app_client.post("/login", data={"csrf": form_token(page.text), "token": "sep_nope"})
    assert bad.status_code == 401 and "unknown or revoked" in bad.text
    stale = app_client.post("/login", data={"csrf": "forged.00", "token": tokens["clerk"]})
    assert stale.status_code == 403
    assert COOKIE not in app_client.cookies


def test_posts_without_the_csrf_token_are_refused(make_client) -> None:
    client, _ = make_client("clerk")
    response = client.post("/requests/new", data={"agency": "X", "asks": "hold", "action": "file"})
    assert response.status_code == 403
    assert client.post("/requests/new", data={"csrf": "wrong", "asks": "hold"}).status_code == 403


def test_tampered_cookie_logout_and_revocation_end_the_session(
    settings: Settings, make_client, tokens: dict[str, str]
) -> None:
    client, csrf = make_client("clerk")
    good = client.cookies[COOKIE]
    client.cookies.set(COOKIE, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, good)
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, good)  # the old cookie, replayed after logout
    assert client.get("/dashboard", follow_redirects=False).status_code == 303

    other, _ = make_client("auditor")
    assert other.get("/dashboard").status_code == 200
    db = Database.from_settings(settings)
    try:
        users = {u["name"]: u for u in __import__("separation.register.auth", fromlist=["x"]).list_users(db)}
        revoke_token(db, str(users["Test auditor"]["tokens"][0]["id"]))
    finally:
        db.dispose()
    assert other.get("/dashboard", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_off_site(app_client: TestClient, tokens: dict[str, str]) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        page = app_client.get("/login", params={"next": target})
        response = app_client.post(
            "/login",
            data={"csrf": form_token(page.text), "token": tokens["clerk"], "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/dashboard"


def test_user_text_is_escaped_everywhere(make_client) -> None:
    client, csrf = make_client("attorney")
    rid = _file(client, csrf, agency=NASTY, description=NASTY, caller_ref=NASTY)
    review = client.post(
        f"/requests/{rid}/review",
        data={"csrf": csrf, "action": "override", "outcome": "refer", "reason": NASTY},
        follow_redirects=True,
    )
    assert review.status_code == 200
    for path in ("/dashboard", "/requests", f"/requests/{rid}", f"/requests?agency={NASTY}"):
        html = client.get(path).text
        assert NASTY not in html, path
    assert "&lt;script&gt;" in client.get(f"/requests/{rid}").text
    screened = client.post("/screen", data={"csrf": csrf, "text": f"{NASTY} he is undocumented"})
    assert NASTY not in screened.text and "<mark" in screened.text


def test_description_only_for_attorneys_and_never_logged(
    make_client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clerk, csrf = make_client("clerk")
    rid = _file(clerk, csrf, description=SECRET)
    attorney, _ = make_client("attorney")
    auditor, _ = make_client("auditor")
    assert "SECRET-DESCRIPTION-42" in attorney.get(f"/requests/{rid}").text
    for client in (clerk, auditor):
        for path in (f"/requests/{rid}", "/requests", "/dashboard", f"/requests/{rid}/letter"):
            assert "SECRET-DESCRIPTION-42" not in client.get(path).text, path
    for path in ("/requests", "/dashboard", f"/requests/{rid}/letter"):
        assert "SECRET-DESCRIPTION-42" not in attorney.get(path).text, path
    assert "SECRET-DESCRIPTION-42" not in caplog.text


def test_forms_must_be_url_encoded(make_client) -> None:
    client, _ = make_client("clerk")
    response = client.post("/requests/new", content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 415
