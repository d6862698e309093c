"""The automaton: Hyperscan and RE2 agree; batching maps offsets back; no input makes it slow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from separation.firewall import Detector, detect, detect_many, detector
from separation.firewall.fold import fold_text

DEV = Path(__file__).resolve().parents[2] / "corpus" / "firewall" / "dev.jsonl"

SAMPLES = [
    "The suspect is undocumented and has an ICE detainer. A-Number: 123456789. EAC2212345678",
    "¿Cuál es su situación migratoria? Ella es indocumentada y fue deportada en 2019.",
    "Put ice on the sidewalk; citizen complaint filed. EB I-94 at Riverside.",
    "Are you a U.S. citizen?  Country of citizenship: ____",
    "",
]


@pytest.fixture(scope="module")
def re2_detector() -> Detector:
    return Detector(engine="re2")


def _texts() -> list[str]:
    # dev3 adds the patterns whose start the detector finds after the scan ({far} labels, "\\w+").
    texts = list(SAMPLES)
    for path in (DEV, DEV.with_name("dev3.jsonl")):
        if path.exists():
            texts += [
                json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line
            ]
    return texts


def test_default_engine_is_hyperscan() -> None:
    pytest.importorskip("hyperscan")
    assert detector().engine == "hyperscan"


def test_re2_fallback_gives_the_same_findings(re2_detector: Detector) -> None:
    assert re2_detector.engine == "re2"
    texts = _texts()
    assert re2_detector.detect_many(texts) == detector().detect_many(texts)


def test_batch_equals_one_by_one() -> None:
    texts = _texts()[:200]
    assert detect_many(texts) == [detect(t) for t in texts]


def test_batches_split_across_buffers() -> None:
    # More text than one buffer holds, so offsets are mapped back from several scans.
    block = "He is undocumented. " * 1000
    texts = [block] * 500
    found = detect_many(texts)
    assert len(found) == 500
    assert found[0] == found[-1] and len(found[0]) == 1000


def test_offsets_are_string_indices_with_accents_and_emoji() -> None:
    text = "😀 Añadió: él está sin papeles y fue deportado 😀"
    found = detect(text)
    assert [text[f.start : f.end] for f in found] == ["está sin papeles", "deportado"]


def test_fold_is_one_byte_per_code_point() -> None:
    text = "¿Cuál? “ICE” — ñ 😀 \u0000 x"
    assert len(fold_text(text)) == len(text)


def test_unknown_language_is_an_input_error() -> None:
    from separation.errors import InputError

    with pytest.raises(InputError):
        detect("text", lang="xx")


def test_language_filter() -> None:
    text = "He is undocumented. Ella es indocumentada."
    assert {f.language for f in detect(text, "en")} == {"en"}
    assert {f.language for f in detect(text, "es")} == {"es"}


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        " " * 1_000_000,
        "9" * 1_000_000,
        "A" + "1" * 999_999,
        "ice " * 250_000,
        "( ) " * 250_000,
        "undocumented " * 80_000,
        ("x" * 999 + "?") * 1000,
        "_" * 1_000_000,
        "\u00e9" * 1_000_000,
    ],
)
def test_pathological_inputs_complete(text: str) -> None:
    # Linear-time engines: these finish; a backtracking engine would not in any sensible time.
    found = detect(text)
    assert all(0 <= f.start < f.end <= len(text) for f in found)


def test_one_megabyte_without_newline_finds_every_hit() -> None:
    text = ("filler words about the weekend plans of the team " * 20 + "He was deported. ") * 600
    assert len(text) > 500_000
    assert len(detect(text)) == 600


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_offsets_always_inside_the_text(text: str) -> None:
    for f in detect(text):
        assert 0 <= f.start < f.end <= len(text)
        assert f.kind in ("status", "identifier", "question")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([*SAMPLES, "x", "ICE hold", "sin papeles"]), max_size=8))
def test_concatenation_does_not_leak_between_texts(texts: list[str]) -> None:
    assert detect_many(texts) == [detect(t) for t in texts]


def test_threads_share_one_detector() -> None:
    from concurrent.futures import ThreadPoolExecutor

    text = "He is undocumented and has an ICE hold. " * 200
    expected = detect(text)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(detect, [text] * 32))
    assert all(r == expected for r in results)


def test_compiled_database_cache_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("hyperscan")
    from separation.firewall.engine import HyperscanScanner, Pattern

    patterns = [Pattern(regex="undocumented", caseless=True, where="t.status.x")]
    first = HyperscanScanner(patterns, cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    second = HyperscanScanner(patterns, cache_dir=tmp_path)  # loaded, not compiled
    buf = b"he is UNDOCUMENTED"
    assert first.scan(buf) == second.scan(buf) == [(0, 6, 18)]


def test_cache_goes_to_the_user_cache_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("hyperscan")
    from separation.firewall.engine import HyperscanScanner, Pattern

    monkeypatch.delenv("SEPARATION_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    HyperscanScanner([Pattern(regex="undocumented", caseless=True, where="t.status.x")])
    assert [p.suffix for p in (tmp_path / "xdg" / "separation").iterdir()] == [".hsdb"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xdg"]


def test_an_empty_cache_setting_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("hyperscan")
    from separation.firewall.engine import HyperscanScanner, Pattern

    monkeypatch.setenv("SEPARATION_CACHE_DIR", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    HyperscanScanner([Pattern(regex="undocumented", caseless=True, where="t.status.x")])
    assert list(tmp_path.iterdir()) == []


def test_cache_dir_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("hyperscan")
    from separation.firewall.engine import HyperscanScanner, Pattern

    monkeypatch.setenv("SEPARATION_CACHE_DIR", str(tmp_path))
    HyperscanScanner([Pattern(regex="deported", caseless=True, where="t.status.y")])
    assert [p.suffix for p in tmp_path.iterdir()] == [".hsdb"]


def test_batch_and_single_texts_agree_on_the_dev_corpus() -> None:
    """Offsets mapped back from one batched buffer give what each text alone gives."""
    dev = Path(__file__).resolve().parents[2] / "corpus" / "firewall" / "dev.jsonl"
    texts = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines() if line]
    assert detector().detect_many(texts) == [detect(t) for t in texts]


def test_falls_back_to_re2_without_hyperscan(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from separation.firewall.engine import Pattern, build_scanner

    monkeypatch.setitem(sys.modules, "hyperscan", None)  # import hyperscan now raises ImportError
    scanner = build_scanner([Pattern(regex="undocumented", caseless=True, where="t.status.x")])
    assert scanner.engine == "re2"
    assert scanner.scan(b"is Undocumented") == [(0, 3, 15)]


@pytest.mark.xfail(
    reason="Vectorscan in the hyperscan 0.9.1 wheel misses this match in start-of-match mode after "
    "23+ bytes of prefix; kept to notice when an engine upgrade fixes it",
    strict=False,
)
def test_engine_start_of_match_after_a_long_prefix() -> None:
    hyperscan = pytest.importorskip("hyperscan")
    expression = (
        rb"\b(?:(?:U\.? ?S\.?(?: ?A)?|US|USA|United States(?: of America)?|America) citizen"
        rb"|citizenship(?: status)?|nationality)\b"
    )
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[expression],
        ids=[0],
        elements=1,
        flags=[hyperscan.HS_FLAG_SOM_LEFTMOST | hyperscan.HS_FLAG_CASELESS],
    )
    found: list[tuple[int, int]] = []
    db.scan(b"x" * 30 + b" US citizen", match_event_handler=lambda i, s, e, f, c: found.append((s, e)))
    assert found == [(31, 41)]


def test_our_scanner_finds_the_match_the_raw_bytes_mode_misses() -> None:
    # Compiled in UTF-8 mode (see engine.py), the same pattern is found after any prefix.
    from separation.firewall import detect

    for prefix in ("", "x" * 30 + " ", "permanent permanent permanent "):
        found = detect(prefix + "she is a US citizen")
        assert any(f.end == len(prefix) + 19 for f in found), prefix


def test_our_scanner_finds_the_clause_the_utf8_mode_misses() -> None:
    # Vectorscan's UTF-8 mode never reports this question clause; question clauses compile for raw
    # bytes (see detector.py), and the question is found as RE2 finds it.
    from separation.firewall import detect

    text = 'El encargado le preguntó a mi papá "¿eres legal o no?" enfrente de todos.'
    found = [f for f in detect(text) if f.kind == "question"]
    assert [(text[f.start : f.end], f.rule) for f in found] == [("eres legal o no?", "es.question.clause")]


def test_both_engines_agree_on_every_development_corpus(re2_detector: Detector) -> None:
    """Hyperscan's every-end reports and found-later starts give exactly RE2's leftmost-longest spans."""
    root = DEV.parent
    for name in ("dev2.jsonl", "dev4.jsonl", "dev5.jsonl"):
        path = root / name
        if path.exists():
            texts = [
                json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line
            ]
            assert re2_detector.detect_many(texts) == detector().detect_many(texts), name


def test_detect_sparse_is_detect_many_without_the_empty_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module(
        "separation.firewall.detector"
    )  # the package's ``detector`` is a function
    texts = _texts()
    expected = {i: f for i, f in enumerate(detector().detect_many(texts)) if f}
    assert detector().detect_sparse(texts) == expected
    monkeypatch.setattr(module, "_BATCH_BYTES", 300)  # many buffers: positions carry across them
    assert detector().detect_sparse(iter(texts)) == expected


def test_a_quotation_mark_in_the_previous_text_does_not_reach_the_next() -> None:
    texts = ['x "', "Client is undocumented. We must not share it."]
    assert detect_many(texts)[1] == detect(texts[1]) != []


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ('Client said "I am undocumented" and later watched a movie with staff.', True),
        ('He said "ok". Client is undocumented and must not be reported.', True),
        ("citizenship_status must not be null; a_number is required.", True),
        (
            'Memo: the new intake database must not include the fields "immigration_status" or "a_number".',
            False,
        ),
        ('Next month\'s book is "The Refugees" by Viet Thanh Nguyen.', False),
    ],
)
def test_a_mention_is_a_quotation_beside_its_cue(text: str, kept: bool) -> None:
    assert bool(detect(text)) is kept


def test_a_match_longer_than_the_usual_reach_keeps_its_start() -> None:
    text = "A-number, " + ("abcdefghijklmnopqrstuvwxyz" * 3 + " ") * 6 + "123-456-789"
    assert [text[f.start : f.end] for f in detect(text)] == ["123-456-789"]


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    from separation.firewall.engine import default_cache_dir

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("SEPARATION_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert default_cache_dir() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG spec says
    assert default_cache_dir() is None


def test_an_unreadable_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("hyperscan")
    from separation.firewall.engine import HyperscanScanner, Pattern

    def refuse(self: Path) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "is_file", refuse)
    scanner = HyperscanScanner([Pattern(regex="deported", caseless=True, where="t")], cache_dir=tmp_path)
    assert scanner.scan(b"he was deported") == [(0, 7, 15)]


def test_old_compiled_databases_are_pruned(tmp_path: Path) -> None:
    pytest.importorskip("hyperscan")
    from separation.firewall.engine import HyperscanScanner, Pattern

    for word in ("alpha", "bravo", "charlie", "delta", "echo"):
        HyperscanScanner([Pattern(regex=word, caseless=True, where="t")], cache_dir=tmp_path)
    assert len(list(tmp_path.glob("firewall-*.hsdb"))) == 3
