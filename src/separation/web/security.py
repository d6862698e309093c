"""Bearer tokens and roles: every route names the roles it admits (``ROUTE_ROLES``)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from separation.register.auth import Principal, authenticate, hash_token
from separation.register.enums import Role

__all__ = ["ROUTE_ROLES", "PrincipalCache", "require"]

# How long a worker trusts a token it has seen without asking the database again: a token revoked through
# another worker process stops working at most this long after (at once in the worker that revoked it).
PRINCIPAL_TTL_SECONDS = 10.0


class PrincipalCache:
    """Token -> principal for a few seconds, keyed by the token's hash (the secret is not kept)."""

    def __init__(self, ttl: float = PRINCIPAL_TTL_SECONDS, size: int = 1024) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token: str) -> Principal | None:
        hit = self._entries.get(hash_token(token))
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, token: str, principal: Principal) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[hash_token(token)] = (time.monotonic() + self.ttl, principal)

    def clear(self) -> None:
        self._entries.clear()


C, AT, AU, AD = Role.clerk, Role.attorney, Role.auditor, Role.admin

# The access table, one row per route: who may call it. Tests walk it for 401 and 403.
ROUTE_ROLES: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/api/requests"): frozenset({C, AT}),
    ("GET", "/api/requests"): frozenset({C, AT, AU}),
    ("GET", "/api/requests/{request_id}"): frozenset({C, AT, AU}),
    ("GET", "/api/requests/{request_id}/letter"): frozenset({C, AT, AU}),
    ("POST", "/api/requests/{request_id}/review"): frozenset({AT}),
    ("GET", "/api/obligations"): frozenset({C, AT, AU}),
    ("POST", "/api/obligations/{obligation_id}/done"): frozenset({C, AT}),
    ("POST", "/api/complaints"): frozenset({C, AT}),
    ("GET", "/api/complaints"): frozenset({C, AT, AU}),
    ("POST", "/api/complaints/{complaint_id}/status"): frozenset({AT}),
    ("POST", "/api/screen"): frozenset({C, AT, AU}),
    ("GET", "/api/ledger/verify"): frozenset({AT, AU, AD}),
    ("GET", "/api/ledger/checkpoint"): frozenset({AU, AD}),
    ("POST", "/api/tokens"): frozenset({AD}),
    ("POST", "/api/tokens/{token_id}/revoke"): frozenset({AD}),
    ("GET", "/api/users"): frozenset({AD}),
}
PUBLIC_ROUTES = frozenset({("GET", "/api/health")})

_bearer = HTTPBearer(auto_error=False, description="A token from `separation token create`.")


def require(method: str, path: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits the roles of ``ROUTE_ROLES[(method, path)]``: 401 without a valid token,
    403 for another role."""
    allowed = ROUTE_ROLES[(method, path)]

    async def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Principal:
        challenge = {"WWW-Authenticate": "Bearer"}
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(401, "a bearer token is required", headers=challenge)
        cache: PrincipalCache = request.app.state.register.principals
        principal = cache.get(credentials.credentials)
        if principal is None:
            principal = await run_in_threadpool(
                authenticate, request.app.state.register.db, credentials.credentials
            )
            if principal is not None:
                cache.put(credentials.credentials, principal)
        if principal is None:
            raise HTTPException(401, "the token is unknown or revoked", headers=challenge)
        if principal.role not in allowed:
            raise HTTPException(403, f"the {principal.role.value} role may not do this")
        return principal

    return dependency
