"""Shared helpers of the register tests: an API client with one token per role, and sample requests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


class Api:
    """A test client plus one token per role (clerks in two departments)."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, path: str, who: str, **kw: Any) -> Any:
        headers = {**self.headers(who), **kw.pop("headers", {})}
        return self.client.post(path, headers=headers, **kw)

    def get(self, path: str, who: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers(who), **kw)


DETAINER = {
    "id": "ERO-2026-0001",
    "received_at": "2026-01-05T10:00:00-06:00",
    "channel": "fax",
    "received_by": {"department": "police"},
    "requester": {"agency": "ICE ERO"},
    "asks": ["hold", "notify_release"],
    "process": {"document": "detainer", "signed_by": "immigration_officer", "form": "I-247A"},
    "purpose": "civil_immigration",
}
JUDICIAL = {
    "received_at": "2026-02-10T09:30:00-06:00",
    "received_by": {"department": "police"},
    "requester": {"agency": "FBI"},
    "asks": ["records"],
    "process": {"document": "judicial_warrant", "signed_by": "judge"},
    "purpose": "criminal",
    "offenses": ["18 U.S.C. 111"],
}
