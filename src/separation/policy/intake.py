"""Turning caller input into Requests, with one-line errors that name the field and the problem.

Shared by the CLI and the HTTP API so both reject the same inputs with the same words. Messages
name fields and allowed values, never the value a caller sent for a free-text field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson
from pydantic import ValidationError

from separation.errors import InputError
from separation.policy.model import Request

__all__ = [
    "MAX_BATCH_BYTES",
    "MAX_REQUEST_BYTES",
    "describe_validation_error",
    "iter_requests",
    "parse_request",
]

MAX_REQUEST_BYTES = 1_000_000
MAX_BATCH_BYTES = 500_000_000

# Fields whose values may be echoed in an error (enums, dates, booleans); any other value is withheld.
_ECHO_SAFE_TYPES = {"enum", "bool_type", "bool_parsing", "literal_error"}


def describe_validation_error(exc: ValidationError) -> tuple[str, str]:
    """(field, problem) for the first error, in words a clerk can act on."""
    error = exc.errors(include_url=False, include_input=True)[0]
    field = ".".join(str(p) for p in error["loc"]) or "(request)"
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return field, "is required"
    if kind == "extra_forbidden":
        return field, "is not a field of a Request (check the spelling)"
    if kind == "enum":
        value = error.get("input")
        shown = f"'{value}' " if isinstance(value, str) and len(value) <= 40 else ""
        return field, f"unknown value {shown}; allowed: {ctx.get('expected', '')}".replace(" ;", ";")
    if kind == "timezone_aware":
        return field, "needs a UTC offset, e.g. 2026-01-05T09:30:00-06:00"
    if kind in {"datetime_parsing", "datetime_from_date_parsing", "datetime_type"}:
        return field, "must be an ISO 8601 date-time with offset, e.g. 2026-01-05T09:30:00-06:00"
    if kind == "too_short" and field == "asks":
        return field, "must list at least one ask"
    if kind in {"string_too_long", "too_long"}:
        return field, f"is too long (limit {ctx.get('max_length', '?')})"
    if kind == "json_invalid":
        return "(request)", f"is not valid JSON ({ctx.get('error', 'parse error')})"
    if kind in _ECHO_SAFE_TYPES:
        return field, str(error["msg"]).lower()
    return field, str(error["msg"]).lower()


def parse_request(data: bytes | str | dict[str, Any], *, where: str | None = None) -> Request:
    """Validate one request given as JSON text or an already-parsed object."""
    try:
        if isinstance(data, dict):
            return Request.model_validate(data)
        raw = data.encode() if isinstance(data, str) else data
        if len(raw) > MAX_REQUEST_BYTES:
            raise InputError(f"request is larger than {MAX_REQUEST_BYTES} bytes", where=where)
        return Request.model_validate_json(raw)
    except ValidationError as exc:
        field, problem = describe_validation_error(exc)
        raise InputError(problem, field=field, where=where) from None


def iter_requests(stream: BinaryIO, *, source: str) -> Iterator[tuple[str, bytes | dict[str, Any]]]:
    """Yield (location, request) from one JSON object, a JSON list, or JSON Lines, reading lazily.

    JSON Lines stream line by line (memory stays flat on large batches) and are yielded as raw bytes,
    so each line is parsed once, by the model itself.
    """
    first = stream.readline(MAX_REQUEST_BYTES + 1)
    number = 1
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    while first and not first.strip():
        first = stream.readline(MAX_REQUEST_BYTES + 1)
        number += 1
    head = first.lstrip()
    if not head:
        raise InputError("no requests in the input", where=source)
    if head[:1] == b"[":
        blob = first + stream.read(MAX_BATCH_BYTES + 1 - len(first))
        if len(blob) > MAX_BATCH_BYTES:
            raise InputError(
                f"a JSON list may hold at most {MAX_BATCH_BYTES} bytes; use JSON Lines", where=source
            )
        try:
            items = orjson.loads(blob)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg} at line {exc.lineno})", where=source) from None
        if not isinstance(items, list):
            raise InputError("expected a JSON list of requests", where=source)
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise InputError("each request must be a JSON object", where=f"{source} item {index}")
            yield f"{source} item {index}", item
        return
    if _is_complete_json(first):
        line: bytes = first
        while line:
            if line.strip():
                if len(line) > MAX_REQUEST_BYTES:
                    raise InputError(
                        f"request is larger than {MAX_REQUEST_BYTES} bytes", where=f"{source} line {number}"
                    )
                yield f"{source} line {number}", line
            line = stream.readline(MAX_REQUEST_BYTES + 1)
            number += 1
        return
    # One object spread over several lines.
    blob = first + stream.read(MAX_REQUEST_BYTES + 1 - len(first))
    if len(blob) > MAX_REQUEST_BYTES:
        raise InputError(f"request is larger than {MAX_REQUEST_BYTES} bytes", where=source)
    yield source, blob


def _is_complete_json(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True
