"""``separation policy``: pack scenario tests and policy diffs."""

from __future__ import annotations
