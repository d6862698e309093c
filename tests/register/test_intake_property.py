"""Open input: any JSON object built from the Request's own vocabulary (valid or not) is answered 201 or a
422 problem, never a 500, and the ledger stays intact."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from separation.policy.model import Ask, Channel, Department, Document, Item, Purpose, ResourceType, Signer

from ._support import Api

_text = st.text(max_size=30)
_enum = lambda e: st.one_of(st.sampled_from([m.value for m in e]), _text)  # noqa: E731


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "received_at": draw(st.one_of(st.just("2026-01-05T10:00:00-06:00"), st.just("2026-01-05"), _text)),
        "requester": draw(st.fixed_dictionaries({}, optional={"agency": _text, "identified": st.booleans()})),
        "asks": draw(st.lists(_enum(Ask), max_size=4)),
    }
    optional = {
        "channel": _enum(Channel),
        "received_by": st.fixed_dictionaries({}, optional={"department": _enum(Department)}),
        "process": st.fixed_dictionaries(
            {}, optional={"document": _enum(Document), "signed_by": _enum(Signer), "form": _text}
        ),
        "purpose": _enum(Purpose),
        "offenses": st.lists(_text, max_size=3),
        "status_is_element": st.booleans(),
        "items": st.lists(_enum(Item), max_size=3),
        "resource": st.fixed_dictionaries(
            {}, optional={"type": _enum(ResourceType), "city_controlled": st.booleans()}
        ),
        "emergency": st.one_of(st.booleans(), st.none()),
        "description": st.one_of(_text, st.none()),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    return body


def test_intake_never_fails_inside(api_sqlite: Api) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=requests())
    def check(body: dict[str, Any]) -> None:
        r = api_sqlite.post("/api/requests", "clerk", json=body)
        assert r.status_code in (201, 422), r.text
        if r.status_code == 422:
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["errors"]

    check()
    assert api_sqlite.get("/api/ledger/verify", "auditor").json()["ok"]
