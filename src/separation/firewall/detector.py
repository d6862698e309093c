"""The detector: one scan of a batch of folded texts, then checks only around each hit.

Stage 1 is the automaton (``engine.py``) over one buffer holding many texts separated by NUL bytes
(no pattern can match a NUL, so no hit crosses two texts). Stage 2 runs per hit, on a small window:
negative context (suppressors before/after), required context (a field label's colon), identifier
validators, and the person/topic score. Overlapping hits are then merged per kind.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import re2

from separation.errors import InputError
from separation.firewall.columns import classify_column_name
from separation.firewall.engine import Pattern, Scanner, bounded_expression, build_scanner
from separation.firewall.finding import Finding
from separation.firewall.fold import fold_text
from separation.firewall.knowledge import LANGUAGES, Knowledge, Rule, load_knowledge
from separation.firewall.learned import LearnedSpan, Tagger, learned_findings
from separation.firewall.validators import VALIDATORS
from separation.firewall.window import WindowRegex

__all__ = ["MAX_TEXT_CHARS", "THRESHOLD", "Detector"]

THRESHOLD = 0.5
MAX_TEXT_CHARS = 64 << 20
_BATCH_BYTES = 8 << 20
_PRIORITY = {"identifier": 3, "question": 2, "status": 1}
_PERSON_BOOST = 0.1
_TOPIC_PENALTY = 0.3
_REACH = 48  # longest suppressor phrase considered, in characters
_LATE_REACH = 400  # usual longest match whose start is found after the scan (see ``_costly_start``)
_REPEAT_BYTES = 256  # texts up to this long are tagged once per batch however often they repeat
_LATE_LIMIT = 64 << 10  # the search looks this far back when the usual reach is not enough


def _alternation(patterns: Iterable[str], *, bounded: bool = True, caseless: bool = True) -> WindowRegex:
    body = "|".join(f"(?:{p})" for p in patterns)
    if bounded:
        body = rf"\b(?:{body})\b"
    return WindowRegex(body, caseless=caseless)


# The window checks a gate can rule out, as bit flags.
_BEFORE, _ADJACENT, _AFTER, _TOPIC, _PERSON = 1, 2, 4, 8, 16
_ALL_FLAGGED = 31


def _gate(checks: list[tuple[int, WindowRegex]]) -> tuple[Any, tuple[int, ...]] | None:
    """One RE2 set over a hit's whole neighbourhood that says which window checks can match at all.

    Most hits have no suppressor, topic or person cue anywhere near them; one set search settles all
    those checks at once, and only the checks the set names are then run on their exact windows. A
    match inside an exact window is also inside the neighbourhood (the set sees a superset), so a
    check the set rules out could not have matched.
    """
    if len(checks) < 2:
        return None
    opts = re2.Options()
    opts.case_sensitive = False
    opts.max_mem = 32 << 20
    gate = re2.Set.SearchSet(opts)
    flags = []
    for flag, regex in checks:
        gate.Add(("" if regex.caseless else "(?-i)") + regex.pattern)
        flags.append(flag)
    gate.Compile()
    # The wrapper's Match only re-checks the argument type; call the compiled set directly when present.
    low = getattr(gate, "_set", None)
    return (low if low is not None and hasattr(low, "Match") else gate), tuple(flags)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A rule with its window checks compiled (RE2: linear, run only on a hit's window).

    The rule's fields read on every hit are copied here flat: one attribute read each on the hot path.
    """

    rule: Rule
    before: Any
    adjacent: Any
    after: Any
    require: Any
    require_before: Any
    value: Any
    kind: str
    rule_id: str
    language: str
    score: float
    window: int
    require_window: int
    check_options: bool  # a non-identifier rule that must not fire inside a form's option list
    field_start: bool  # the hit must open a line or a field (see ``_field_start``)
    validator: Callable[[str], bool] | None
    column_name: bool
    shape: Any  # column-name rules: the rule's patterns, which the whole token must match
    topic: bool
    clause: bool  # the hit must sit in a question put to someone; the finding is the whole question
    plain: bool  # nothing to check around a hit: the hit is the finding
    gate: Any  # an re2.Set over the neighbourhood, or None (see ``_gate``)
    gate_flags: tuple[int, ...]
    gate_before: int
    gate_after: int


