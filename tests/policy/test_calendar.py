from __future__ import annotations

import datetime as dt

import pytest

from separation.errors import PackError
from separation.policy.calendar import BusinessCalendar

CAL = BusinessCalendar("US", "MN", [dt.date(2026, 11, 27)])


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (dt.date(2026, 1, 6), 5, dt.date(2026, 1, 13)),  # Tuesday to Tuesday
        (dt.date(2026, 1, 14), 5, dt.date(2026, 1, 22)),  # over Martin Luther King Jr. Day
        (dt.date(2026, 1, 10), 0, dt.date(2026, 1, 12)),  # Saturday: next business day
        (dt.date(2026, 1, 10), 5, dt.date(2026, 1, 20)),
        (dt.date(2026, 11, 25), 5, dt.date(2026, 12, 4)),  # Thanksgiving and the city's day after
        (dt.date(2025, 12, 24), 1, dt.date(2025, 12, 26)),  # Christmas
        (dt.date(2026, 7, 2), 1, dt.date(2026, 7, 6)),  # July 4th observed on Friday the 3rd
    ],
)
def test_business_days(start: dt.date, days: int, due: dt.date) -> None:
    assert CAL.add_business_days(start, days) == due


def test_unknown_calendar_is_a_pack_error() -> None:
    with pytest.raises(PackError, match="unknown holiday calendar"):
        BusinessCalendar("XX", None, [])
