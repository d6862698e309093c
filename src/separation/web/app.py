"""The app factory. ``create_app(settings)`` builds one FastAPI app: the JSON API under ``/api``, OpenAPI at
``/docs``; HTML pages are added by their own router (see ``separation.web``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from separation import __version__
from separation.register.settings import Settings
from separation.web.api import router as api_router
from separation.web.pages.routes import install as install_pages
from separation.web.problems import BodyLimit, LastResort, install_handlers
from separation.web.state import RegisterState

__all__ = ["app_from_env", "create_app"]

_DESCRIPTION = """\
The register of the separation ordinance: every request from an outside agency, the decision with its
reasons and citations, attorney reviews, obligations and complaints, in a tamper-evident ledger.

Authenticate with `Authorization: Bearer <token>` (tokens from `separation token create`). Errors are
RFC 9457 problem details (`application/problem+json`). A request's `description` never appears in lists,
logs or errors; only the attorney role reads it.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app for ``settings`` (default: from the environment). Opens the database (migrating it when
    ``settings.migrate``) and compiles the pack once."""
    settings = settings or Settings.from_env()
    state = RegisterState.open(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Compile the firewall's detector before the first /api/screen call, not during it (seconds).
        from separation.firewall import detector

        await run_in_threadpool(detector)
        yield
        state.db.dispose()

    app = FastAPI(
        title="separation register",
        version=__version__,
        description=_DESCRIPTION,
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.register = state
    install_handlers(app)
    app.include_router(api_router)
    install_pages(app)  # HTML pages, /static, security headers (separation.web.pages)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(LastResort)
    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn workers call (``separation serve`` has migrated the schema before they start)."""
    return create_app(Settings.from_env())
