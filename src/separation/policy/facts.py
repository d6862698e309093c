"""Facts: what the engine may look at in a request, and the vocabulary each fact takes.

A pack's conditions name facts from this table only, so a typo in a pack ("purpsoe", "civil") is
caught when the pack loads, not when a clerk is waiting. The request's ``description`` is never a
fact: free text does not decide anything and is never copied anywhere.

Three facts are derived through tables that the pack supplies (agency names, offence citations,
form numbers), because how a jurisdiction classes "ICE ERO" or "8 U.S.C. 1326" is policy, not code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from separation.policy.model import (
    Ask,
    Channel,
    Department,
    Document,
    Item,
    Purpose,
    Request,
    ResourceType,
    Signer,
)

__all__ = ["FACTS", "FactSpec", "Facts", "NameTable", "extract_facts", "normalise_name"]

Facts = dict[str, Any]

_MEMO_LIMIT = 100_000

# Only normalises pack table keys and short agency/offence/form strings (bounded by the model's
# max_length); the pattern is a single character class, so it cannot backtrack.
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class FactSpec:
    """A fact's name, whether it is a list, and its allowed values (None: pack-defined classes)."""

    name: str
    is_list: bool
    values: frozenset[str] | None
    help: str


def _enum(values: Sequence[Any]) -> frozenset[str]:
    return frozenset(str(v.value if hasattr(v, "value") else v) for v in values)


_BOOL = frozenset({"true", "false"})

FACTS: Mapping[str, FactSpec] = {
    spec.name: spec
    for spec in (
        FactSpec("ask", False, _enum(list(Ask)), "the ask being decided"),
        FactSpec("asks", True, _enum(list(Ask)), "every ask in the request"),
        FactSpec("channel", False, _enum(list(Channel)), "how the request came"),
        FactSpec("received_by.department", False, _enum(list(Department)), "who in the city got it"),
        FactSpec("received_by.vendor", False, _BOOL, "a city-contracted vendor received it"),
        FactSpec("requester.identified", False, _BOOL, "agents showed agency identification"),
        FactSpec("agency_class", False, None, "the requester's agency, classed by the pack's table"),
        FactSpec("process.document", False, _enum(list(Document)), "the paper behind the request"),
        FactSpec("process.signed_by", False, _enum(list(Signer)), "who signed it"),
        FactSpec("form_classes", True, None, "each form number, classed by the pack's table"),
        FactSpec("purpose", False, _enum(list(Purpose)), "what the requester means to do"),
        FactSpec("offense_classes", True, None, "each offence, classed by the pack's table"),
        FactSpec("status_is_element", False, _BOOL, "immigration status is an element of the crime"),
        FactSpec("items", True, _enum(list(Item)), "what information is asked for"),
        FactSpec("resource.type", False, _enum(list(ResourceType)), "the city resource asked for"),
        FactSpec("resource.city_controlled", False, _BOOL, "the resource is the city's"),
        FactSpec("emergency", False, _BOOL, "imminent threat to life or a crime in progress"),
    )
}


def normalise_name(text: str) -> str:
    """Case-fold and reduce punctuation to single spaces: 'U.S.C. §1324(a)' -> 'usc 1324 a'."""
    return _NON_ALNUM.sub(" ", text.casefold().replace(".", "")).strip()


# Separators between several forms in one field; inputs are at most 200 characters (model limit).
_FORM_SPLIT = re.compile(r"[,;+&/]|\band\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class NameTable:
    """Aliases -> class, matched as whole-token runs; the longest alias wins.

    ``mode='contains'`` finds an alias anywhere among the tokens ("ICE ERO St. Paul" -> ICE ERO);
    ``mode='prefix'`` requires the alias at the start ("8 usc 1324 a 1" -> 8 usc 1324);
    ``mode='exact'`` compares whole normalised strings with spaces removed ("I-247A" == "i247a").
    """

    mode: str
    aliases: tuple[tuple[tuple[str, ...], str], ...]  # longest first
    exact: Mapping[str, str]
    default: str
    # Classification is a pure function of the text; remembering answers keeps it off the hot path.
    memo: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, classes: Mapping[str, Sequence[str]], *, mode: str, default: str) -> NameTable:
        pairs: list[tuple[tuple[str, ...], str]] = []
        exact: dict[str, str] = {}
        for klass, names in classes.items():
            for name in names:
                tokens = tuple(normalise_name(name).split())
                pairs.append((tokens, klass))
                exact["".join(tokens)] = klass
        pairs.sort(key=lambda p: -len(p[0]))
        return cls(mode=mode, aliases=tuple(pairs), exact=exact, default=default)

    def classify(self, text: str) -> str:
        known = self.memo.get(text)
        if known is None:
            known = self._classify(text)
            if len(self.memo) < _MEMO_LIMIT:
                self.memo[text] = known
        return known

    def classify_many(self, text: str) -> frozenset[str]:
        """Several forms may be listed in one field ("I-247A + I-200", "I-247A; I-205")."""
        return frozenset(self.classify(part) for part in _FORM_SPLIT.split(text) if part.strip())

    def _classify(self, text: str) -> str:
        tokens = tuple(normalise_name(text).split())
        if not tokens:
            return self.default
        if self.mode == "exact":
            return self.exact.get("".join(tokens), self.default)
        for alias, klass in self.aliases:
            n = len(alias)
            if self.mode == "prefix":
                if tokens[:n] == alias:
                    return klass
                continue
            for i in range(len(tokens) - n + 1):
                if tokens[i : i + n] == alias:
                    return klass
        return self.default


_EMPTY: frozenset[str] = frozenset()


def extract_facts(request: Request, *, agencies: NameTable, offenses: NameTable, forms: NameTable) -> Facts:
    """The facts of one request, as plain strings, booleans, None and frozensets."""
    # StrEnum members are str: they compare and hash like the values the pack names, so they are
    # used as they are, without converting each one.
    received_by = request.received_by
    process = request.process
    resource = request.resource
    agency = request.requester.agency
    form = process.form if process else None
    offence_texts = request.offenses
    items = request.items
    return {
        "asks": frozenset(request.asks),
        "channel": request.channel,
        "received_by.department": received_by.department if received_by else None,
        "received_by.vendor": received_by.vendor if received_by else None,
        "requester.identified": request.requester.identified,
        "agency_class": agencies.classify(agency) if agency else None,
        "process.document": process.document if process else None,
        "process.signed_by": process.signed_by if process else None,
        "form_classes": forms.classify_many(form) if form else _EMPTY,
        "purpose": request.purpose,
        "offense_classes": frozenset(offenses.classify(o) for o in offence_texts)
        if offence_texts
        else _EMPTY,
        "status_is_element": request.status_is_element,
        "items": frozenset(items) if items else _EMPTY,
        "resource.type": resource.type if resource else None,
        "resource.city_controlled": resource.city_controlled if resource else None,
        "emergency": request.emergency,
        "ask": None,
    }
