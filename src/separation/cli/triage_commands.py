"""``separation triage``: decisions for requests."""

from __future__ import annotations
