"""Questions that ask for status: direct questions, form labels, column names, demands for proof."""

from __future__ import annotations

import pytest
from tests.firewall._support import covers

from separation.firewall import detect

POSITIVES = [
    ("Are you a U.S. citizen?", "Are you a U.S. citizen"),
    ("Country of citizenship: ____", "Country of citizenship"),
    ("Immigration status (check one): [ ] Citizen [ ] Other", "Immigration status"),
    ("What is your immigration status?", "What is your immigration status"),
    ("Are you legally authorized to work in the United States?", "authorized to work in the United States"),
    ("Will you now or in the future require sponsorship?", "require sponsorship"),
    ("Date of entry into the U.S.: __/__/____", "Date of entry into the U.S"),
    ("A-Number: ________", "A-Number"),
    ("Has client ever been detained by ICE? Y/N", "detained by ICE"),
    ("The landlord asked all tenants for proof of legal status.", "proof of legal status"),
    ("columns: client_id,alien_reg_no,country_of_citizenship", "alien_reg_no"),
    ("HMIS export: CitizenshipStatus=Qualified", "CitizenshipStatus"),
    ("¿Cuál es su estatus migratorio?", "Cuál es su estatus migratorio"),
    ("¿Es usted ciudadano(a) estadounidense?", "Es usted ciudadano"),
    ("País de ciudadanía: ______", "País de ciudadanía"),
    ("¿Tiene papeles?", "Tiene papeles"),
    ("Le preguntó si tenía papeles.", "preguntó si tenía papeles"),
    # Questions put to someone, found up to their "?" ("clause" rules).
    ("Have you ever been arrested by immigration?", "arrested by immigration"),
    ("Could you confirm whether your work permit is still valid?", "work permit"),
    ("¿Con qué visa entró usted al país?", "visa"),
    ("¿Cuenta con algún tipo de estatus legal en EE. UU.?", "estatus legal"),
    ("Citizen or national?", "Citizen or national"),
    # Demands for a person's papers and forms whose options are statuses.
    ('The manager told him: "Show me your papers."', "Show me your papers"),
    ("Mándame foto de tu mica.", "Mándame foto de tu mica"),
    (
        "Which best describes you? ( ) U.S. citizen ( ) Permanent resident ( ) Other",
        "Which best describes you",
    ),
    ("Type of work authorization  [ ] citizen [ ] green card [ ] EAD", "Type of work authorization"),
    ("<label>Citizenship status</label><input>", "Citizenship status"),
    (
        "Fecha de vencimiento de su estancia autorizada: ____",
        "Fecha de vencimiento de su estancia autorizada",
    ),
]

NEGATIVES = [
    "Case status: closed",
    "Marital status: married",
    "Are you a resident of Minneapolis?",
    "Senior citizen? Y/N",
    "Emergency contact (ICE): ______",
    "Permit number: 2024-0042",
    "Ella tiene papeles del carro en la guantera.",
    # A question about an institution, or one that names no one.
    "Does the city share information with ICE?",
    "¿La ciudad pregunta por el estatus migratorio?",
    "Is it legal to park on the boulevard?",
    "¿Su vehículo estaba estacionado legalmente?",
    '{"fields": ["phone", "ward", "resident_status"], "resident_status": ["Minneapolis", "Other city"]}',
    "Payment: [ ] Visa  [ ] MasterCard  [ ] Cash",
    "Household members: [ ] senior citizen  [ ] veteran  [ ] child under 5",
]


@pytest.mark.parametrize(("text", "phrase"), POSITIVES)
def test_question_found(text: str, phrase: str) -> None:
    assert covers(detect(text), text, phrase, "question"), text


@pytest.mark.parametrize("text", NEGATIVES)
def test_not_a_question(text: str) -> None:
    assert [f for f in detect(text) if f.kind == "question"] == [], text


def test_spanish_statement_is_not_a_question() -> None:
    text = "Ella es indocumentada y tiene miedo."
    found = detect(text)
    assert found and all(f.kind == "status" for f in found)


def test_filled_field_gets_label_and_value() -> None:
    text = "A#: A-201-448-093"
    found = {f.kind for f in detect(text)}
    assert found == {"question", "identifier"}
