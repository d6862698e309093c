"""Decisions: requests, policy packs as data, and the pure engine that decides.

from separation.policy import Request, decide, load_pack
pack = load_pack("minneapolis")          # I/O once: read, validate, compile
decision = decide(request, pack)         # pure; pass as_of= to judge under another version
"""

from __future__ import annotations

from separation.policy.engine import decide, overall_outcome
from separation.policy.model import (
    Ask,
    AskDecision,
    Decision,
    Obligation,
    ObligationKind,
    Outcome,
    PackRef,
    Request,
    RuleRef,
    TraceEntry,
)
from separation.policy.pack import Pack, PackVersion, load_pack, packs_root, parse_pack_ref

__all__ = [
    "Ask",
    "AskDecision",
    "Decision",
    "Obligation",
    "ObligationKind",
    "Outcome",
    "Pack",
    "PackRef",
    "PackVersion",
    "Request",
    "RuleRef",
    "TraceEntry",
    "decide",
    "load_pack",
    "overall_outcome",
    "packs_root",
    "parse_pack_ref",
]
