"""Bodies the API accepts (besides the Request of CONTRACTS.md). Unknown fields are refused."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from separation.policy.model import Department, Outcome
from separation.register.enums import ComplaintCategory, ComplaintStatus, Disposition, ReviewAction, Role

__all__ = ["ComplaintIn", "ComplaintStatusIn", "DoneIn", "ReviewIn", "ScreenIn", "TokenIn"]

_IN = ConfigDict(extra="forbid", frozen=True)


class ReviewIn(BaseModel):
    """An attorney's review: ``confirm`` the proposed outcome, or ``override`` it with ``outcome``."""

    model_config = _IN
    action: ReviewAction
    reason: str = Field(min_length=1, max_length=4000)
    outcome: Outcome | None = None


class DoneIn(BaseModel):
    model_config = _IN
    note: str | None = Field(default=None, max_length=4000)


class ComplaintIn(BaseModel):
    """A complaint of a violation of the ordinance. Anonymous complaints carry no contact."""

    model_config = _IN
    category: ComplaintCategory
    received_at: AwareDatetime | None = None
    department: Department | None = None
    anonymous: bool = False
    narrative: str | None = Field(default=None, max_length=20_000)
    contact: str | None = Field(default=None, max_length=1_000)


class ComplaintStatusIn(BaseModel):
    model_config = _IN
    status: ComplaintStatus
    disposition: Disposition | None = None
    note: str | None = Field(default=None, max_length=4000)


class ScreenIn(BaseModel):
    """Either ``text`` or ``record`` (a flat JSON object of fields); nothing sent here is stored."""

    model_config = _IN
    text: str | None = Field(default=None, max_length=200_000)
    record: dict[str, Any] | None = None
    lang: str | None = Field(default=None, max_length=10)

    @model_validator(mode="after")
    def _one_of(self) -> ScreenIn:
        if (self.text is None) == (self.record is None):
            raise ValueError("give exactly one of 'text' or 'record'")
        return self


class TokenIn(BaseModel):
    model_config = _IN
    role: Role
    name: str = Field(min_length=1, max_length=200)
    department: Department | None = None
