"""The learned pass: a linear-chain CRF over words that finds status statements and questions in
wording no rule has.

Every new corpus written by a new hand showed the same thing: the rules are precise on the wording
they know and miss about a quarter of status statements and questions worded otherwise. A CRF
trained on all the development corpora (``corpus/firewall/train_tagger.py``) reads the same folded
buffer as the rules; the detector adds its spans where no rule finding overlaps, after the rules' own
mention and topic checks, as findings named ``<language>.<kind>.learned`` that carry the CRF's
confidence as their score. It never reports identifiers: those have formats and validators.

Pure and bounded: the model is read once (package data, like the knowledge files); the CRF only runs
on windows of at most ``_WINDOW`` bytes around a cue word (a word the model weighs toward a span) or
a rule finding, so plain text costs one RE2 pass and nothing more.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import pycrfsuite  # type: ignore[import-untyped]
import re2

__all__ = [
    "MANIFEST_RESOURCE",
    "MODEL_RESOURCE",
    "LearnedSpan",
    "Tagger",
    "cue_words",
    "features",
    "labels",
    "learned_findings",
    "spans_of",
    "tokens",
]

MODEL_RESOURCE = "tagger.crfsuite"  # in the knowledge folder, beside the languages' YAML
MANIFEST_RESOURCE = "tagger.json"  # what it was trained on, and its cue words
KINDS = ("status", "question")

# Python's own engine, proven linear: two alternatives on disjoint first characters, the first one
# greedy repeat of a class with nothing after it, so no position is ever tried twice. (The RE2
# wrapper's per-match Python overhead made tokenising cost more than tagging.)
_TOKEN = re.compile(rb"[A-Za-z0-9_]+|[^A-Za-z0-9_\s]")
_SHAPE = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    b"X" * 26 + b"x" * 26 + b"d" * 10,
)
_SENTENCE_END = frozenset((".", "?", "!"))
_CONTEXT = (-3, -2, -1, 1, 2, 3)
_WINDOW = 1200  # bytes of context around a cue, cut at a line break where there is one
_LONGEST = 4 * _WINDOW  # merged windows stop growing here, so memory stays bounded on any text
_CUE_WEIGHT = 0.5  # a word weighed above this toward a span label makes a window
# Function words that tell the two languages apart, for the finding's language when none is given.
_FUNCTION = {
    "en": frozenset({"the", "of", "and", "to", "is", "was", "he", "she", "his", "her", "they", "with"}),
    "es": frozenset({"el", "la", "los", "las", "de", "del", "que", "y", "en", "es", "con", "por", "para"}),
}


def tokens(buf: bytes, lo: int, hi: int) -> list[tuple[int, int]]:
    """Word and punctuation tokens of ``buf[lo:hi]`` (a folded buffer), as absolute offsets."""
    return [m.span() for m in _TOKEN.finditer(buf, lo, hi)]


def _shape(word: bytes) -> str:
    shape = word.translate(_SHAPE).decode("ascii")
    out: list[str] = []
    for ch in shape:  # runs of more than two of a class read as two: "Xxxxx" -> "Xxx"
        if len(out) < 2 or out[-1] != ch or out[-2] != ch:
            out.append(ch)
    return "".join(out)


# A token's own attributes, and the attributes it gives its neighbours (w-3= … w3=), depend on the
# token alone: computed once per distinct token and kept in a bounded cache.
_Entry = tuple[str, tuple[str, ...], tuple[str, ...]]
_EDGE_ENTRY: _Entry = ("_", (), tuple(f"w{d}=_" for d in _CONTEXT))
_CACHE_LIMIT = 20_000  # distinct tokens (about 16 MB); rarer ones (names) are recomputed


def _entry(raw: bytes) -> _Entry:
    w = _word(raw)
    own = ["w=" + w, "s3=" + w[-3:], "p4=" + w[:4], "sh=" + _shape(raw)]
    if len(raw) > 1 and raw.isupper():
        own.append("UP=" + w)
    return w, tuple(own), tuple(f"w{d}=" + w for d in _CONTEXT)


def features(
    buf: bytes, toks: Sequence[tuple[int, int]], cache: dict[bytes, _Entry] | None = None
) -> list[list[str]]:
    """One list of CRFsuite attributes per token: the word, its affixes and shape, case where it is a
    signal (ICE, TPS), its neighbours, a line start, and whether its sentence ends in a question mark.
    Numbers read as their class, so no number is ever part of the model."""
    known = cache if cache is not None else {}
    entries: list[_Entry] = []
    for s, e in toks:
        raw = buf[s:e]
        entry = known.get(raw)
        if entry is None:
            entry = _entry(raw)
            if len(known) < _CACHE_LIMIT:
                known[raw] = entry
        entries.append(entry)
    words = [entry[0] for entry in entries]
    count = len(words)
    asks = [False] * count
    first = 0
    for i, w in enumerate(words):
        if w in _SENTENCE_END or i + 1 == count or b"\n" in buf[toks[i][1] : toks[i + 1][0]]:
            if w == "?":
                asks[first : i + 1] = [True] * (i + 1 - first)
            first = i + 1
    # Padded with three edge entries each side, so every neighbour look-up is a plain index.
    pad: list[_Entry] = [_EDGE_ENTRY] * 3 + entries + [_EDGE_ENTRY] * 3
    out: list[list[str]] = []
    for i, (w, own, _) in enumerate(entries):
        p = i + 3
        f = [
            *own,
            pad[p - 3][2][0],
            pad[p - 2][2][1],
            pad[p - 1][2][2],
            pad[p + 1][2][3],
            pad[p + 2][2][4],
            pad[p + 3][2][5],
            "bg-=" + pad[p - 1][0] + "|" + w,
            "bg+=" + w + "|" + pad[p + 1][0],
        ]
        if i == 0 or b"\n" in buf[toks[i - 1][1] : toks[i][0]]:
            f.append("nl")
        if asks[i]:
            f.append("q")
        out.append(f)
    return out


def labels(toks: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO labels of the tokens for gold spans (training)."""
    out = ["O"] * len(toks)
    for start, end, kind in spans:
        if kind not in KINDS:
            continue
        first = True
        for i, (s, e) in enumerate(toks):
            if s < end and start < e:
                out[i] = ("B-" if first else "I-") + kind
                first = False
    return out


