"""Business days on a jurisdiction's calendar: weekends, public holidays (``holidays``) and city holidays.

Holidays are computed per year on first use and kept in the calendar object, so a compiled pack
answers due dates without recomputing them; the calendar has no other state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays

from separation.errors import PackError

__all__ = ["BusinessCalendar"]


class BusinessCalendar:
    """Counts business days for one jurisdiction."""

    __slots__ = ("_country", "_due", "_extra", "_subdivision", "_years")

    def __init__(self, country: str, subdivision: str | None, extra: Iterable[dt.date]) -> None:
        try:
            holidays.country_holidays(country, subdiv=subdivision, years=2025)
        except NotImplementedError as exc:
            raise PackError(f"unknown holiday calendar {country}/{subdivision}: {exc}") from None
        self._country = country
        self._subdivision = subdivision
        self._extra = frozenset(extra)
        self._years: dict[int, frozenset[dt.date]] = {}
        self._due: dict[tuple[dt.date, int], dt.date] = {}

    def _holidays(self, year: int) -> frozenset[dt.date]:
        known = self._years.get(year)
        if known is None:
            public = holidays.country_holidays(self._country, subdiv=self._subdivision, years=year)
            known = frozenset(public) | frozenset(d for d in self._extra if d.year == year)
            self._years[year] = known
        return known

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self._holidays(day.year)

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` business days after ``start``; 0 means ``start`` or the next business day."""
        key = (start, days)
        known = self._due.get(key)
        if known is None:
            known = self._count(start, days)
            if len(self._due) < 100_000:
                self._due[key] = known
        return known

    def _count(self, start: dt.date, days: int) -> dt.date:
        day = start
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                remaining -= 1
        return day
