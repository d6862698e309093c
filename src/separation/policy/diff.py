"""What changes between two pack versions: rules added, removed or changed, and the requests whose
answer would change. ``policy diff minneapolis@2025-11-01 minneapolis@2026-01-01``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from separation.policy.engine import decide
from separation.policy.model import Request
from separation.policy.pack import Pack, PackVersion

__all__ = ["OutcomeChange", "PolicyDiff", "diff_versions"]


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    request_id: str | None
    position: int
    before: str
    after: str
    asks: tuple[tuple[str, str, str], ...]  # (ask, before, after) for asks whose outcome changed


@dataclass(frozen=True, slots=True)
class PolicyDiff:
    before: PackVersion
    after: PackVersion
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    changes: tuple[OutcomeChange, ...]
    requests_compared: int


def diff_versions(
    before_pack: Pack,
    before_day: dt.date,
    after_pack: Pack,
    after_day: dt.date,
    requests: Iterable[Request] = (),
) -> PolicyDiff:
    before = before_pack.version_for(before_day)
    after = after_pack.version_for(after_day)
    old, new = before.rules, after.rules
    added = tuple(sorted(set(new) - set(old)))
    removed = tuple(sorted(set(old) - set(new)))
    changed = tuple(sorted(rid for rid in set(old) & set(new) if old[rid].digest != new[rid].digest))
    changes: list[OutcomeChange] = []
    count = 0
    for position, request in enumerate(requests, start=1):
        count += 1
        a = decide(request, before_pack, as_of=before_day)
        b = decide(request, after_pack, as_of=after_day)
        per_ask = tuple(
            (x.ask.value, x.outcome.value, y.outcome.value)
            for x, y in zip(a.asks, b.asks, strict=True)
            if x.outcome is not y.outcome
        )
        if a.outcome is not b.outcome or per_ask:
            changes.append(OutcomeChange(request.id, position, a.outcome.value, b.outcome.value, per_ask))
    return PolicyDiff(before, after, added, removed, changed, tuple(changes), count)
