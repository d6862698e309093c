"""Closed sets of the register: statuses and kinds are enums, never free text."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ComplaintCategory",
    "ComplaintStatus",
    "Disposition",
    "EventKind",
    "ObligationState",
    "ReviewAction",
    "ReviewState",
    "Role",
]


class Role(StrEnum):
    clerk = "clerk"
    attorney = "attorney"
    auditor = "auditor"
    admin = "admin"


class EventKind(StrEnum):
    request_filed = "request.filed"
    decision_proposed = "decision.proposed"
    decision_reviewed = "decision.reviewed"
    obligation_opened = "obligation.opened"
    obligation_done = "obligation.done"
    complaint_filed = "complaint.filed"
    complaint_updated = "complaint.updated"
    user_created = "user.created"
    token_created = "token.created"  # noqa: S105
    token_revoked = "token.revoked"  # noqa: S105
    # Records kept in their own tables (the reports'); the event commits to each row's SHA-256.
    investigation_recorded = "investigation.recorded"
    report_published = "report.published"


class ReviewState(StrEnum):
    """Where a request's decision stands: the engine's proposal, or the attorney's final word."""

    proposed = "proposed"
    confirmed = "confirmed"
    overridden = "overridden"


class ReviewAction(StrEnum):
    confirm = "confirm"
    override = "override"


class ObligationState(StrEnum):
    """``overdue`` is never stored: it is an open obligation whose due date has passed."""

    open = "open"
    done = "done"
    overdue = "overdue"


class ComplaintStatus(StrEnum):
    received = "received"
    investigating = "investigating"
    closed = "closed"


class Disposition(StrEnum):
    sustained = "sustained"
    not_sustained = "not_sustained"
    unfounded = "unfounded"
    exonerated = "exonerated"
    withdrawn = "withdrawn"
    referred = "referred"


class ComplaintCategory(StrEnum):
    """What the complaint says the city did against the ordinance."""

    inquiry_status = "inquiry_status"
    information_shared = "information_shared"
    detention = "detention"
    resource_use = "resource_use"
    data_access = "data_access"
    vendor = "vendor"
    retaliation = "retaliation"
    other = "other"
