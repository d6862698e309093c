"""Request and Decision: the public shapes of CONTRACTS.md sections 1 and 2.

Field names here are a public contract: they may be added to, never renamed or removed. The JSON
Schema files under ``schemas/`` are generated from these classes (``separation schemas --write``)
and a test fails when they drift.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "Ask",
    "AskDecision",
    "Channel",
    "Decision",
    "Department",
    "Document",
    "Item",
    "Obligation",
    "ObligationKind",
    "Outcome",
    "PackRef",
    "Process",
    "Purpose",
    "ReceivedBy",
    "Request",
    "Requester",
    "Resource",
    "ResourceType",
    "RuleRef",
    "Signer",
    "TraceEntry",
]


class Channel(StrEnum):
    in_person = "in_person"
    phone = "phone"
    email = "email"
    fax = "fax"
    mail = "mail"
    radio = "radio"
    portal = "portal"
    vendor_forwarded = "vendor_forwarded"
    ncic = "ncic"


class Department(StrEnum):
    police = "police"
    fire = "fire"
    city_attorney_criminal = "city_attorney_criminal"
    city_attorney_civil = "city_attorney_civil"
    public_works = "public_works"
    regulatory_services = "regulatory_services"
    utility_billing = "utility_billing"
    d311 = "311"
    it = "it"
    hr = "hr"
    other = "other"


class Ask(StrEnum):
    hold = "hold"
    notify_release = "notify_release"
    transfer = "transfer"
    arrest = "arrest"
    information = "information"
    status_information = "status_information"
    data_access = "data_access"
    property_use = "property_use"
    facility_access = "facility_access"
    perimeter = "perimeter"
    personnel = "personnel"
    agreement = "agreement"
    records = "records"
    certification = "certification"
    other = "other"


class Document(StrEnum):
    none = "none"
    detainer = "detainer"
    administrative_warrant = "administrative_warrant"
    judicial_warrant = "judicial_warrant"
    search_warrant = "search_warrant"
    court_order = "court_order"
    grand_jury_subpoena = "grand_jury_subpoena"
    court_subpoena = "court_subpoena"
    administrative_subpoena = "administrative_subpoena"
    immigration_judge_order = "immigration_judge_order"
    ncic_immigration_hit = "ncic_immigration_hit"
    public_data_request = "public_data_request"
    letter = "letter"


class Signer(StrEnum):
    judge = "judge"
    magistrate_judge = "magistrate_judge"
    immigration_judge = "immigration_judge"
    immigration_officer = "immigration_officer"
    court_clerk = "court_clerk"
    prosecutor = "prosecutor"
    none = "none"
    unknown = "unknown"


class Purpose(StrEnum):
    civil_immigration = "civil_immigration"
    criminal = "criminal"
    mixed = "mixed"
    non_enforcement = "non_enforcement"
    unknown = "unknown"


class Item(StrEnum):
    release_date = "release_date"
    custody_status = "custody_status"
    address = "address"
    phone = "phone"
    employer = "employer"
    photo = "photo"
    criminal_history = "criminal_history"
    immigration_status = "immigration_status"
    citizenship = "citizenship"
    alpr = "alpr"
    camera_footage = "camera_footage"
    utility_records = "utility_records"
    personnel_file = "personnel_file"
    case_records = "case_records"
    other = "other"


class ResourceType(StrEnum):
    parking_ramp = "parking_ramp"
    parking_lot = "parking_lot"
    garage = "garage"
    vacant_lot = "vacant_lot"
    building = "building"
    non_public_space = "non_public_space"
    public_space = "public_space"
    vehicle = "vehicle"
    equipment = "equipment"
    data_system = "data_system"
    funds = "funds"
    staff = "staff"


class Outcome(StrEnum):
    comply = "comply"
    decline = "decline"
    refer = "refer"
    partial = "partial"


class ObligationKind(StrEnum):
    document = "document"
    report_council = "report_council"
    notify_council = "notify_council"
    notify_department_head = "notify_department_head"
    counsel_review = "counsel_review"
    chain_of_command_approval = "chain_of_command_approval"
    log = "log"


# Inputs forbid unknown fields: a misspelt fact ("purpsoe") must not silently become "not known".
_INPUT = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
_OUTPUT = ConfigDict(extra="forbid", frozen=True)


class ReceivedBy(BaseModel):
    model_config = _INPUT
    department: Department | None = None
    vendor: bool | None = None


class Requester(BaseModel):
    model_config = _INPUT
    agency: str | None = Field(default=None, max_length=200)
    identified: bool = True


class Process(BaseModel):
    model_config = _INPUT
    document: Document | None = None
    signed_by: Signer | None = None
    form: str | None = Field(default=None, max_length=200)


class Resource(BaseModel):
    model_config = _INPUT
    type: ResourceType | None = None
    city_controlled: bool | None = None


class Request(BaseModel):
    """What arrives from an outside agency. Absent optional fields mean "not known"."""

    model_config = _INPUT
    id: str | None = Field(default=None, max_length=200)
    received_at: AwareDatetime
    channel: Channel | None = None
    received_by: ReceivedBy | None = None
    requester: Requester
    asks: list[Ask] = Field(min_length=1, max_length=len(Ask))
    process: Process | None = None
    purpose: Purpose | None = None
    offenses: list[str] | None = Field(default=None, max_length=50)
    status_is_element: bool | None = None
    items: list[Item] | None = Field(default=None, max_length=len(Item))
    resource: Resource | None = None
    emergency: bool | None = None
    description: str | None = Field(default=None, max_length=100_000)


class AskDecision(BaseModel):
    model_config = _OUTPUT
    ask: Ask
    outcome: Outcome
    rules: list[str]


class RuleRef(BaseModel):
    model_config = _OUTPUT
    id: str
    citation: str
    reason: str
    citation_pending: bool
    url: str | None = None


class Obligation(BaseModel):
    model_config = _OUTPUT
    kind: ObligationKind
    due: dt.date | None
    rule: str
    citation: str


class PackRef(BaseModel):
    model_config = _OUTPUT
    id: str
    version: str
    effective_from: dt.date


class TraceEntry(BaseModel):
    """One rule considered for one ask: whether it matched, and why (``--explain``)."""

    model_config = _OUTPUT
    ask: Ask | None
    rule: str
    matched: bool
    effect: str
    why: list[str]


class Decision(BaseModel):
    """The engine's answer. ``outcome`` aggregates the per-ask outcomes as CONTRACTS.md defines."""

    model_config = _OUTPUT
    request_id: str | None = None
    outcome: Outcome
    asks: list[AskDecision]
    rules: list[RuleRef]
    obligations: list[Obligation]
    flags: list[str]
    pack: PackRef
    trace: list[TraceEntry] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON object of CONTRACTS.md; the trace only when it was asked for."""
        return self.model_dump(
            mode="json", exclude_none=False, exclude={"trace"} if self.trace is None else None
        )
