"""The audit summary: counts by category, rule, agency and month. No identifier ever enters it.

It is filled from small grouped counts (one per batch), never from rows, and carries only rule
ids, categories, organisation names, months and numbers: no plate, user, case number or reason
text can reach it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from separation.access.rules import CATEGORIES, RuleSet

__all__ = ["NOT_IN_LOG", "REDACTED", "SourceSummary", "Summary"]

NOT_IN_LOG = "(not in log)"
REDACTED = "(redacted)"
UNKNOWN_MONTH = "unknown"
_MAX_AGENCIES = 200


@dataclass
class SourceSummary:
    """One file: its profile, how many rows it had, and where its malformed rows are."""

    file: str
    profile: str
    format: str
    fields: tuple[str, ...]
    rows: int = 0
    rows_read: int = 0
    malformed_count: int = 0
    malformed: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "profile": self.profile,
            "format": self.format,
            "fields": list(self.fields),
            "rows": self.rows,
            "rows_read": self.rows_read,
            "rows_malformed": self.malformed_count,
            "malformed": self.malformed,
            "malformed_truncated": self.malformed_count > len(self.malformed),
        }


@dataclass
class _Agency:
    rows: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    federal: int = 0
    who: Counter[str] = field(default_factory=Counter)


@dataclass
class Summary:
    """Accumulates grouped counts; ``as_json`` is the machine output of ``access audit --json``."""

    rules: RuleSet
    sources: list[SourceSummary] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    categories: Counter[str] = field(default_factory=Counter)
    who: Counter[str] = field(default_factory=Counter)
    why: Counter[str] = field(default_factory=Counter)
    how: Counter[str] = field(default_factory=Counter)
    flagged: int = 0
    federal: int = 0
    multi_network: int = 0
    max_networks: int | None = None
    long_lookback: int = 0
    max_lookback: int | None = None
    agencies: dict[str, _Agency] = field(default_factory=dict)
    months: dict[str, Counter[str]] = field(default_factory=dict)

    def add_rules(
        self,
        *,
        who: str | None,
        why: str,
        how: str | None,
        count: int,
        flagged: int,
        multi_network: int,
        max_networks: int | None,
        long_lookback: int = 0,
        max_lookback: int | None = None,
    ) -> None:
        """Counts of one (who, why, how) combination: categories, rules, flags, networks, lookback."""
        self.categories[self.rules.category_of(why)] += count
        self.why[why] += count
        if who is not None:
            self.who[who] += count
            if who in self.rules.federal_who_ids:
                self.federal += count
        if how is not None:
            self.how[how] += count
        self.flagged += flagged
        self.multi_network += multi_network
        if max_networks is not None:
            self.max_networks = max(self.max_networks or 0, max_networks)
        self.long_lookback += long_lookback
        if max_lookback is not None:
            self.max_lookback = max(self.max_lookback or 0, max_lookback)

    def add_agency(self, *, org: str | None, who: str | None, why: str, count: int) -> None:
        """Counts of one organisation by category and who rule."""
        category = self.rules.category_of(why)
        name = org or NOT_IN_LOG
        if set(name) <= {"*"}:
            name = REDACTED
        agency = self.agencies.setdefault(name, _Agency())
        agency.rows += count
        agency.categories[category] += count
        if who is not None:
            agency.who[who] += count
            if who in self.rules.federal_who_ids:
                agency.federal += count

    def add_month(self, *, month: str | None, why: str, count: int) -> None:
        """Counts of one month by category."""
        month_counts = self.months.setdefault(month or UNKNOWN_MONTH, Counter())
        month_counts[self.rules.category_of(why)] += count
        month_counts["rows"] += count

    @property
    def rows(self) -> int:
        return sum(self.categories.values())

    @property
    def immigration(self) -> int:
        return self.categories["immigration_enforcement"]

    @property
    def who_flagged(self) -> int:
        return sum(self.who.values())

    @property
    def found(self) -> bool:
        """True when the check found immigration enforcement: by reason, or by who searched."""
        return self.immigration > 0 or self.who_flagged > 0

    def headline(self) -> str:
        """One plain sentence a data steward can read out."""
        rows = _count(self.rows, "search", "searches")
        if not self.found:
            return (
                f"No immigration-enforcement searches found in {rows}: no reason names immigration "
                "enforcement and no searching organisation is a federal immigration agency "
                "or a listed partner."
            )
        parts = [
            _count(self.immigration, "immigration-enforcement search", "immigration-enforcement searches")
        ]
        parts[0] += " by stated reason"
        if self.federal:
            parts.append(f"{self.federal:,} by federal immigration agencies")
        other_who = self.who_flagged - self.federal
        if other_who:
            parts.append(f"{other_who:,} by local agencies for them or under agreement with them")
        return f"Found in {rows}: " + "; ".join(parts) + "."

    def agency_rows(self) -> list[dict[str, Any]]:
        ordered = sorted(
            self.agencies.items(),
            key=lambda kv: (-kv[1].federal, -kv[1].categories["immigration_enforcement"], -kv[1].rows, kv[0]),
        )
        out = []
        for name, agency in ordered[:_MAX_AGENCIES]:
            out.append(
                {
                    "agency": name,
                    "rows": agency.rows,
                    "federal_immigration_agency": agency.federal > 0,
                    "federal_immigration_searches": agency.federal,
                    "who": dict(sorted(agency.who.items())),
                    **{c: agency.categories[c] for c in CATEGORIES},
                }
            )
        return out

    def month_rows(self) -> list[dict[str, Any]]:
        return [
            {"month": month, "rows": counts["rows"], **{c: counts[c] for c in CATEGORIES}}
            for month, counts in sorted(self.months.items())
        ]

    def as_json(self) -> dict[str, Any]:
        malformed = sum(s.malformed_count for s in self.sources)
        return {
            "rules_version": self.rules.version,
            "found": self.found,
            "headline": self.headline(),
            "files": [s.as_json() for s in self.sources],
            "skipped": self.skipped,
            "rows": self.rows,
            "rows_malformed": malformed,
            "flagged": self.flagged,
            "categories": {c: self.categories[c] for c in CATEGORIES},
            "federal_immigration_agency": self.federal,
            "rules": {
                "who": dict(sorted(self.who.items())),
                "why": dict(sorted(self.why.items())),
                "how": dict(sorted(self.how.items())),
            },
            "networks": {"multi_network": self.multi_network, "max": self.max_networks},
            # Searches reaching back further than the vendor keeps data (30 days): the Okaloosa
            # analysts' retention check.
            "lookback_days": {"over_30": self.long_lookback, "max": self.max_lookback},
            "by_agency": self.agency_rows(),
            "by_agency_truncated": len(self.agencies) > _MAX_AGENCIES,
            "by_month": self.month_rows(),
        }


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"