class Detector:
    """Compiled once; immutable afterwards; safe to share between threads."""

    def __init__(
        self,
        knowledge: Knowledge | None = None,
        *,
        engine: str | None = None,
        cache_dir: Path | None = None,
        learned: bool = True,
        tagger: Tagger | None = None,
    ) -> None:
        self.knowledge = knowledge or load_knowledge()
        # The learned pass (a CRF trained on the development corpora, or the tagger given); off, the
        # rules alone.
        self._tagger = (tagger or Tagger()) if learned else None
        person: dict[str, Any] = {}
        topic: dict[str, Any] = {}
        windows: dict[str, tuple[int, int]] = {}
        asked: dict[str, Any] = {}
        institution: dict[str, Any] = {}
        mention: dict[str, tuple[Any, int]] = {}
        title: dict[str, tuple[Any, int]] = {}
        for ctx in self.knowledge.contexts:
            if ctx.name in ("mention", "title"):
                (mention if ctx.name == "mention" else title)[ctx.language] = (
                    _alternation(ctx.patterns),
                    ctx.window,
                )
                continue
            if ctx.name in ("asked", "institution"):
                (asked if ctx.name == "asked" else institution)[ctx.language] = _alternation(ctx.patterns)
                continue
            (person if ctx.name == "person" else topic)[ctx.language] = _alternation(ctx.patterns)
            pw, tw = windows.get(ctx.language, (60, 80))
            windows[ctx.language] = (ctx.window, tw) if ctx.name == "person" else (pw, ctx.window)
        self._asked = asked
        self._institution = institution
        self._mention = mention
        self._title = title
        self._person = person
        self._topic = topic
        self._windows = windows
        patterns: list[Pattern] = []
        owners: list[int] = []
        compiled: list[_Compiled] = []
        late: list[_LateStart | None] = []
        for index, rule in enumerate(self.knowledge.rules):
            compiled.append(self._compile(rule))
            for regex in rule.patterns:
                # Field-name shapes have no literal to anchor on: with start offsets they would slow
                # the whole scan fivefold, so the detector finds their start itself (the token's).
                # Start offsets also cost Hyperscan dearly on patterns with repeats ("{far}",
                # "\w+"): the automaton only reports where those end, and one RE2 search anchored
                # at that end finds the leftmost start, on the few hits there are.
                own_start = not rule.clause and rule.validator != "column_name"
                cheap = own_start and not _costly_start(regex)
                # Question clauses compile for raw bytes: Vectorscan's UTF-8 mode never reports some
                # of them (tests/firewall/test_engine.py keeps the case).
                patterns.append(
                    Pattern(regex=regex, caseless=rule.caseless, where=rule.id, start=cheap, raw=rule.clause)
                )
                late.append(
                    _LateStart(bounded_expression(regex).decode("ascii") + r"\z", rule.caseless)
                    if own_start and not cheap
                    else None
                )
                owners.append(index)
        self._late = tuple(late)
        self._rules = tuple(compiled)
        self._owners = tuple(owners)
        self._by_pattern = tuple(compiled[i] for i in owners)
        self._has_columns = any(r.validator == "column_name" for r in self.knowledge.rules)
        self._scanner: Scanner = build_scanner(patterns, engine, cache_dir=cache_dir)
        self.engine = self._scanner.engine

    def _compile(self, rule: Rule) -> _Compiled:
        checks = {
            "before": _alternation(rule.suppress_before) if rule.suppress_before else None,
            "after": _alternation(rule.suppress_after) if rule.suppress_after else None,
            "adjacent": _alternation(rule.suppress_adjacent) if rule.suppress_adjacent else None,
            "require": _alternation(rule.require_after, bounded=False) if rule.require_after else None,
            "require_before": (
                _alternation(rule.require_before, bounded=False) if rule.require_before else None
            ),
            "value": WindowRegex(rule.value, caseless=rule.caseless) if rule.value else None,
        }
        check_options = not rule.options_ok and rule.kind != "identifier"
        validator = (
            VALIDATORS[rule.validator]
            if rule.validator is not None and rule.validator != "column_name"
            else None
        )
        # The neighbourhood a gate must cover: the union of every window check's span.
        gated: list[tuple[int, WindowRegex]] = []
        reach_before = reach_after = 0
        if checks["before"] is not None:
            gated.append((_BEFORE, checks["before"]))
            reach_before = max(reach_before, rule.window + _REACH)
        if checks["adjacent"] is not None:
            gated.append((_ADJACENT, checks["adjacent"]))
            reach_before = max(reach_before, _REACH)
        if checks["after"] is not None:
            gated.append((_AFTER, checks["after"]))
            reach_after = max(reach_after, rule.window + _REACH)
        if rule.topic:
            pw, tw = self._windows.get(rule.language, (60, 80))
            for flag, table, reach in ((_TOPIC, self._topic, tw), (_PERSON, self._person, pw)):
                regex = table.get(rule.language)
                if regex is not None:
                    gated.append((flag, regex))
                    reach_before = max(reach_before, reach)
                    reach_after = max(reach_after, reach)
        built = _gate(gated)
        return _Compiled(
            rule=rule,
            kind=rule.kind,
            rule_id=rule.id,
            language=rule.language,
            score=rule.score,
            window=rule.window,
            require_window=rule.require_window,
            check_options=check_options,
            field_start=rule.field_start,
            validator=validator,
            column_name=rule.validator == "column_name",
            shape=(
                WindowRegex("|".join(f"(?:{p})" for p in rule.patterns), caseless=rule.caseless)
                if rule.validator == "column_name"
                else None
            ),
            topic=rule.topic,
            clause=rule.clause,
            plain=(
                all(c is None for c in checks.values())
                and not check_options
                and not rule.field_start
                and rule.validator is None
                and not rule.topic
                and not rule.clause
                and rule.kind != "status"  # a status may sit inside a question
                and rule.score >= THRESHOLD
            ),
            gate=None if built is None else built[0],
            gate_flags=() if built is None else built[1],
            gate_before=reach_before,
            gate_after=reach_after,
            **checks,
        )

    # -- public -------------------------------------------------------------------------------------

    def detect(self, text: str, lang: str | None = None) -> list[Finding]:
        return self.detect_many([text], lang)[0]

    def detect_many(self, texts: Sequence[str], lang: str | None = None) -> list[list[Finding]]:
        results: list[list[Finding]] = []
        for batch, found in self._batches(texts, lang):
            results.extend(found.get(i, []) for i in range(len(batch)))
        return results

    def detect_sparse(self, texts: Iterable[str], lang: str | None = None) -> dict[int, list[Finding]]:
        """The findings of the texts that have any, by position: ``detect_many`` without an empty list
        per plain text. For the cells of a data store, most of which hold nothing."""
        results: dict[int, list[Finding]] = {}
        first = 0
        for batch, found in self._batches(texts, lang):
            results.update((first + i, f) for i, f in found.items())
            first += len(batch)
        return results

    def _batches(
        self, texts: Iterable[str], lang: str | None
    ) -> Iterator[tuple[list[str], dict[int, list[Finding]]]]:
        """The texts in buffers of about ``_BATCH_BYTES``, each with its findings by position."""
        if lang is not None and lang not in self.knowledge.languages:
            raise InputError(f"unsupported language (expected one of {', '.join(LANGUAGES)})", field="lang")
        if isinstance(texts, list | tuple):
            # Many short texts (the cells of a data store): sizes summed and batches cut in C.
            yield from self._batches_of_list(texts, lang)
            return
        batch: list[str] = []
        size = 0
        for text in texts:
            if not isinstance(text, str):
                raise InputError("text must be a string", field="text")
            if len(text) > MAX_TEXT_CHARS:
                raise InputError(f"text longer than {MAX_TEXT_CHARS} characters", field="text")
            if batch and size + len(text) > _BATCH_BYTES:
                yield batch, self._scan_batch(batch, lang)
                batch, size = [], 0
            batch.append(text)
            size += len(text) + 1
        if batch:
            yield batch, self._scan_batch(batch, lang)

    def _batches_of_list(
        self, texts: list[str] | tuple[str, ...], lang: str | None
    ) -> Iterator[tuple[list[str], dict[int, list[Finding]]]]:
        if not all(isinstance(t, str) for t in texts):
            raise InputError("text must be a string", field="text")
        lengths = list(map(len, texts))
        if lengths and max(lengths) > MAX_TEXT_CHARS:
            raise InputError(f"text longer than {MAX_TEXT_CHARS} characters", field="text")
        ends = list(accumulate(n + 1 for n in lengths))  # after each text and its separator
        first, count = 0, len(texts)
        while first < count:
            base = ends[first] - lengths[first] - 1
            stop = max(first + 1, bisect_right(ends, base + _BATCH_BYTES, first, count))
            batch = list(texts[first:stop])
            yield batch, self._scan_batch(batch, lang)
            first = stop

    # -- internals ----------------------------------------------------------------------------------

    def _scan_batch(self, texts: list[str], lang: str | None) -> dict[int, list[Finding]]:
        # Folding is one code point to one byte, so the batch is folded in one call and every
        # text's offsets in the buffer follow from its length.
        buffer = fold_text("\x00".join(texts))
        marks = buffer.translate(_MARKS)
        words = buffer.translate(_WORD) if self._has_columns else b""
        # ends[i]: where text i ends; starts[i]: where it begins (one separator between texts).
        lengths = list(map(len, texts))
        ends = [end - 1 for end in accumulate(n + 1 for n in lengths)]
        starts = [end - n for end, n in zip(ends, lengths, strict=True)]
        # Candidates are plain tuples (start, end, kind, score, rule, language); only the kept ones
        # become Findings, since a frozen dataclass costs more to build than a tuple.
        per_doc: dict[int, list[_Candidate]] = {}
        by_pattern = self._by_pattern
        late = self._late
        verify = self._verify
        # Hyperscan reports every end of a match ("Employment Authorization" and "… Document");
        # RE2 only the longest. Keep the longest per pattern and start, so that both engines verify
        # the same span.
        hits: list[tuple[int, int, int]] = []
        longest: dict[tuple[int, int], int] = {}
        for pid, start, end in self._scanner.scan(buffer):
            item = by_pattern[pid]
            if lang is not None and item.language != lang and item.kind != "identifier":
                continue
            if item.clause:
                start = end - 1  # reported without a start: the clause is found back from its "?"
            elif item.column_name:
                start = words.rfind(0, 0, end) + 1  # the token that ends here
            elif (finder := late[pid]) is not None:
                low = end - _LATE_REACH if end > _LATE_REACH else 0
                # A slice, so that "\z" anchors at the hit's end; no match crosses a text's NUL.
                begins = finder.search(buffer[low:end], 0, end - low)
                if begins is None and low > 0:
                    # A match longer than the usual reach (long words inside "{far}"): look further.
                    low = end - _LATE_LIMIT if end > _LATE_LIMIT else 0
                    begins = finder.search(buffer[low:end], 0, end - low)
                if begins is None:
                    continue
                start = low + begins[0]
            at = longest.get((pid, start))
            if at is None:
                longest[pid, start] = len(hits)
                hits.append((pid, start, end))
            else:
                hits[at] = (pid, start, end)  # hits come in end order: this one is longer
        doc, doc_start, doc_end = 0, 0, ends[0]
        found = per_doc.setdefault(0, [])
        for pid, start, end in hits:
            item = by_pattern[pid]
            if start > doc_end:
                # Hits come in end order: the hit is in this text or one of the next few.
                doc += 1
                while ends[doc] < start:
                    doc += 1
                doc_start = starts[doc]
                doc_end = ends[doc]
                found = per_doc.setdefault(doc, [])
            elif start < doc_start:  # a long match that began in an earlier text's span
                doc = bisect_right(starts, start) - 1
                doc_start = starts[doc]
                doc_end = ends[doc]
                found = per_doc.setdefault(doc, [])
            if end > doc_end:
                continue
            if item.plain:
                score = item.score
                found.append(
                    (
                        start - doc_start,
                        end - doc_start,
                        item.kind,
                        score if score < 0.99 else 0.99,
                        item.rule_id,
                        lang or item.language,
                    )
                )
                continue
            span = verify(item, buffer, marks, start, end, doc_start, doc_end)
            if span is not None:
                kind = span[3] or item.kind
                if (
                    kind != "identifier"
                    # quoted, or a column's own name (a token set apart like a quotation)
                    and (item.column_name or _quoted(buffer, span[0], doc_start))
                    and self._mentioned(buffer, span[0], span[1], doc_start, doc_end)
                ):
                    continue
                if (
                    kind == "status"
                    and buffer.find(b"?", span[1], span[1] + 60) >= 0  # most statuses are not in a question
                    and _in_question(buffer, doc_start, doc_end, span[0], span[1])
                ):
                    kind = "question"
                found.append(
                    (
                        span[0] - doc_start,
                        span[1] - doc_start,
                        kind,
                        span[2],
                        item.rule_id,
                        lang or item.language,
                    )
                )
        results = {
            doc: _merge(found) if len(found) > 1 else [Finding(*found[0])]
            for doc, found in per_doc.items()
            if found
        }
        if self._tagger is not None:
            self._add_learned(buffer, starts, ends, results, lang)
        return results

    def _add_learned(
        self,
        buffer: bytes,
        starts: list[int],
        ends: list[int],
        results: dict[int, list[Finding]],
        lang: str | None,
    ) -> None:
        """The learned pass, on the texts with a cue word or a rule finding (one cue search per batch)."""
        tagger = self._tagger
        assert tagger is not None
        points: dict[int, list[int]] = {doc: [] for doc in results}
        for at in tagger.cues(buffer):
            points.setdefault(bisect_right(starts, at) - 1, []).append(at)
        # The cells of a data store repeat ("LPR", "pending"): identical texts have identical rule
        # findings, so a short text is tagged once per batch.
        done: dict[bytes, list[LearnedSpan]] = {}
        for doc, cues in points.items():
            rules = results.get(doc, [])
            lo, hi = starts[doc], ends[doc]
            key = buffer[lo:hi] if hi - lo <= _REPEAT_BYTES else None
            extra = done.get(key) if key is not None else None
            if extra is None:
                extra = self._learned(buffer, lo, hi, [(f.start, f.end, f.kind) for f in rules], lang, cues)
                if key is not None:
                    done[key] = extra
            if extra:
                learned = [_learned_finding(x) for x in extra]
                results[doc] = sorted([*rules, *learned], key=lambda f: (f.start, f.end))

    def _learned(
        self,
        buffer: bytes,
        lo: int,
        hi: int,
        rule_spans: Sequence[tuple[int, int, str]],
        lang: str | None,
        cues: Sequence[int] | None,
    ) -> list[LearnedSpan]:
        tagger = self._tagger
        assert tagger is not None
        kept: list[LearnedSpan] = []
        for x in learned_findings(tagger, buffer, lo, hi, rule_spans, lang, cues):
            start, end = lo + x.start, lo + x.end
            # A quotation beside a mention cue ("phrases staff should never use") is a mention, and
            # a topic cue (policy, news) lowers a status score: for the learned pass as for the rules.
            if _quoted(buffer, start, lo) and self._mentioned(buffer, start, end, lo, hi):
                continue
            if x.kind == "status":
                score = self._topic_score(x.language, x.score, buffer, start, end, lo, hi)
                if score < THRESHOLD:
                    continue
                x = LearnedSpan(x.start, x.end, x.kind, score, x.language)
            kept.append(x)
        return kept

    def learned_only(
        self, text: str, rule_spans: Sequence[tuple[int, int, str]], lang: str | None = None
    ) -> list[Finding]:
        """What the learned pass adds to a text's rule findings, given as (start, end, kind): the
        detector's own step, for measuring the pass beside the rules of another version."""
        if self._tagger is None:
            return []
        buffer = fold_text(text)
        return [_learned_finding(x) for x in self._learned(buffer, 0, len(buffer), rule_spans, lang, None)]

    def _verify(
        self, item: _Compiled, buf: bytes, marks: bytes, start: int, end: int, lo: int, hi: int
    ) -> tuple[int, int, float, str | None] | None:
        """The checks around one hit, cheapest first: the (possibly moved) span, its score, and its
        kind when it is not the rule's (a form question found through its status options)."""
        prompt: tuple[int, int] | None = None
        if item.field_start and not _field_start(buf, lo, start):
            return None
        if item.check_options:
            # ``marks`` holds 1 where the text has "[", "(" or "/": most hits have none before them.
            low = start - 40
            if marks.find(1, low if low > lo else lo, start) >= 0 and _is_option(buf, lo, start):
                # An option describes no one, but the question it answers asks for status (once the
                # option itself has passed its suppressors: "[ ] senior citizen" asks nothing).
                prompt = _option_prompt(buf, lo, start) if item.kind == "status" else None
                if prompt is None:
                    return None
        window = item.window
        check = item.require
        if check is not None:
            # Anchored at the end of the hit: "Immigration status:" but not "immigration status of".
            # "U.S." ends before its last dot (an abbreviation, not the end of a sentence); "DACA."
            # ends a sentence.
            at = (
                end + 1
                if buf[end : end + 1] == b"."
                and buf[end - 2 : end - 1] == b"."
                and buf[end - 1 : end].isupper()
                else end
            )
            stop = at + item.require_window
            if stop > hi:
                stop = hi
            if check.match(buf, at, stop) is None and _more_text(buf, at, hi):
                return None
        check = item.require_before
        if check is not None:
            low = start - item.require_window
            if check.search(buf, low if low > lo else lo, start) is None:
                return None
        flagged = _ALL_FLAGGED
        gate = item.gate
        if gate is not None:
            low = start - item.gate_before
            stop = end + item.gate_after
            names = gate.Match(buf[low if low > lo else lo : stop if stop < hi else hi])
            flagged = 0
            if names:
                for i in names:
                    flagged |= item.gate_flags[i]
        # A suppressor must end within `window` before the hit, or start within `window` after it.
        check = item.before
        if check is not None and flagged & _BEFORE:
            floor = start - window
            low = floor - _REACH
            if check.ends_after(buf, low if low > lo else lo, start, floor):
                return None
        check = item.adjacent
        if check is not None and flagged & _ADJACENT:
            low = start - _REACH
            if check.ends_after(buf, low if low > lo else lo, start, start - 1):
                return None  # "81,000 undocumented immigrants": a count, not a person
        check = item.after
        if item.clause:
            found = self._question(item.language, buf, lo, hi, start, end)
            if found is None:
                return None
            start, end = found
            # The question's word is somewhere in the clause: its suppressors may be anywhere in it.
            if check is not None and check.search(buf, start, end) is not None:
                return None
        elif check is not None and flagged & _AFTER:
            stop = end + window + _REACH
            span = check.search(buf, end, stop if stop < hi else hi)
            if span is not None and span[0] <= end + window:
                return None
        if prompt is not None:
            return prompt[0], prompt[1], item.score, "question"
        check = item.value
        if check is not None:
            span = check.last(buf, start, end)
            if span is None:
                return None
            start, end = span
            # Trim separators the value pattern allowed at its edges.
            while end > start and buf[end - 1] in b" -":
                end -= 1
        if item.column_name:
            shape = item.shape.match(buf, start, end)
            if shape is None or shape[1] != end:
                return None
            if classify_column_name(buf[start:end].decode("ascii")) is None:
                return None
        elif item.validator is not None and not item.validator(buf[start:end].decode("ascii")):
            return None
        score = item.score
        if item.topic:
            score = self._topic_score(item.language, score, buf, start, end, lo, hi, flagged)
        if score < THRESHOLD:
            return None
        return start, end, score if score < 0.99 else 0.99, None

    def _mentioned(self, buf: bytes, start: int, end: int, lo: int, hi: int) -> bool:
        """Is a quoted phrase only mentioned: a column to drop, words staff must not use, a title?

        Called for a finding inside a quotation, or that is a column's own name. A ``mention`` cue
        of any language in the same sentence ("no longer collect", "never use", "se eliminan") or a
        ``title`` cue right beside it ("the film", "liga") makes it a hard negative. Every
        language's cues count: a Spanish memo may quote English column names.
        """
        first, last = _sentence(buf, start, end, lo, hi)
        for regex, window in self._mention.values():
            low = start - window
            high = end + window
            if regex.search(buf, low if low > first else first, high if high < last else last) is not None:
                return True
        # A title cue counts only right beside the quotation marks (a column name has none).
        opens = buf.rfind(b'"', lo, start)
        closes = buf.find(b'"', end, hi)
        if opens < 0:
            return False
        for regex, window in self._title.values():
            low = opens - window
            high = (closes if closes >= 0 else end) + window
            if regex.search(buf, low if low > lo else lo, high if high < hi else hi) is not None:
                return True
        return False

    def _question(
        self, language: str, buf: bytes, lo: int, hi: int, start: int, end: int
    ) -> tuple[int, int] | None:
        """The question around a hit, when it is put to someone: "Has ICE ever detained you?".

        The clause runs from the last sentence break before the hit to a "?" after it, with no break
        between. It must name whom it asks about (you, usted, the family…) unless it is a short label
        ending in "?" ("US citizen?", "¿Ciudadano?"); a question about an institution ("Does the city
        share data with ICE?") or about the writer ("Will they check my visa?") asks for no one's status.
        """
        span = _clause(buf, lo, hi, start, end)
        if span is None:
            return None
        cs, q = span
        text = buf[cs:q]
        institution = self._institution.get(language)
        if institution is not None and institution.search(buf, cs, q) is not None:
            return None
        if len(text.split()) <= 5 and _field_start(buf, lo, cs):
            return cs, q + 1
        if _MINE.search(b" " + text.lower() + b" ") is not None:
            return None
        asked = self._asked.get(language)
        if asked is None or asked.search(buf, cs, q) is None:
            return None
        return cs, q + 1

    def _topic_score(
        self,
        language: str,
        score: float,
        buf: bytes,
        start: int,
        end: int,
        lo: int,
        hi: int,
        flagged: int = _ALL_FLAGGED,
    ) -> float:
        """A topic cue (policy, news) nearby lowers the score; a person cue raises it."""
        pw, tw = self._windows.get(language, (60, 80))
        topic_re = self._topic.get(language)
        topical = (
            flagged & _TOPIC
            and topic_re is not None
            and topic_re.search(buf, max(lo, start - tw), min(hi, end + tw)) is not None
        )
        # The person cue only matters when it can change the outcome.
        if topical or score < THRESHOLD:
            person_re = self._person.get(language)
            person = (
                bool(flagged & _PERSON)
                and person_re is not None
                and (
                    person_re.search(buf, max(lo, start - pw), start) is not None
                    or person_re.search(buf, end, min(hi, end + pw)) is not None
                )
            )
            if person:
                score += _PERSON_BOOST
            if topical:
                score -= _TOPIC_PENALTY if not person else _TOPIC_PENALTY / 3
        return score


