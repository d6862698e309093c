"""Field names and cell values (shared with the scanner and the linter)."""

from __future__ import annotations

import pytest

from separation.firewall import classify_column_name, value_kind

NAMES = [
    ("immigration_status", "status"),
    ("CitizenshipStatus", "status"),
    ("country_of_citizenship", "status"),
    ("visa_type", "status"),
    ("citizenship", "status"),
    ("Nationality", "status"),
    ("estatus_migratorio", "status"),
    ("país_de_ciudadanía", "status"),
    ("a_number", "identifier"),
    ("aNumber", "identifier"),
    ("A#", "identifier"),
    ("alien_reg_no", "identifier"),
    ("i94_number", "identifier"),
    ("sevis_id", "identifier"),
    ("numero_a", "identifier"),
    ("numero_de_extranjero", "identifier"),
    ("are_you_a_us_citizen", "question"),
    ("citizen_complaint_id", None),
    ("senior_citizen", None),
    ("case_status", None),
    ("pick_a_number", None),
    ("visa_card_last4", None),
    ("lpr_hit_time", None),
    ("ice_rink", None),
    ("receipt_number", None),
    ("", None),
]


@pytest.mark.parametrize(("name", "kind"), NAMES)
def test_classify_column_name(name: str, kind: str | None) -> None:
    assert classify_column_name(name) == kind


VALUES = [
    ("Permanent Resident", "status"),
    ("U.S. citizen", "status"),
    ("EWI", "status"),
    ("(c)(9)", "status"),
    ("Indocumentado", "status"),
    ("A213456789", "identifier"),
    ("EAC2212345678", "identifier"),
    ("Minneapolis", None),
    ("open", None),
    ("612-555-0187", None),
    ("", None),
]


@pytest.mark.parametrize(("value", "kind"), VALUES)
def test_value_kind(value: str, kind: str | None) -> None:
    assert value_kind(value) == kind


def test_value_kinds_is_value_kind_over_a_batch() -> None:
    from separation.firewall import value_kind, value_kinds

    cells: list[object] = [
        "Permanent resident",
        " EWI ",
        "A213456789",
        "EAC2114550321",
        "He is undocumented",
        "ice rink",
        "",
        None,
        42,
        "x" * 5000,
        "Citizen complaint",
    ]
    assert value_kinds(cells) == [value_kind(c) for c in cells]  # type: ignore[arg-type]
