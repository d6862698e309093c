"""What every page handler shares: the template environment, the role table, the session dependency,
form parsing and CSRF checks."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from separation.register.enums import Role
from separation.web.pages.i18n import choose_language, messages
from separation.web.pages.session import COOKIE, Session, cookie_secret, load_session
from separation.web.state import RegisterState

__all__ = [
    "PAGE_ROLES",
    "PUBLIC_PAGES",
    "PageError",
    "check_csrf",
    "env",
    "read_form",
    "render",
    "secret",
    "session_for",
    "state_of",
]

C, AT, AU, AD = Role.clerk, Role.attorney, Role.auditor, Role.admin
STAFF = frozenset({C, AT, AU})

# The access table of the pages, one row per route, like the API's ROUTE_ROLES. Tests walk it.
PAGE_ROLES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/dashboard"): STAFF,
    ("GET", "/requests"): STAFF,
    ("GET", "/requests/new"): frozenset({C, AT}),
    ("POST", "/requests/new"): frozenset({C, AT}),
    ("POST", "/requests/preview"): frozenset({C, AT}),
    ("GET", "/requests/{request_id}"): STAFF,
    ("GET", "/requests/{request_id}/letter"): STAFF,
    ("POST", "/requests/{request_id}/review"): frozenset({AT}),
    ("GET", "/requests/{request_id}/account"): frozenset({C, AT}),
    ("POST", "/requests/{request_id}/account"): frozenset({C, AT}),
    ("GET", "/obligations"): STAFF,
    ("POST", "/obligations/{obligation_id}/done"): frozenset({C, AT}),
    ("GET", "/complaints"): STAFF,
    ("GET", "/complaints/new"): frozenset({C, AT}),
    ("POST", "/complaints/new"): frozenset({C, AT}),
    ("GET", "/complaints/{complaint_id}"): STAFF,
    ("POST", "/complaints/{complaint_id}/status"): frozenset({AT}),
    ("GET", "/screen"): STAFF,
    ("POST", "/screen"): STAFF,
    ("GET", "/reports"): frozenset({AT, AU, AD}),
    ("GET", "/reports/download"): frozenset({AT, AU, AD}),
    ("POST", "/reports/publish"): frozenset({AU, AD}),
    ("GET", "/ledger"): frozenset({AT, AU, AD}),
    ("POST", "/logout"): frozenset({C, AT, AU, AD}),
}
PUBLIC_PAGES = frozenset(
    {
        ("GET", "/"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/public"),
        ("GET", "/public/complaint"),
        ("POST", "/public/complaint"),
    }
)
MAX_FORM_FIELDS = 200


class PageError(Exception):
    """An error shown as an HTML page (or a redirect to sign in, for 303)."""

    def __init__(self, status: int, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.location = location


def state_of(request: Request) -> RegisterState:
    state: RegisterState = request.app.state.register
    return state


def secret(request: Request) -> bytes:
    cached: bytes | None = getattr(request.app.state, "page_secret", None)
    if cached is None:
        cached = cookie_secret(state_of(request).settings)
        request.app.state.page_secret = cached
    return cached


def session_for(method: str, path: str) -> Callable[[Request], Awaitable[Session]]:
    """A dependency admitting the roles of ``PAGE_ROLES[(method, path)]``: without a session, a redirect to
    sign in (303); with another role, 403."""
    allowed = PAGE_ROLES[(method, path)]

    async def dependency(request: Request) -> Session:
        found = await run_in_threadpool(
            load_session, state_of(request).db, secret(request), request.cookies.get(COOKIE)
        )
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise PageError(303, "sign in first", location="/login?next=" + quote(target, safe=""))
        if found.principal.role not in allowed:
            raise PageError(403, f"The {found.principal.role.value} role may not use this page.")
        return found

    return dependency


async def read_form(request: Request) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body (the only kind the pages post)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise PageError(415, "Forms must be sent URL-encoded.")
    body = await request.body()
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise PageError(400, "The form could not be read.") from None


def first(form: dict[str, list[str]], name: str, default: str = "") -> str:
    values = form.get(name)
    return values[0] if values else default


def check_csrf(form: dict[str, list[str]], session: Session) -> None:
    if not hmac.compare_digest(first(form, "csrf"), session.csrf):
        raise PageError(403, "The form's security token is missing or stale; reload the page and try again.")


@lru_cache(maxsize=1)
def env() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("separation.web.pages", "templates"),
        autoescape=True,
        # Lenient: templates test optional keys (``errors.asks``) on plain dicts.
        undefined=jinja2.Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["label"] = lambda v: str(v).replace("_", " ") if v is not None else ""
    return environment


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    session: Session | None = None,
    status: int = 200,
    lang: str | None = None,
) -> HTMLResponse:
    chosen = lang or choose_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    full = {
        "user": session.principal if session else None,
        "csrf": session.csrf if session else "",
        "path": request.url.path,
        "lang": chosen,
        "t": messages(chosen),
        "Role": Role,
        **context,
    }
    html = env().get_template(template).render(full)
    return HTMLResponse(html, status_code=status)