def spans_of(toks: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[tuple[int, int, str, int, int]]:
    """Tagged spans as (start, end, kind, first token, end token)."""
    out: list[tuple[int, int, str, int, int]] = []
    current: list[object] | None = None
    for i, ((s, e), tag) in enumerate(zip(toks, tags, strict=True)):
        if tag == "O":
            if current:
                out.append(tuple(current))  # type: ignore[arg-type]
                current = None
            continue
        begin, kind = tag.split("-", 1)
        if begin == "B" or current is None or current[2] != kind:
            if current:
                out.append(tuple(current))  # type: ignore[arg-type]
            current = [s, e, kind, i, i + 1]
        else:
            current[1] = e
            current[4] = i + 1
    if current:
        out.append(tuple(current))  # type: ignore[arg-type]
    return out


@dataclass(frozen=True, slots=True)
class LearnedSpan:
    start: int
    end: int
    kind: str
    score: float
    language: str


class Tagger:
    """The trained CRF and its cue words. CRFsuite's tagger keeps state between calls, so calls are
    serialised: the detector stays safe to share between threads."""

    def __init__(self, model: bytes | None = None) -> None:
        # CRFsuite reads the model in place and does not hold a reference: this one keeps it alive.
        self._model = model if model is not None else _packaged(MODEL_RESOURCE)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self._model)
        self._lock = threading.Lock()
        self._known: dict[bytes, _Entry] = {}
        # The packaged model's cue words were listed at training time (reading every weight back
        # from CRFsuite takes longer than the rest of the cold start together).
        cues = json.loads(_packaged(MANIFEST_RESOURCE))["cues"] if model is None else cue_words(self._model)
        # Folded text is ASCII; cue words are lower-case ASCII words of the model's vocabulary.
        self._cues = re2.compile(rb"(?i)\b(?:" + b"|".join(c.encode("ascii") for c in cues) + rb")\b")
        self.cue_count = len(cues)

    def cues(self, buf: bytes, lo: int = 0, hi: int | None = None) -> list[int]:
        """Where cue words start in ``buf[lo:hi]``: one RE2 pass (over a whole batch at once)."""
        return [m.start() for m in self._cues.finditer(buf, lo, len(buf) if hi is None else hi)]

    def windows(self, buf: bytes, lo: int, hi: int, points: Iterable[int]) -> list[tuple[int, int]]:
        """Stretches of ``buf[lo:hi]`` worth tagging: about ``_WINDOW`` bytes around each point (a cue
        word or a rule finding), cut at line breaks, merged where they meet."""
        out: list[tuple[int, int]] = []
        half = _WINDOW // 2
        for p in sorted(points):
            if out and p < out[-1][1]:
                continue
            start = max(lo, p - half)
            end = min(hi, p + half)
            if start > lo:
                nl = buf.find(b"\n", start, p)
                start = nl + 1 if nl >= 0 else start
            if end < hi:
                nl = buf.rfind(b"\n", p, end)
                end = nl if nl >= 0 else end
            if out and start <= out[-1][1]:
                first, last = out[-1]
                if end - first <= _LONGEST:
                    out[-1] = (first, max(last, end))
                    continue
                start = last  # a run of cues: windows side by side, each of bounded size
            out.append((start, end))
        return out

    def tag(self, buf: bytes, lo: int, hi: int, lang: str | None) -> list[LearnedSpan]:
        """Status and question spans the CRF finds in ``buf[lo:hi]``."""
        toks = tokens(buf, lo, hi)
        if not toks:
            return []
        feats = features(buf, toks, self._known)
        with self._lock:
            tags = self._tagger.tag(feats)
            found = [
                (s, e, kind, sum(1.0 - self._tagger.marginal("O", i) for i in range(a, b)) / (b - a))
                for s, e, kind, a, b in spans_of(toks, tags)
            ]
        if not found:
            return []
        language = lang or _language(buf, toks)
        return [LearnedSpan(s, e, kind, score, language) for s, e, kind, score in found]


