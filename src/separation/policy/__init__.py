"""Decisions: requests, policy packs as data, and the pure engine that decides."""

from __future__ import annotations
