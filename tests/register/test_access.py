"""Every route checks its role: 401 without a valid token, 403 for each role not admitted (table-driven
from the access table itself, so a route added without a row fails here)."""

from __future__ import annotations

import pytest

from separation.register import Role
from separation.web.security import PUBLIC_ROUTES, ROUTE_ROLES

from ._support import DETAINER, Api

ROLE_TOKENS = {Role.clerk: "clerk", Role.attorney: "attorney", Role.auditor: "auditor", Role.admin: "admin"}
BODIES: dict[tuple[str, str], object] = {
    ("POST", "/api/requests"): DETAINER,
    ("POST", "/api/requests/{request_id}/review"): {"action": "confirm", "reason": "checked"},
    ("POST", "/api/complaints"): {"category": "other"},
    ("POST", "/api/complaints/{complaint_id}/status"): {"status": "investigating"},
    ("POST", "/api/screen"): {"text": "nothing here"},
    ("POST", "/api/tokens"): {"role": "auditor", "name": "x"},
}


def _call(api: Api, method: str, path: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    url = path.format(request_id="r", obligation_id="o", complaint_id="c", token_id="t")
    if method == "GET":
        return api.client.get(url, headers=headers)
    return api.client.post(url, headers=headers, json=BODIES.get((method, path), {}))


def test_every_api_route_has_a_row_in_the_access_table(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    routes = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        if path.startswith("/api")
        for method in item
    }
    assert routes == set(ROUTE_ROLES) | PUBLIC_ROUTES


@pytest.mark.parametrize(("method", "path"), sorted(ROUTE_ROLES))
def test_401_without_or_with_a_bad_token(api: Api, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer sep_not-a-real-token"}, {"Authorization": "Basic abc"}):
        r = _call(api, method, path, headers)
        assert r.status_code == 401, (method, path, headers, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), sorted(ROUTE_ROLES))
def test_403_for_each_role_not_admitted_and_not_for_the_others(api: Api, method: str, path: str) -> None:
    allowed = ROUTE_ROLES[(method, path)]
    for role, who in ROLE_TOKENS.items():
        r = _call(api, method, path, api.headers(who))
        if role in allowed:
            assert r.status_code not in (401, 403), (method, path, role, r.text)
        else:
            assert r.status_code == 403, (method, path, role, r.text)
            assert r.headers["content-type"] == "application/problem+json"


def test_health_is_public(api: Api) -> None:
    assert api.client.get("/api/health").status_code == 200


def test_only_attorneys_list_descriptions(api: Api) -> None:
    api.post("/api/requests", "clerk", json={**DETAINER, "description": "seen by counsel only"})
    assert api.get("/api/requests?include_description=true", "auditor").status_code == 403
    items = api.get("/api/requests?include_description=true", "attorney").json()["items"]
    assert items[0]["description"] == "seen by counsel only"
    assert "description" not in api.get("/api/requests", "attorney").json()["items"][0]
