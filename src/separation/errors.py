"""The one exception tree of the project.

    SeparationError            base: anything this package raises on purpose
    ├── InputError             bad input from a caller (CLI exit 2, HTTP 422); names the field and the problem
    ├── PackError              a malformed policy pack; names the file, the rule and the problem
    └── NotFoundError          a named thing (pack, version, record) does not exist

Messages never contain a request's description, a subject's details or a detected value: they name
fields and problems only, so that they can be logged and shown anywhere.
"""

from __future__ import annotations

__all__ = ["InputError", "NotFoundError", "PackError", "SeparationError"]


class SeparationError(Exception):
    """Base class for every error this package raises deliberately."""


class InputError(SeparationError):
    """Input that does not satisfy a public contract."""

    def __init__(self, problem: str, *, field: str | None = None, where: str | None = None) -> None:
        self.field = field
        self.problem = problem
        self.where = where
        parts = []
        if where:
            parts.append(where)
        if field:
            parts.append(f"field '{field}'")
        parts.append(problem)
        super().__init__(": ".join(parts))


class PackError(SeparationError):
    """A policy pack that fails validation: the file, the rule id (when known) and what is wrong."""

    def __init__(self, problem: str, *, file: str | None = None, rule: str | None = None) -> None:
        self.file = file
        self.rule = rule
        self.problem = problem
        parts = []
        if file:
            parts.append(file)
        if rule:
            parts.append(f"rule {rule}")
        parts.append(problem)
        super().__init__(": ".join(parts))


class NotFoundError(SeparationError):
    """A pack, version or record that does not exist."""
