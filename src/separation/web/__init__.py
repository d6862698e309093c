"""The web service: JSON API under ``/api`` (and HTML pages) over the register."""

from __future__ import annotations

from separation.web.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
