"""The public pages' words in English and Spanish (data in ``messages.yaml``), and choosing the language
from ``?lang=`` or the Accept-Language header."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["LANGUAGES", "choose_language", "messages"]

LANGUAGES = ("en", "es")


@lru_cache(maxsize=1)
def _catalog() -> dict[str, dict[str, str]]:
    text = (resources.files("separation.web.pages") / "messages.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {lang: {str(k): str(v) for k, v in data[lang].items()} for lang in LANGUAGES}


def messages(lang: str) -> dict[str, str]:
    return _catalog()[lang if lang in LANGUAGES else "en"]


def choose_language(query: str | None, accept: str | None) -> str:
    """``?lang=`` wins; then the first supported language of Accept-Language by its q-value; else English."""
    if query in LANGUAGES:
        return query
    best, best_q = "en", -1.0
    for part in (accept or "")[:500].split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best
