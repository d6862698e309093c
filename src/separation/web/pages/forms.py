"""The request form: its choices, and turning a posted form into a ``Request`` (errors name fields only,
never the values typed)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from separation.policy.model import (
    Ask,
    Channel,
    Department,
    Document,
    Item,
    Purpose,
    Request,
    ResourceType,
    Signer,
)

__all__ = ["CHOICES", "COMMON_AGENCIES", "FormErrors", "request_from_form"]

CHOICES: dict[str, list[str]] = {
    "channel": [c.value for c in Channel],
    "department": [d.value for d in Department],
    "asks": [a.value for a in Ask],
    "document": [d.value for d in Document],
    "signed_by": [s.value for s in Signer],
    "purpose": [p.value for p in Purpose],
    "items": [i.value for i in Item],
    "resource_type": [r.value for r in ResourceType],
}
COMMON_AGENCIES = ["ICE ERO", "ICE HSI", "CBP", "USBP", "USCIS", "FBI", "DEA", "ATF", "USMS", "FEMA"]


class FormErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name)
    return values[0].strip() if values else ""


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def request_from_form(form: dict[str, list[str]], timezone: str, now: dt.datetime | None = None) -> Request:
    """Build and validate the Request a clerk described. Empty fields mean "not known"."""
    errors: dict[str, str] = {}
    tz = ZoneInfo(timezone)
    raw_at = _one(form, "received_at")
    received_at = (now or dt.datetime.now(tz)).replace(microsecond=0)
    if raw_at:
        try:
            parsed = dt.datetime.fromisoformat(raw_at)
            received_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
        except ValueError:
            errors["received_at"] = "give a date and time, e.g. 2026-01-05T10:00"
    data: dict[str, Any] = {
        "received_at": received_at.isoformat(),
        "requester": {
            "agency": _one(form, "agency") or None,
            "identified": _one(form, "identified") == "yes",
        },
        "asks": [a for a in form.get("asks", []) if a],
    }
    if not data["asks"]:
        errors["asks"] = "tick at least one thing the agency asked for"
    if _one(form, "caller_ref"):
        data["id"] = _one(form, "caller_ref")
    if _one(form, "channel"):
        data["channel"] = _one(form, "channel")
    received_by: dict[str, Any] = {}
    if _one(form, "department"):
        received_by["department"] = _one(form, "department")
    if _one(form, "vendor") == "yes":
        received_by["vendor"] = True
    if received_by:
        data["received_by"] = received_by
    process = {k: _one(form, k) for k in ("document", "signed_by", "form") if _one(form, k)}
    if process:
        data["process"] = process
    if _one(form, "purpose"):
        data["purpose"] = _one(form, "purpose")
    offenses = [o.strip() for o in _one(form, "offenses").split(";") if o.strip()]
    if offenses:
        data["offenses"] = offenses
    element = _tri(_one(form, "status_is_element"))
    if element is not None:
        data["status_is_element"] = element
    items = [i for i in form.get("items", []) if i]
    if items:
        data["items"] = items
    resource: dict[str, Any] = {}
    if _one(form, "resource_type"):
        resource["type"] = _one(form, "resource_type")
    controlled = _tri(_one(form, "city_controlled"))
    if controlled is not None:
        resource["city_controlled"] = controlled
    if resource:
        data["resource"] = resource
    if _one(form, "emergency") == "yes":
        data["emergency"] = True
    description = form.get("description", [""])[0]
    if description.strip():
        data["description"] = description
    if errors:
        raise FormErrors(errors)
    try:
        return Request.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
            field = loc[-1] if loc else "form"
            field = {"type": "resource_type", "agency": "agency"}.get(field, field)
            errors.setdefault(field, str(e.get("msg", "invalid")))
        raise FormErrors(errors) from None
