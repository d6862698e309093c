"""The firewall's detector as Presidio recognizers, for organisations already on Presidio.

    from presidio_analyzer import AnalyzerEngine
    from separation.firewall.presidio import add_to
    analyzer = add_to(AnalyzerEngine())

Presidio is an optional extra (``pip install 'separation[presidio]'``) and is imported only here,
only when these functions are called. The recognizers need no NLP artefacts: they run the same
compiled automaton as ``separation.firewall.detect``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

__all__ = ["ENTITIES", "add_to", "recognizers"]

# Presidio entity names for our three kinds.
ENTITIES = {
    "status": "IMMIGRATION_STATUS",
    "identifier": "IMMIGRATION_ID",
    "question": "IMMIGRATION_QUESTION",
}


def recognizers(languages: Sequence[str] = ("en", "es")) -> list[Any]:
    """One Presidio ``EntityRecognizer`` per language, wrapping the firewall detector."""
    # Imported by name so that type checking works with or without the optional extra installed.
    presidio = importlib.import_module("presidio_analyzer")
    EntityRecognizer = presidio.EntityRecognizer
    RecognizerResult = presidio.RecognizerResult

    from separation.firewall import detector

    kinds = {v: k for k, v in ENTITIES.items()}

    class FirewallRecognizer(EntityRecognizer):  # type: ignore[misc,valid-type]
        """Immigration status, identifiers and status questions (separation.firewall)."""

        def load(self) -> None:
            detector()  # compile once, up front

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            wanted = {kinds[e] for e in entities if e in kinds} if entities else set(kinds.values())
            results = []
            for f in detector().detect(text, self.supported_language):
                if f.kind in wanted:
                    results.append(
                        RecognizerResult(
                            entity_type=ENTITIES[f.kind],
                            start=f.start,
                            end=f.end,
                            score=f.score,
                            analysis_explanation=None,
                            recognition_metadata={
                                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                                "rule": f.rule,
                            },
                        )
                    )
            return results

    return [
        FirewallRecognizer(
            supported_entities=list(ENTITIES.values()),
            name=f"SeparationFirewall_{lang}",
            supported_language=lang,
        )
        for lang in languages
    ]


def add_to(analyzer: Any, languages: Sequence[str] | None = None) -> Any:
    """Register the recognizers on a Presidio ``AnalyzerEngine`` (for its languages); returns it."""
    langs = languages or [
        lang for lang in getattr(analyzer, "supported_languages", ["en"]) if lang in ("en", "es")
    ]
    for recognizer in recognizers(langs):
        analyzer.registry.add_recognizer(recognizer)
    return analyzer
