"""The learned pass: a CRF trained on the development corpora, added to the rules' findings."""

from __future__ import annotations

import hashlib
import itertools
import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from separation.firewall import Detector, detect, detector
from separation.firewall.fold import fold_text
from separation.firewall.learned import (
    _LONGEST,
    _WINDOW,
    LearnedSpan,
    Tagger,
    cue_words,
    features,
    learned_findings,
    spans_of,
    tokens,
)

from ._support import covers

KNOWLEDGE = resources.files("separation.firewall").joinpath("knowledge")
CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "firewall"


@pytest.fixture(scope="module")
def rules_only() -> Detector:
    return Detector(learned=False)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger()


def test_the_model_was_trained_on_the_current_development_corpora() -> None:
    """Change a development corpus and this fails until ``python corpus/firewall/train_tagger.py`` runs."""
    manifest = json.loads(KNOWLEDGE.joinpath("tagger.json").read_text(encoding="utf-8"))
    for name, digest in manifest["corpora"].items():
        assert not name.startswith("holdout"), "the model must never see a holdout"
        assert hashlib.sha256((CORPUS / f"{name}.jsonl").read_bytes()).hexdigest() == digest, name


def test_the_learned_pass_adds_what_no_rule_words(rules_only: Detector) -> None:
    text = 'Voicemail from client: "The judge gave me withholding, not asylum." Call back Monday.'
    assert not covers(rules_only.detect(text), text, "withholding", "status")
    found = detect(text)
    assert covers(found, text, "withholding", "status")
    learned = [f for f in found if f.rule == "en.status.learned"]
    assert learned and all(0 < f.score <= 0.99 and f.language == "en" for f in learned)


def test_learned_findings_never_overlap_rule_findings() -> None:
    texts = [json.loads(line)["text"] for line in _corpus("dev10").splitlines()]
    for found in detector().detect_many(texts):
        ordered = sorted(found, key=lambda f: f.start)
        assert all(a.end <= b.start for a, b in itertools.pairwise(ordered))


def test_plain_text_is_not_tagged(tagger: Tagger) -> None:
    buf = fold_text("The water main on 4th Street broke at noon; crews expect repairs by six.")
    assert tagger.cues(buf) == []
    assert learned_findings(tagger, buf, 0, len(buf), [], None) == []


def test_windows_stay_bounded_on_a_text_full_of_cues(tagger: Tagger) -> None:
    buf = fold_text("undocumented visa deported asylum " * 5000)
    points = tagger.cues(buf)
    assert len(points) > 1000
    windows = tagger.windows(buf, 0, len(buf), points)
    assert all(end - start <= _LONGEST + _WINDOW for start, end in windows)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(windows))  # side by side


def test_spanish_finding_language_is_guessed_when_not_given(tagger: Tagger) -> None:
    buf = fold_text("Nos contó que su hermano anda sin arreglar desde que llegó de Honduras.")
    spans = tagger.tag(buf, 0, len(buf), None)
    assert all(s.language == "es" for s in spans)


def test_features_hold_no_digits() -> None:
    buf = fold_text("A# 212 480 375, receipt EAC2114550321")
    toks = tokens(buf, 0, len(buf))
    values = [attr.split("=", 1)[-1] for f in features(buf, toks) for attr in f]
    assert not any(ch.isdigit() for value in values for ch in value)


def test_spans_of_reads_bio_tags() -> None:
    toks = [(0, 2), (3, 5), (6, 8), (9, 11)]
    tags = ["B-status", "I-status", "O", "B-question"]
    assert spans_of(toks, tags) == [(0, 5, "status", 0, 2), (9, 11, "question", 3, 4)]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_learned_spans_stay_inside_any_text(text: str) -> None:
    for f in detect(text):
        assert 0 <= f.start < f.end <= len(text)


def _corpus(name: str) -> str:
    return (CORPUS / f"{name}.jsonl").read_text(encoding="utf-8")


def test_the_shipped_model_holds_no_number(tagger: Tagger) -> None:
    values = {attr.split("=", 1)[-1] for attr, _ in tagger._tagger.info().state_features}
    assert values and not any(ch.isdigit() for value in values for ch in value)


def test_the_trainer_builds_a_model_the_tagger_reads(tmp_path: Path) -> None:
    """The training script on one corpus (the shipped model uses all of them the same way)."""
    import subprocess
    import sys

    out = tmp_path / "dev-only.crfsuite"
    manifest = json.loads(KNOWLEDGE.joinpath("tagger.json").read_text(encoding="utf-8"))
    others = [name for name in manifest["corpora"] if name != "dev"]
    done = subprocess.run(
        [sys.executable, str(CORPUS / "train_tagger.py"), "--out", str(out), "--leave-out", *others],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "trained on 664 texts" in done.stdout
    tagger = Tagger(out.read_bytes())
    assert tagger.cue_count > 20
    bad = subprocess.run(
        [sys.executable, str(CORPUS / "train_tagger.py"), "--leave-out", "holdout3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "not a development corpus" in bad.stderr


def test_learned_only_is_the_detectors_own_step() -> None:
    det = detector()
    text = 'Voicemail from client: "The judge gave me withholding, not asylum." Call back Monday.'
    added = det.learned_only(text, [])
    assert [f.rule for f in added] == ["en.status.learned"]
    start = text.index("withholding")
    assert det.learned_only(text, [(start, start + 11, "question")]) == []  # a rule finding is there
    assert Detector(learned=False).learned_only(text, []) == []


def test_a_quoted_mention_is_not_a_learned_finding() -> None:
    asked = 'Staff asked him: "Where are your papers?" He said he had none.'
    listed = 'Slide 4 lists phrases staff must never use with callers ("Where are your papers?").'
    assert detector().learned_only(asked, [])
    assert detector().learned_only(listed, []) == []


def test_the_manifest_lists_the_shipped_models_cue_words(tagger: Tagger) -> None:
    manifest = json.loads(KNOWLEDGE.joinpath("tagger.json").read_text(encoding="utf-8"))
    assert manifest["cues"] == cue_words(KNOWLEDGE.joinpath("tagger.crfsuite").read_bytes())
    assert tagger.cue_count == len(manifest["cues"])


class _EveryWithholding(Tagger):
    """The packaged model, but tagging every 'withholding' as status with a set confidence: to test
    what the detector does with a learned span, whatever the CRF would say."""

    def tag(self, buf: bytes, lo: int, hi: int, lang: str | None) -> list[LearnedSpan]:
        at = buf.find(b"withholding", lo, hi)
        return [] if at < 0 else [LearnedSpan(at, at + 11, "status", 0.7, lang or "en")]


def test_a_topic_cue_lowers_a_learned_status_as_it_does_a_rules() -> None:
    det = Detector(tagger=_EveryWithholding())
    person = "My client got withholding last week."
    topic = "The policy debate on the ordinance covered withholding in general."
    kept = det.learned_only(person, [])
    assert [(f.rule, f.score) for f in kept] == [("en.status.learned", pytest.approx(0.7))]
    assert det.learned_only(topic, []) == []
