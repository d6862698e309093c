"""Fixtures: an app on a temporary SQLite register, a user of each role, and signed-in test clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from separation.register import Database, Settings, issue_token
from separation.web import create_app

ROLES = {
    "clerk": {"department": "police"},
    "attorney": {},
    "auditor": {},
    "admin": {},
}


def form_token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> str:
    """Sign in through the login form; returns the session's CSRF token (read from the landing page)."""
    page = client.get("/login")
    response = client.post(
        "/login", data={"csrf": form_token(page.text), "token": token, "next": ""}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    landing = client.get(response.headers["location"])
    return form_token(landing.text)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_url=f"sqlite:///{tmp_path / 'register.db'}", key_path=tmp_path / "keys" / "ledger.pem")


@pytest.fixture
def tokens(settings: Settings) -> dict[str, str]:
    db = Database.from_settings(settings)
    try:
        return {
            role: issue_token(db, role=role, name=f"Test {role}", **extra).token
            for role, extra in ROLES.items()
        }
    finally:
        db.dispose()


@pytest.fixture
def app_client(settings: Settings, tokens: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


@pytest.fixture
def make_client(settings: Settings, tokens: dict[str, str]) -> Iterator[object]:
    """Signed-in clients per role, sharing one app: ``make_client("clerk") -> (client, csrf)``."""
    app = create_app(settings)
    clients: list[TestClient] = []

    def make(role: str) -> tuple[TestClient, str]:
        client = TestClient(app, base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        return client, sign_in(client, tokens[role])

    yield make
    for c in clients:
        c.__exit__(None, None, None)
