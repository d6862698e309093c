"""Status statements: positives (a person's status) and hard negatives (look-alikes, topics)."""

from __future__ import annotations

import pytest
from tests.firewall._support import covers, kinds

from separation.firewall import detect

POSITIVES = [
    # (text, phrase that must be found as status)
    ("The caller said her husband is undocumented.", "undocumented"),
    ("He overstayed his tourist visa in 2019.", "overstayed his tourist visa"),
    ("Client entered without inspection near El Paso.", "entered without inspection"),
    ("She is a DACA recipient and works downtown.", "DACA recipient"),
    ("My neighbor is a green card holder.", "green card holder"),
    ("The victim is a lawful permanent resident.", "lawful permanent resident"),
    ("Arrestee is a Mexican national.", "Mexican national"),
    ("The suspect has an ICE detainer.", "ICE detainer"),
    ("He was deported in 2019 and came back.", "deported"),
    ("Her brother is in removal proceedings.", "removal proceedings"),
    ("The client is an asylum seeker from Honduras.", "asylum seeker"),
    ("She told me she is not a U.S. citizen.", "not a U.S. citizen"),
    ("He became a naturalized citizen last year.", "naturalized citizen"),
    ("The family has TPS from El Salvador.", "TPS"),
    ("He is on an H-1B visa.", "H-1B visa"),
    ("The passenger was detained by ICE agents.", "detained by ICE"),
    ("La víctima dijo que su esposo no tiene papeles.", "no tiene papeles"),
    ("El detenido es indocumentado.", "indocumentado"),
    ("Ella es residente permanente desde 2010.", "residente permanente"),
    ("Se le venció la visa hace dos años.", "Se le venció la visa"),
    ("Fue deportado en 2015.", "deportado"),
    ("El señor es ciudadano mexicano.", "ciudadano mexicano"),
    ("Está en proceso de deportación.", "proceso de deportación"),
    ("Es solicitante de asilo.", "solicitante de asilo"),
    ("ICE picked him up last week.", "ICE picked him"),
    ("Lo detuvo ICE en la calle Lake.", "Lo detuvo ICE"),
    ("They called him an illegal.", "called him an illegal"),
    ("Deportaron a su esposo en 2020.", "Deportaron a su esposo"),
    ("He has asylum and works downtown.", "has asylum"),
    # A person's documents, their expiry, residency obtained, quoted labels.
    ("He cannot start until his EAD arrives.", "his EAD"),
    ("The renewal is late because my work permit expired in May.", "work permit expired"),
    ("She got her residency last year.", "got her residency"),
    ('The neighbor keeps saying "she is illegal" to other tenants.', "is illegal"),
    ("Se le venció el permiso de trabajo en marzo.", "venció el permiso de trabajo"),
    ("A su papá se lo llevó inmigración.", "se lo llevó inmigración"),
    ("Su esposo está esperando su audiencia de asilo.", "audiencia de asilo"),
    ("Tiene audiencia en la corte de inmigración.", "audiencia en la corte de inmigración"),
]

HARD_NEGATIVES = [
    "Parking there is illegal; no human is illegal.",
    "Please do not mow the naturalized areas until after the first frost.",
    "She lost her Visa debit card at the gas station.",
    "El piso del baño estaba mojado y la señora se resbaló.",
    "Put ice on the sidewalk before the storm; black ice on Lake Street.",
    "Officer documented the injuries at the scene; police notice served on the office.",
    "EB I-94 at Riverside was closed after a crash near mile 235.",
    "LPR hit on plate ABC123; the LPR camera flagged the vehicle.",
    "He is on criminal parole and reports to his parole agent weekly.",
    "A citizen complaint was filed with the Office of Police Conduct Review.",
    "She is a permanent resident of the building at 2400 Pillsbury.",
    "Paid with a Visa card ending in 4411.",
    "The National Guard assisted with snow removal on Hennepin.",
    "Case status: closed. Marital status: single.",
    "Illegal parking and illegal dumping reported behind the garage.",
    "Emergency contact (ICE): Mom, 612-555-0101.",
    "The council discussed the city's immigration policy at the forum.",
    "Peak load was 140 TPS during the snow emergency.",
    "Discussion of naturalized plant species in city rain gardens.",
    "Se reportó hielo en la banqueta; tarjeta Visa terminada en 1234.",
    "Es residente del edificio desde hace años. Participación ciudadana en el foro.",
    "Estacionamiento ilegal frente a la escuela. Viajó al extranjero en mayo.",
    "Refugees from the cold filled the library on Sunday.",
    "Ice rink at Powderhorn Park is open; the ice storm knocked out power.",
    "Paid with a Visa at the kiosk. Pagó con Visa en el parque.",
    "She overstayed her welcome at the meeting.",
    "Bars city employees from asking about immigration status.",
    "El conductor no tiene papeles del carro.",
]


@pytest.mark.parametrize(("text", "phrase"), POSITIVES)
def test_status_positive(text: str, phrase: str) -> None:
    assert covers(detect(text), text, phrase, "status"), text


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_status_hard_negative(text: str) -> None:
    assert detect(text) == [], text


def test_an_instruction_asking_for_proof_states_no_ones_status() -> None:
    # It asks for a document that proves status (a question, by the corpus guideline), of no one.
    assert "status" not in kinds("If not a U.S. citizen, attach a copy of your card.")


def test_case_is_a_signal() -> None:
    assert detect("ice on the steps") == []
    assert covers(detect("He has an ICE hold."), "He has an ICE hold.", "ICE hold", "status")


def test_person_statement_scores_higher_than_topic() -> None:
    person = detect("Her son is a refugee from Somalia.")
    topic = detect("The forum on refugee policy and the ordinance drew a crowd.")
    assert person and person[0].kind == "status"
    assert all(f.score < person[0].score for f in topic)


def test_every_finding_names_its_rule() -> None:
    for text, _ in POSITIVES:
        for f in detect(text):
            assert f.rule.count(".") >= 2 and f.rule.split(".")[0] in ("en", "es")
