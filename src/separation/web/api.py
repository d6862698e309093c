"""The JSON API under ``/api``. Handlers parse, call the register and answer; no business logic here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from separation.letters import letter_context, render_html, render_pdf
from separation.policy import Request as ContractRequest
from separation.policy import decide
from separation.policy.model import Ask, Outcome
from separation.register import auth, queries, workflow
from separation.register.auth import Principal
from separation.register.enums import ComplaintStatus, ObligationState
from separation.register.ledger import load_or_create_key, make_checkpoint, verify
from separation.web.problems import problem
from separation.web.schemas import ComplaintIn, ComplaintStatusIn, DoneIn, ReviewIn, ScreenIn, TokenIn
from separation.web.security import require
from separation.web.state import RegisterState

__all__ = ["router"]

router = APIRouter(prefix="/api")
Limit = Annotated[int, Query(ge=1, le=queries.MAX_PAGE)]
Offset = Annotated[int, Query(ge=0)]


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)


def _state(request: Request) -> RegisterState:
    state: RegisterState = request.app.state.register
    return state


def _today(state: RegisterState) -> dt.date:
    return dt.datetime.now(ZoneInfo(state.settings.timezone)).date()


@router.get("/health", tags=["service"], summary="Liveness: no token needed")
async def health(request: Request) -> Response:
    state = _state(request)
    return _json({"status": "ok", "pack": state.pack_id})


@router.post(
    "/requests", status_code=201, tags=["requests"], summary="File a request; answers with the decision"
)
async def file_request(
    body: ContractRequest,
    request: Request,
    principal: Annotated[Principal, Depends(require("POST", "/api/requests"))],
) -> Response:
    # Deciding is pure and quick; the write waits on the register's writer thread, not on a pool thread.
    state = _state(request)
    decision = decide(body, state.pack)
    filed = await workflow.file_request_async(state.db, principal, body, decision)
    return _json(
        {
            "id": filed.id,
            "seq": filed.seq,
            "decision": decision.to_json_dict(),
            "obligations": filed.obligation_ids,
        },
        status=201,
        headers={"Location": f"/api/requests/{filed.id}"},
    )


@router.get(
    "/requests", tags=["requests"], summary="List requests (never with descriptions, unless attorney asks)"
)
def list_requests(
    request: Request,
    principal: Annotated[Principal, Depends(require("GET", "/api/requests"))],
    outcome: Outcome | None = None,
    agency: Annotated[str | None, Query(max_length=200)] = None,
    ask: Ask | None = None,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    include_description: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    filters = queries.RequestFilter(
        outcome=outcome.value if outcome else None,
        agency=agency,
        ask=ask.value if ask else None,
        received_from=date_from,
        received_to=date_to,
        limit=limit,
        offset=offset,
    )
    if include_description and principal.role.value != "attorney":
        return problem(403, "only the attorney role may see descriptions")
    return _json(
        queries.list_requests(_state(request).db, principal, filters, include_description=include_description)
    )


@router.get(
    "/requests/{request_id}", tags=["requests"], summary="One request with its decisions and timeline"
)
def get_request(
    request_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(require("GET", "/api/requests/{request_id}"))],
) -> Response:
    state = _state(request)
    return _json(queries.get_request(state.db, principal, request_id, _today(state)))


@router.get("/requests/{request_id}/letter", tags=["requests"], summary="The response letter (HTML or PDF)")
def letter(
    request_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(require("GET", "/api/requests/{request_id}/letter"))],
    format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html",
) -> Response:
    state = _state(request)
    view = queries.request_for_letter(state.db, principal, request_id)
    context = letter_context(view, jurisdiction=state.jurisdiction, today=_today(state))
    if format == "pdf":
        return Response(
            render_pdf(context, state.pack_dir),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="letter-{request_id}.pdf"'},
        )
    return Response(render_html(context, state.pack_dir), media_type="text/html; charset=utf-8")


@router.post("/requests/{request_id}/review", tags=["requests"], summary="Attorney: confirm or override")
def review(
    request_id: str,
    body: ReviewIn,
    request: Request,
    principal: Annotated[Principal, Depends(require("POST", "/api/requests/{request_id}/review"))],
) -> Response:
    result = workflow.review_decision(
        _state(request).db, principal, request_id, body.action, body.reason, body.outcome
    )
    return _json(result, status=201)


@router.get("/obligations", tags=["obligations"], summary="Obligations: open, overdue or done")
def list_obligations(
    request: Request,
    principal: Annotated[Principal, Depends(require("GET", "/api/obligations"))],
    state: ObligationState | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    st = _state(request)
    return _json(queries.list_obligations(st.db, principal, state, _today(st), limit, offset))


@router.post("/obligations/{obligation_id}/done", tags=["obligations"], summary="Close an obligation")
def obligation_done(
    obligation_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(require("POST", "/api/obligations/{obligation_id}/done"))],
    body: DoneIn | None = None,
) -> Response:
    note = body.note if body else None
    return _json(workflow.mark_obligation_done(_state(request).db, principal, obligation_id, note))


@router.post("/complaints", status_code=201, tags=["complaints"], summary="Intake of a complaint")
def file_complaint(
    body: ComplaintIn,
    request: Request,
    principal: Annotated[Principal, Depends(require("POST", "/api/complaints"))],
) -> Response:
    result = workflow.file_complaint(
        _state(request).db,
        principal,
        category=body.category,
        received_at=body.received_at,
        department=body.department.value if body.department else None,
        anonymous=body.anonymous,
        narrative=body.narrative,
        contact=body.contact,
    )
    return _json(result, status=201)


@router.get("/complaints", tags=["complaints"], summary="List complaints (texts for attorneys only)")
def list_complaints(
    request: Request,
    principal: Annotated[Principal, Depends(require("GET", "/api/complaints"))],
    status: ComplaintStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    return _json(queries.list_complaints(_state(request).db, principal, status, limit, offset))


@router.post(
    "/complaints/{complaint_id}/status", tags=["complaints"], summary="Attorney: investigate or close"
)
def complaint_status(
    complaint_id: str,
    body: ComplaintStatusIn,
    request: Request,
    principal: Annotated[Principal, Depends(require("POST", "/api/complaints/{complaint_id}/status"))],
) -> Response:
    result = workflow.update_complaint(
        _state(request).db, principal, complaint_id, body.status, body.disposition, body.note
    )
    return _json(result)


@router.post("/screen", tags=["firewall"], summary="Screen a text or record: findings and redacted copy")
async def screen(
    body: ScreenIn,
    principal: Annotated[Principal, Depends(require("POST", "/api/screen"))],
) -> Response:
    # Short texts are screened on the loop (a thread hop costs more than the scan); long ones in a thread.
    if body.text is not None and len(body.text) <= 20_000:
        return _screen(body)
    return await run_in_threadpool(_screen, body)


def _screen(body: ScreenIn) -> Response:
    from separation.firewall import detect, redact, redact_record

    if body.text is not None:
        findings = detect(body.text, lang=body.lang)
        redacted = redact(body.text, findings)
        return _json(
            {
                "findings": [f.to_dict() for f in findings],
                "redacted": redacted.text,
                "log": redacted.log.to_dict(),
            }
        )
    result = redact_record(body.record or {})
    return _json({"redacted": result.record, "log": result.log.to_dict()})


@router.get("/ledger/verify", tags=["ledger"], summary="Walk the hash chain; names the first bad entry")
def ledger_verify(
    request: Request,
    principal: Annotated[Principal, Depends(require("GET", "/api/ledger/verify"))],
) -> Response:
    with _state(request).db.read() as conn:
        result = verify(conn)
    return _json(result.to_dict())


@router.get("/ledger/checkpoint", tags=["ledger"], summary="A signed checkpoint of the chain head")
def ledger_checkpoint(
    request: Request,
    principal: Annotated[Principal, Depends(require("GET", "/api/ledger/checkpoint"))],
) -> Response:
    state = _state(request)
    key = load_or_create_key(state.settings.key_path)
    with state.db.read() as conn:
        checkpoint = make_checkpoint(conn, key)
    return _json(checkpoint.to_dict())


@router.post("/tokens", status_code=201, tags=["admin"], summary="Admin: a new user and token (shown once)")
def create_token(
    body: TokenIn,
    request: Request,
    principal: Annotated[Principal, Depends(require("POST", "/api/tokens"))],
) -> Response:
    issued = auth.issue_token(
        _state(request).db,
        role=body.role.value,
        name=body.name,
        department=body.department.value if body.department else None,
        actor=principal.user_id,
    )
    return _json(
        {
            "token": issued.token,
            "token_id": issued.token_id,
            "user_id": issued.user_id,
            "role": issued.role.value,
            "name": issued.name,
            "department": issued.department,
        },
        status=201,
    )


@router.post("/tokens/{token_id}/revoke", tags=["admin"], summary="Admin: revoke a token")
def revoke(
    token_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(require("POST", "/api/tokens/{token_id}/revoke"))],
) -> Response:
    state = _state(request)
    auth.revoke_token(state.db, token_id, actor=principal.user_id)
    state.principals.clear()
    return _json({"id": token_id, "revoked": True})


@router.get("/users", tags=["admin"], summary="Admin: users and their tokens (no secrets)")
def users(
    request: Request,
    principal: Annotated[Principal, Depends(require("GET", "/api/users"))],
) -> Response:
    return _json({"items": auth.list_users(_state(request).db)})
