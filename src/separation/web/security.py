"""Bearer tokens and roles: every route names the roles it admits (``ROUTE_ROLES``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from separation.register.auth import Principal, authenticate
from separation.register.enums import Role

__all__ = ["ROUTE_ROLES", "require"]

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


def require(method: str, path: str) -> Callable[..., Principal]:
    """A dependency that admits the roles of ``ROUTE_ROLES[(method, path)]``: 401 without a valid token,
    403 for another role."""
    allowed = ROUTE_ROLES[(method, path)]

    def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Principal:
        challenge = {"WWW-Authenticate": "Bearer"}
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(401, "a bearer token is required", headers=challenge)
        principal = authenticate(request.app.state.register.db, credentials.credentials)
        if principal is None:
            raise HTTPException(401, "the token is unknown or revoked", headers=challenge)
        if principal.role not in allowed:
            raise HTTPException(403, f"the {principal.role.value} role may not do this")
        return principal

    return dependency
