"""Plausibility checks for immigration document numbers (run only on candidate matches)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

__all__ = ["VALIDATORS", "valid_a_number", "valid_receipt"]

# USCIS fiscal years start on 1 October: a receipt cannot carry a year past the next one.
_TODAY = _dt.date.today()
_MAX_FY = (_TODAY.year + (1 if _TODAY.month >= 10 else 0) + 1) % 100


_NOT_DIGITS = {c: None for c in range(128) if not chr(c).isdigit()}


def _digits(value: str) -> str:
    digits = value.translate(_NOT_DIGITS)
    return digits if digits.isascii() else "".join(c for c in digits if c.isdigit())


def valid_a_number(value: str) -> bool:
    """7 to 9 digits (left-padded to 9 on forms), not a placeholder run of one digit."""
    digits = _digits(value)
    return 7 <= len(digits) <= 9 and len(set(digits.lstrip("0"))) > 1


def _valid_receipt(value: str, *, any_prefix: bool) -> bool:
    letters = "".join(c for c in value if c.isalpha()).upper()
    digits = _digits(value)
    if len(letters) != 3 or len(digits) != 10 or len(set(digits)) == 1:
        return False
    if not any_prefix and letters not in _KNOWN_PREFIXES:
        return False
    if letters == "IOE" or (any_prefix and letters not in _SERVICE_CENTRES):
        return True  # electronic and other numbers carry no decodable date
    fiscal_year = int(digits[:2])
    workday = int(digits[2:5])
    return (fiscal_year <= _MAX_FY or fiscal_year >= 90) and 1 <= workday <= 366


_SERVICE_CENTRES = frozenset(
    {"EAC", "WAC", "LIN", "SRC", "MSC", "NBC", "YSC", "VSC", "CSC", "NSC", "TSC", "PSC"}
)
# Service centres, the electronic "IOE" and field-office codes seen on notices.
_KNOWN_PREFIXES = _SERVICE_CENTRES | frozenset(
    {"IOE", "NFB", "SSC", "TVC", "ZLA", "ZNY", "ZSA", "ZHN", "ZMI", "ZDA", "ZCH", "ZAR", "ZBO", "ZSF", "ZLO"}
    | {"ZHO", "ZDE", "ZPH", "ZMM"}
)


def valid_receipt(value: str) -> bool:
    """Service-centre receipt or card number: FY plausible, computer workday 001-366."""
    return _valid_receipt(value, any_prefix=False)


def valid_receipt_any(value: str) -> bool:
    """A labelled card or case number: three letters and ten digits, dated when a service centre."""
    return _valid_receipt(value, any_prefix=True)


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "a_number": valid_a_number,
    "receipt": valid_receipt,
    "receipt_any": valid_receipt_any,
}
