"""Immigration document numbers: formats, labels, plausibility, look-alikes."""

from __future__ import annotations

import pytest

from separation.firewall import detect
from separation.firewall.validators import valid_a_number, valid_receipt, valid_receipt_any

POSITIVES = [
    ("A-Number: A213456789", "A213456789"),
    ("His A# is 204-318-776.", "204-318-776"),
    ("Alien No. 087443219 on the notice", "087443219"),
    ("Client file A 123 456 789 attached", "A 123 456 789"),
    ("Receipt EAC2212345678 arrived", "EAC2212345678"),
    ("Card number WAC-17-090-12345 on the back", "WAC-17-090-12345"),
    ("Filed online, receipt IOE0912345678.", "IOE0912345678"),
    ("I-94 number: 94781236501", "94781236501"),
    ("Admission record 351927604A3 printed", "351927604A3"),
    ("SEVIS ID: N0027813562", "N0027813562"),
    ("Visa foil number: Z8841203", "Z8841203"),
    ("Naturalization certificate number: 31459826", "31459826"),
    ("Su número A es A-209 514 380.", "A-209 514 380"),
    ("Número de registro de extranjero: 087-443-219", "087-443-219"),
    ("Número de I-94: 90541237702", "90541237702"),
]

NEGATIVES = [
    "Case number 24-099820 and CCN 24-09981 were updated.",
    "Call 612-555-0187 or text 6125550187.",
    "SSN 123-45-6789 was not collected.",
    "Tracking 94781236501 from the parcel service.",  # 11 digits without an I-94 label
    "Permit 123456789 issued for the sidewalk.",
    "VIN 1HGCM82633A004352 and plate ABC-1234.",
    "Receipt number 44521 for the parking payment.",
    "EAC9912345678 is not a real workday",  # workday 123 ok but FY 99 allowed... see below
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_identifier_found(text: str, value: str) -> None:
    found = [f for f in detect(text) if f.kind == "identifier"]
    assert found, text
    start = text.index(value)
    assert any(f.start <= start and f.end >= start + len(value) - 1 for f in found), text


@pytest.mark.parametrize("text", NEGATIVES[:-1])
def test_look_alikes_are_not_identifiers(text: str) -> None:
    assert [f for f in detect(text) if f.kind == "identifier"] == [], text


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("A123456789", True),
        ("A1234567", True),
        ("A000000000", False),
        ("12345", False),
        ("A1234567890", False),
    ],
)
def test_a_number_validator(value: str, ok: bool) -> None:
    assert valid_a_number(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("EAC2212345678", True),
        ("EAC2200012345", False),  # workday 000
        ("EAC2240012345", False),  # workday 400
        ("EAC5012312345", False),  # fiscal year 2050
        ("EAC9512312345", True),  # fiscal year 1995
        ("IOE0000000001", True),  # electronic numbers carry no date
        ("XYZ2212345678", False),
    ],
)
def test_receipt_validator(value: str, ok: bool) -> None:
    assert valid_receipt(value) is ok


def test_labelled_card_number_accepts_other_prefixes() -> None:
    assert valid_receipt_any("ABC1234567890")
    assert detect("Green card number: ABC1234567890")


def test_implausible_receipt_is_not_flagged() -> None:
    assert [f for f in detect("EAC2240012345") if f.kind == "identifier"] == []
