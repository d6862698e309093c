"""Every page checks its role like the API: walked from the access table, for every role and none."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from separation.register.enums import Role
from separation.web.pages.base import PAGE_ROLES, PUBLIC_PAGES
from separation.web.pages.routes import router

from .conftest import sign_in

FAKE = "00000000-0000-0000-0000-000000000000"


def _concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", FAKE, path)


def test_every_page_route_is_in_the_access_table() -> None:
    routes = {(m, r.path) for r in router.routes for m in getattr(r, "methods", ()) if m != "HEAD"}
    assert routes == set(PAGE_ROLES) | PUBLIC_PAGES


@pytest.mark.parametrize(("method", "path"), sorted(PAGE_ROLES))
def test_without_a_session_every_page_sends_to_sign_in(
    app_client: TestClient, method: str, path: str
) -> None:
    response = app_client.request(method, _concrete(path), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_gets_403_exactly_where_the_table_says(
    app_client: TestClient, tokens: dict[str, str], role: str
) -> None:
    csrf = sign_in(app_client, tokens[role])
    for (method, path), allowed in sorted(PAGE_ROLES.items()):
        if path == "/logout":
            continue
        url = _concrete(path)
        if path == "/reports/download":
            url += "?from=2026-01-01&to=2026-01-31"
        data = {"csrf": csrf} if method == "POST" else None
        response = app_client.request(method, url, data=data, follow_redirects=False)
        if Role(role) in allowed:
            assert response.status_code not in (401, 403), (method, path, role, response.status_code)
        else:
            assert response.status_code == 403, (method, path, role, response.status_code)
            assert "may not use this page" in response.text


@pytest.mark.parametrize(("method", "path"), sorted(p for p in PUBLIC_PAGES if p[0] == "GET"))
def test_public_pages_need_no_session(app_client: TestClient, method: str, path: str) -> None:
    response = app_client.request(method, path)
    assert response.status_code == 200
