"""Open inputs: any posted request form gives a Request or field-named errors, never another exception;
the language is chosen from ?lang= or Accept-Language, whatever the header holds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from separation.policy import Request
from separation.web.pages.forms import CHOICES, FormErrors, request_from_form
from separation.web.pages.i18n import choose_language

NAMES = [
    "agency",
    "asks",
    "document",
    "signed_by",
    "purpose",
    "identified",
    "received_at",
    "channel",
    "department",
    "vendor",
    "caller_ref",
    "form",
    "offenses",
    "status_is_element",
    "items",
    "resource_type",
    "city_controlled",
    "emergency",
    "description",
]
value = st.one_of(
    st.text(max_size=30),
    st.sampled_from([v for values in CHOICES.values() for v in values] + ["yes", "no", "2026-01-05T10:00"]),
)
# Messages may list the allowed values; only what a user typed beyond them must never come back.
ALLOWED = " ".join(v for values in CHOICES.values() for v in values) + " Input should be a valid"
forms = st.dictionaries(st.sampled_from(NAMES), st.lists(value, min_size=1, max_size=3), max_size=len(NAMES))


@given(forms)
def test_any_form_gives_a_request_or_named_errors(form: dict[str, list[str]]) -> None:
    try:
        result = request_from_form(form, "America/Chicago")
    except FormErrors as exc:
        assert exc.errors and all(isinstance(k, str) and k for k in exc.errors)
        for message in exc.errors.values():
            typed_values = (v for values in form.values() for v in values if len(v) > 3)
            # A value that happens to be part of the fixed wording (the example date) is not an echo.
            wording = message.replace("e.g. 2026-01-05T10:00", "")
            for typed in (v for v in typed_values if v not in ALLOWED):
                assert typed not in wording  # errors name the field, never echo the value
    else:
        assert isinstance(result, Request) and result.asks


def test_a_typical_form() -> None:
    request = request_from_form(
        {"agency": ["ICE ERO"], "asks": ["hold"], "document": ["detainer"], "identified": ["yes"]},
        "America/Chicago",
    )
    assert request.requester.agency == "ICE ERO" and request.requester.identified
    assert request.received_at.tzinfo is not None


@given(st.one_of(st.none(), st.text(max_size=10)), st.one_of(st.none(), st.text(max_size=200)))
def test_language_is_always_en_or_es(query: str | None, accept: str | None) -> None:
    assert choose_language(query, accept) in ("en", "es")


def test_language_choice() -> None:
    assert choose_language("es", "en") == "es"
    assert choose_language(None, "es-MX,es;q=0.9,en;q=0.8") == "es"
    assert choose_language(None, "en-US,en;q=0.9,es;q=0.8") == "en"
    assert choose_language(None, "fr, es;q=0.5") == "es"
    assert choose_language("de", None) == "en"
