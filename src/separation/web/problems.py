"""RFC 9457 problem details, and the two ASGI guards every request passes: a body size limit and a last-resort
handler that answers 500 without ever logging an exception's message (it could carry a request's data)."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from separation.errors import InputError, NotFoundError, PackError, SeparationError

__all__ = ["PROBLEM_JSON", "BodyLimit", "LastResort", "install_handlers", "problem"]

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger("separation.web")
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem_body(status: int, detail: str | None = None, **extra: Any) -> bytes:
    body: dict[str, Any] = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return orjson.dumps(body)


def problem(
    status: int, detail: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    return Response(
        problem_body(status, detail, **extra), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> Response:
        # Only the location and pydantic's message: never the offending input (it may be a description).
        errors = [
            {"field": _field(e.get("loc", ())), "problem": str(e.get("msg", "invalid"))} for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "problem": "invalid"}
        return problem(422, f"field '{first['field']}': {first['problem']}", errors=errors)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> Response:
        field = exc.field or "body"
        return problem(422, str(exc), errors=[{"field": field, "problem": exc.problem}])

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> Response:
        return problem(404, str(exc))

    @app.exception_handler(PackError)
    async def _pack(_: Request, exc: PackError) -> Response:
        _log.error("policy pack problem: %s", exc)
        return problem(503, "the policy pack could not be used")

    @app.exception_handler(SeparationError)
    async def _separation(_: Request, exc: SeparationError) -> Response:
        from separation.register.workflow import ConflictError

        if isinstance(exc, ConflictError):
            return problem(409, str(exc))
        return problem(422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers) if exc.headers else None
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in _TITLES.values() else None
        return problem(exc.status_code, detail, headers=headers)


async def _send_problem(send: Send, status: int, detail: str) -> None:
    body = problem_body(status, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse bodies over ``limit`` bytes with 413, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                length = value
                break
        if length is not None:
            try:
                announced = int(length)
            except ValueError:
                await _send_problem(send, 400, "Content-Length is not a number")
                return
            if announced > self.limit:
                await _send_problem(send, 413, f"the body is larger than {self.limit} bytes")
                return
            await self.app(scope, receive, send)
            return
        # No length announced: read the stream up to the limit, then replay it.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _send_problem(send, 413, f"the body is larger than {self.limit} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class LastResort:
    """Answer an unexpected error with a bare 500 and log its type only, never its message or traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            _log.error("unexpected %s on %s %s", type(exc).__name__, scope.get("method"), scope.get("path"))
            if not started:
                await _send_problem(send, 500, "unexpected error; it has been logged without request data")