class _LateStart:
    """Finds where a match that ends at a given offset starts: one RE2 search, compiled on first use
    (most patterns never hit in a process, and compiling them all would slow every cold start)."""

    __slots__ = ("_caseless", "_pattern", "_regex")

    def __init__(self, pattern: str, caseless: bool) -> None:
        self._pattern = pattern
        self._caseless = caseless
        self._regex: WindowRegex | None = None

    def search(self, buf: bytes, pos: int, endpos: int) -> tuple[int, int] | None:
        regex = self._regex
        if regex is None:
            regex = self._regex = WindowRegex(self._pattern, caseless=self._caseless)
        return regex.search(buf, pos, endpos)


def _quoted(buf: bytes, start: int, lo: int) -> bool:
    """Does a finding sit inside a quotation that opens at most 20 characters before it?

    Folding makes every quotation mark a '"'; an odd number of them between the text's start and the
    finding means one is open.
    """
    low = start - 20 if start - 20 > lo else lo
    return buf.find(b'"', low, start) >= 0 and buf.count(b'"', lo, start) % 2 == 1


def _sentence(buf: bytes, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The bounds of the sentence or form field around ``[start, end)`` within ``[lo, hi)``."""
    first = lo
    for mark in (b". ", b"! ", b"? ", b"\n", b"|", b"; "):
        at = buf.rfind(mark, lo, start)
        if at >= 0 and at + len(mark) > first:
            first = at + len(mark)
    last = hi
    for mark in (b". ", b"! ", b"? ", b"\n", b"|", b"; "):
        at = buf.find(mark, end, hi)
        if 0 <= at < last:
            last = at
    return first, last


def _costly_start(regex: str) -> bool:
    """Would asking Hyperscan for this pattern's start offsets slow the whole scan?

    Measured on the benchmark corpus: start-of-match tracking through bounded repeats, ``\\w``
    classes, ``+`` loops and long alternations made the scan three times slower; short literal
    patterns cost little.
    """
    return len(regex) > 80 or "{" in regex or "\\w" in regex or "+" in regex


def _more_text(buf: bytes, at: int, hi: int) -> bool:
    """Is there anything but white space in ``buf[at:hi]``? (A bounded look first: texts can be long.)"""
    return bool(buf[at : min(hi, at + 64)].strip()) or bool(buf[at:hi].strip())


_MINE = re2.compile(rb"[^a-z](?:my|mine|mi|mis)[^a-z]")
_CLAUSE_REACH = 140


def _sentence_break(head: bytes) -> int:
    """Where the last sentence ends in ``head`` (-1: none): a line break, "?", "!", ":", ";", a quote,
    or a period that ends a word ("U.S." and "No." do not end a sentence)."""
    cut = max(
        head.rfind(b"\n"),
        head.rfind(b"?"),
        head.rfind(b"!"),
        head.rfind(b":"),
        head.rfind(b";"),
        head.rfind(b'"'),
    )
    dot = head.rfind(b". ")
    while dot > cut:
        prev = head[dot - 1 : dot]
        if prev.islower() or prev.isdigit() or prev == b")":
            return dot
        dot = head.rfind(b". ", 0, dot)
    return cut


def _clause(buf: bytes, lo: int, hi: int, start: int, end: int) -> tuple[int, int] | None:
    """The question clause around ``[start, end)``: (clause start, offset of its "?"), or None."""
    # A clause rule's match may itself end with the "?".
    q = buf.find(b"?", end - 1, min(hi, end + _CLAUSE_REACH))
    if q < 0:
        return None
    between = buf[end:q]
    if b"\n" in between or b"!" in between or b". " in between or b'"' in between:
        return None
    floor = max(lo, start - _CLAUSE_REACH)
    cut = _sentence_break(buf[floor:start])
    cs = floor + cut + 1 if cut >= 0 else floor
    while cs < start and buf[cs : cs + 1] in (b" ", b"'", b"(", b"\t", b"-"):
        cs += 1
    return cs, q


def _field_start(buf: bytes, lo: int, cs: int) -> bool:
    """Does a clause open a line or a field (after "|", a tab or a wide gap), as a form label does?"""
    head = buf[max(lo, cs - 3) : cs]
    return (
        cs <= lo
        or (cs - lo < 16 and not buf[lo:cs].strip())  # only white space before it in the text
        or head.endswith((b"\n", b"|", b"\t", b"  ", b"| ", b"?", b"\n "))
        or head.rstrip(b" ").endswith(b"|")
    )


_BOXES = (b"( )", b"()", b"[ ]", b"[]", b"[ ", b"[x]", b"[X]")


def _option_prompt(buf: bytes, lo: int, start: int) -> tuple[int, int] | None:
    """The prompt a form's options answer: the text before the first box on the option's line, or the
    line above when the options start the line ("Which best describes you? ( ) U.S. citizen …")."""
    line = max(lo, buf.rfind(b"\n", lo, start) + 1)
    seg = buf[line:start]
    first = min((i for i in (seg.find(box) for box in _BOXES) if i >= 0), default=-1)
    if first < 0:
        return None  # a slash list ("Refugee/Asylee") names no prompt
    ps, pe = line, line + first
    while pe > ps and buf[pe - 1 : pe] in (b" ", b"\t", b":"):
        pe -= 1
    if pe <= ps:
        if line - 1 <= lo:
            return None
        pe = line - 1
        ps = max(lo, buf.rfind(b"\n", lo, pe) + 1)
        while pe > ps and buf[pe - 1 : pe] in (b" ", b"\t", b":"):
            pe -= 1
        if pe <= ps or any(box in buf[ps:pe] for box in _BOXES):
            return None
    if buf[pe - 1 : pe] == b")" and b"(" in buf[ps:pe]:
        # "… or DACA? (check all that apply)": the instruction is not the question.
        pe = buf.rfind(b"(", ps, pe)
        while pe > ps and buf[pe - 1 : pe] in (b" ", b"\t", b":"):
            pe -= 1
        if pe <= ps:
            return None
    cut = _sentence_break(buf[ps : pe - 1])
    if cut >= 0:
        ps += cut + 1
    while ps < pe and buf[ps : ps + 1] in (b" ", b"\t", b"-", b"*"):
        ps += 1
    if pe <= ps or pe - ps > 120:
        return None
    if _DOCUMENT_LIST.search(buf[ps:pe].lower()) is not None:
        return None  # a list of identity documents shown is a proxy, not a status question
    return ps, pe


_DOCUMENT_LIST = re2.compile(rb"document|identif|\bids?\b|proof of (?:identity|address|income)")


_WORD = bytes(1 if chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_") else 0 for b in range(256))
_MARKS = bytes(1 if chr(b) in "[(/" else 0 for b in range(256))


def _is_option(buf: bytes, lo: int, start: int) -> bool:
    """A status offered as one option of a form question ("( ) Refugee/Asylee") is not a statement."""
    before = buf[lo if start - 40 < lo else start - 40 : start]
    cut = max(before.rfind(b"\n"), before.rfind(b":"), before.rfind(b"?"), before.rfind(b"."))
    if cut >= 0:
        before = before[cut + 1 :]
    if before.rstrip(b" ").endswith(b"/") and not before.rstrip(b" ").endswith(b"//"):
        return True
    return any(box in before for box in _BOXES)


_QUESTION_OPENERS = (
    b"are ",
    b"is ",
    b"was ",
    b"were ",
    b"do ",
    b"does ",
    b"did ",
    b"have ",
    b"has ",
    b"had ",
    b"will ",
    b"would ",
    b"can ",
    b"could ",
    b"should ",
    b"what ",
    b"which ",
    b"when ",
    b"how ",
    b"where ",
    b"who ",
)


def _in_question(buf: bytes, lo: int, hi: int, start: int, end: int) -> bool:
    """Inside a question ("Has client ever been detained by ICE?", "¿Tiene DACA?"), a status asks."""
    q = buf.find(b"?", end, min(hi, end + 60))
    if q < 0:
        return False
    between = buf[end:q]
    if b"." in between or b"!" in between or b"\n" in between:
        return False
    head = buf[max(lo, start - 100) : start]
    cut = max(head.rfind(b"."), head.rfind(b"!"), head.rfind(b"\n"), head.rfind(b"?"), head.rfind(b":"))
    # A Spanish question opens with "¿" (folded to "?").
    clause = head[cut + 1 :].lstrip(b" \"'(_").lower()
    opened = (cut >= 0 and head[cut : cut + 1] == b"?") or clause.startswith(_QUESTION_OPENERS)
    # "Does that mean I have to go to immigration court?" asks about the writer's own status: a statement.
    whole = b" " + clause + buf[start:q].lower() + b" "
    return opened and not any(w in whole for w in _FIRST_PERSON)


_FIRST_PERSON = (b" i ", b" i'm ", b" my ", b" me ", b" tengo ", b" yo ", b" mi ", b" estoy ", b" soy ")


_Candidate = tuple[int, int, str, float, str, str]


def _learned_finding(span: LearnedSpan) -> Finding:
    # Named like a rule, <language>.<kind>.<name>: "es.status.learned".
    rule = f"{span.language}.{span.kind}.learned"
    return Finding(span.start, span.end, span.kind, min(span.score, 0.99), rule, span.language)


def _merge(found: list[_Candidate]) -> list[Finding]:
    """Union overlapping findings of one kind; where kinds overlap, keep the more specific kind."""
    found.sort()
    last = -1
    for f in found:
        if f[0] < last or f[1] <= f[0]:
            break
        last = f[1]
    else:
        return [Finding(*f) for f in found]  # the common case: nothing overlaps
    # Deterministic whatever order the engine reported hits in.
    found.sort(key=lambda f: (f[0], -f[1], -f[3], f[4]))
    merged: dict[str, list[list[Any]]] = {}
    for f in found:
        same = merged.setdefault(f[2], [])
        if same and f[0] < same[-1][1]:
            m = same[-1]
            if (-m[3], m[4]) > (-f[3], f[4]):  # the better-scored rule names the union
                m[3], m[4], m[5] = f[3], f[4], f[5]
            if f[1] > m[1]:
                m[1] = f[1]
        else:
            same.append(list(f))
    by_kind = {kind: [Finding(*m) for m in items] for kind, items in merged.items()}
    if len(by_kind) == 1:
        return next(iter(by_kind.values()))
    kept: list[Finding] = []
    for kind, items in by_kind.items():
        higher = [by_kind[k] for k in by_kind if _PRIORITY[k] > _PRIORITY[kind]]
        for item in items:
            if not any(_overlaps(h, item) for h in higher):
                kept.append(item)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept


def _overlaps(spans: list[Finding], f: Finding) -> bool:
    # ``spans`` do not overlap each other, so sorted by start they are sorted by end too.
    i = bisect_right([s.start for s in spans], f.end - 1) - 1 if len(spans) > 8 else len(spans) - 1
    while i >= 0:
        s = spans[i]
        if s.start < f.end and f.start < s.end:
            return True
        if len(spans) > 8:
            return False
        i -= 1
    return False