def _word(raw: bytes) -> str:
    # A number, or a word with digits in it (a receipt or case number), is only its class: no
    # number from the training texts is ever part of the model.
    if raw.isdigit():
        return "<d>"
    word = raw.decode("ascii").lower()
    return "<n>" if any(ch.isdigit() for ch in word) else word


def _is_word(word: str) -> bool:
    return word.replace("_", "").isalnum()


def _language(buf: bytes, toks: Sequence[tuple[int, int]]) -> str:
    words = [buf[s:e].decode("ascii").lower() for s, e in toks]
    counts = {lang: sum(w in fw for w in words) for lang, fw in _FUNCTION.items()}
    return "es" if counts["es"] > counts["en"] else "en"


def _packaged(name: str) -> bytes:
    return resources.files("separation.firewall").joinpath("knowledge").joinpath(name).read_bytes()


def cue_words(model: bytes) -> list[str]:
    """The words the model weighs toward a span label above ``_CUE_WEIGHT``: where a window opens."""
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model)
    weights = tagger.info().state_features.items()
    return sorted(
        {
            attr[2:]
            for (attr, label), weight in weights
            if attr.startswith("w=") and label != "O" and weight > _CUE_WEIGHT and _is_word(attr[2:])
        }
    )


def learned_findings(
    tagger: Tagger,
    buf: bytes,
    lo: int,
    hi: int,
    rule_spans: Sequence[tuple[int, int, str]],
    lang: str | None,
    cues: Sequence[int] | None = None,
) -> list[LearnedSpan]:
    """The learned spans of one text (``buf[lo:hi]``) that add to its rule findings: those no rule
    finding overlaps. Rule spans and the result are relative to ``lo``; ``cues``
    (absolute, from ``Tagger.cues`` over a whole batch) saves a search of the text."""
    points = list(tagger.cues(buf, lo, hi) if cues is None else cues)
    points.extend(s + lo for s, _, _ in rule_spans)
    out: list[LearnedSpan] = []
    for start, end in tagger.windows(buf, lo, hi, points):
        for span in tagger.tag(buf, start, end, lang):
            s, e = span.start - lo, span.end - lo
            # Rule findings never overlap one another; a learned span keeps it so.
            if any(a < e and s < b for a, b, _ in rule_spans):
                continue
            out.append(LearnedSpan(s, e, span.kind, span.score, span.language))
    return out
