"""Batch triage: JSON Lines in, Decision JSON out, at close to the speed of JSON itself.

Requests in a batch repeat themselves: apart from their id, description and time of receipt,
most lines are one of a few hundred shapes. A line is parsed once with orjson; the three varying
fields are taken out and checked with the model's own rules, and the rest is looked up by its
canonical bytes. A shape seen before was validated by the Request model then, with the same
result; a new shape, or anything unusual in the three fields, goes through the full model. The
answer itself comes from ``decide_json``, which is memoised the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from separation.errors import InputError
from separation.policy.engine import answer_json, answer_tail, request_key
from separation.policy.intake import MAX_REQUEST_BYTES, parse_request
from separation.policy.model import Request
from separation.policy.pack import Pack

__all__ = ["BatchTriage"]

_ID_MAX = Request.model_fields["id"].metadata[0].max_length
_DESCRIPTION_MAX = Request.model_fields["description"].metadata[0].max_length
_SHAPES_LIMIT = 20_000


class BatchTriage:
    """Decides request lines for one pack; keeps the shapes it has validated (bounded)."""

    def __init__(self, pack: Pack, as_of: dt.date | None = None) -> None:
        self._pack = pack
        self._as_of = as_of
        self._shapes: dict[bytes, tuple[Request, tuple[object, ...]]] = {}
        # The Decision JSON after the request id is fixed by the shape and the local day.
        self._tails: dict[tuple[tuple[object, ...], dt.date], bytes] = {}

    def decide_line(self, line: bytes | dict[str, Any], where: str) -> bytes:
        """The Decision JSON for one request; InputError names the field when it is invalid."""
        pack, as_of = self._pack, self._as_of
        if isinstance(line, bytes) and len(line) > MAX_REQUEST_BYTES:
            raise InputError(f"request is larger than {MAX_REQUEST_BYTES} bytes", where=where)
        try:
            raw = orjson.loads(line) if isinstance(line, bytes) else dict(line)
        except orjson.JSONDecodeError:
            raw = None
        if not isinstance(raw, dict):
            return self._validated(line, where)  # the model's own words for what is wrong
        # Absent and null mean the same for these three fields ("not known").
        ident = raw.pop("id", None)
        when = raw.pop("received_at", None)
        text = raw.pop("description", None)
        received_at = _received_at(when)
        if (
            received_at is None
            or (ident is not None and (type(ident) is not str or len(ident) > _ID_MAX))
            or (text is not None and (type(text) is not str or len(text) > _DESCRIPTION_MAX))
        ):  # anything unusual: the full model judges it, in its own words
            return self._validated(line, where)
        shape = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
        known = self._shapes.get(shape)
        if known is None:
            request = parse_request(line, where=where)  # full validation, errors included
            known = (request, request_key(request))
            if len(self._shapes) >= _SHAPES_LIMIT:
                self._shapes.clear()
            self._shapes[shape] = known
        template, key = known
        day = received_at.astimezone(pack.timezone).date()
        tail = self._tails.get((key, day))
        if tail is None:
            tail = answer_tail(template, key, day, pack, as_of)
            if len(self._tails) >= _SHAPES_LIMIT * 5:
                self._tails.clear()
            self._tails[(key, day)] = tail
        return b'{"request_id":' + orjson.dumps(ident) + tail

    def _validated(self, line: bytes | dict[str, Any], where: str) -> bytes:
        request = parse_request(line, where=where)
        return answer_json(
            request, request_key(request), request.received_at, request.id, self._pack, self._as_of
        )


def _received_at(value: object) -> dt.datetime | None:
    """A date-time written the canonical way ('2026-01-06T10:00:00-06:00', or with 'Z'), which
    the model reads the same; None for anything else, which the full model then judges."""
    if type(value) is not str:
        return None
    size = len(value)
    if not (
        (size == 25 and value[19] in "+-" and value[22] == ":") or (size == 20 and value[19] == "Z")
    ) or not (value[4] == value[7] == "-" and value[10] == "T" and value[13] == value[16] == ":"):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
