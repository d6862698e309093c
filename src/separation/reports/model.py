"""The report as data: counts per category for a period, built from aggregates only (no record-level
data except the per-investigation accounts the 2025 amendments require, which hold no personal details).

Pure: building the public version (``suppress``) and (de)serialising it do no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "INVESTIGATION_FIELDS",
    "SUPPRESS_BELOW",
    "Breakdown",
    "Investigation",
    "LedgerStamp",
    "Report",
    "Turnaround",
    "suppress",
]

# Counts from 1 to SUPPRESS_BELOW - 1 are withheld from the public version ("fewer than 5").
SUPPRESS_BELOW = 5

# The fields the December 2025 amendments name for each use of city personnel in a criminal investigation
# with an immigration angle, in the order the report prints them.
INVESTIGATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("how_began", "How the situation began"),
    ("why_city", "Why the city took part"),
    ("timeline", "Timeline of the city's involvement"),
    ("arrests", "Arrests made"),
    ("cost", "Cost to the city"),
)


@dataclass(frozen=True)
class Breakdown:
    """One table of the report: a count per category. ``None`` as a count means "fewer than 5" (public)."""

    id: str
    title: str
    rows: tuple[tuple[str, int | None], ...]
    none_statement: str
    total: int | None = None

    def is_empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class Turnaround:
    """How long referrals waited for an attorney: reviewed count, median and 90th percentile in hours."""

    referred: int | None
    reviewed: int | None
    awaiting: int | None
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class Investigation:
    """One use of city personnel in a criminal investigation with an immigration angle."""

    number: int
    received_on: str
    agency: str
    department: str
    outcome: str
    fields: dict[str, str | None]


@dataclass(frozen=True)
class LedgerStamp:
    """The ledger head and its signed checkpoint at the time the report was made."""

    seq: int
    head: str
    at: str
    key_id: str
    public_key: str
    signature: str


@dataclass(frozen=True)
class Report:
    jurisdiction: str
    period_from: dt.date
    period_to: dt.date
    generated_at: str
    public: bool
    requests_total: int | None
    breakdowns: tuple[Breakdown, ...]
    turnaround: Turnaround
    investigations: tuple[Investigation, ...]
    ledger: LedgerStamp
    notes: tuple[str, ...] = field(default_factory=tuple)

    def breakdown(self, id: str) -> Breakdown:
        for b in self.breakdowns:
            if b.id == id:
                return b
        raise KeyError(id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "period": {"from": self.period_from.isoformat(), "to": self.period_to.isoformat()},
            "generated_at": self.generated_at,
            "public": self.public,
            "requests_total": self.requests_total,
            "breakdowns": [
                {
                    "id": b.id,
                    "title": b.title,
                    "rows": [[k, n] for k, n in b.rows],
                    "none_statement": b.none_statement,
                    "total": b.total,
                }
                for b in self.breakdowns
            ],
            "turnaround": self.turnaround.__dict__,
            "investigations": [i.__dict__ for i in self.investigations],
            "ledger": self.ledger.__dict__,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            jurisdiction=data["jurisdiction"],
            period_from=dt.date.fromisoformat(data["period"]["from"]),
            period_to=dt.date.fromisoformat(data["period"]["to"]),
            generated_at=data["generated_at"],
            public=bool(data["public"]),
            requests_total=data["requests_total"],
            breakdowns=tuple(
                Breakdown(
                    id=b["id"],
                    title=b["title"],
                    rows=tuple((str(k), n) for k, n in b["rows"]),
                    none_statement=b["none_statement"],
                    total=b["total"],
                )
                for b in data["breakdowns"]
            ),
            turnaround=Turnaround(**data["turnaround"]),
            investigations=tuple(Investigation(**i) for i in data["investigations"]),
            ledger=LedgerStamp(**data["ledger"]),
            notes=tuple(data.get("notes", ())),
        )


def _hide(n: int | None) -> int | None:
    return None if n is not None and 0 < n < SUPPRESS_BELOW else n


def _suppress_rows(rows: tuple[tuple[str, int | None], ...]) -> tuple[tuple[str, int | None], ...]:
    out = [(k, _hide(n)) for k, n in rows]
    hidden = [i for i, (_, n) in enumerate(out) if n is None]
    if len(hidden) == 1 and len(out) > 1:
        # One withheld cell could be recovered from the total: withhold the next smallest as well.
        shown = sorted((n, i) for i, (_, n) in enumerate(out) if n is not None)
        if shown:
            i = shown[0][1]
            out[i] = (out[i][0], None)
    return tuple(out)


def _screened(fields: dict[str, str | None]) -> dict[str, str | None]:
    # The accounts are written for publication, but a status phrase typed by mistake must not reach it.
    from separation.firewall import redact

    return {k: (redact(v).text if v else v) for k, v in fields.items()}


def suppress(report: Report) -> Report:
    """The public version: small counts withheld, and the turnaround only where enough referrals exist."""
    t = report.turnaround
    few = t.reviewed is None or t.reviewed < SUPPRESS_BELOW
    turnaround = Turnaround(
        referred=_hide(t.referred),
        reviewed=_hide(t.reviewed),
        awaiting=_hide(t.awaiting),
        median_hours=None if few else t.median_hours,
        p90_hours=None if few else t.p90_hours,
    )
    return replace(
        report,
        public=True,
        requests_total=_hide(report.requests_total),
        breakdowns=tuple(
            replace(b, rows=_suppress_rows(b.rows), total=_hide(b.total)) for b in report.breakdowns
        ),
        turnaround=turnaround,
        investigations=tuple(replace(i, fields=_screened(i.fields)) for i in report.investigations),
        notes=(
            *report.notes,
            f"Counts from 1 to {SUPPRESS_BELOW - 1} are shown as \u201cfewer than {SUPPRESS_BELOW}\u201d "
            "so that no person can be singled out.",
        ),
    )
