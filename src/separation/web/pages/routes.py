"""The HTML pages: handlers parse the form, call the register or the reports, and render a template.

Every staff page names its roles in ``PAGE_ROLES``; the public pages (``/public``, the public complaint
form, sign-in) read only the published report snapshot, never the operational tables.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from separation.errors import InputError, NotFoundError, SeparationError
from separation.letters import letter_context, render_html, render_pdf, render_text
from separation.policy import decide
from separation.policy.model import Department, Outcome
from separation.register import queries, workflow
from separation.register.enums import (
    ComplaintCategory,
    ComplaintStatus,
    Disposition,
    ObligationState,
    ReviewAction,
    Role,
)
from separation.reports import FORMATS, latest_published, make_report, publish
from separation.reports import render as render_report
from separation.reports.aggregates import is_investigation
from separation.reports.model import INVESTIGATION_FIELDS
from separation.reports.render import render_body
from separation.reports.store import latest_account, record_account
from separation.web.pages import data
from separation.web.pages.base import (
    PageError,
    check_csrf,
    first,
    read_form,
    render,
    secret,
    session_for,
    state_of,
)
from separation.web.pages.forms import CHOICES, COMMON_AGENCIES, FormErrors, request_from_form
from separation.web.pages.headers import SecurityHeaders
from separation.web.pages.highlight import highlight
from separation.web.pages.i18n import messages
from separation.web.pages.session import (
    COOKIE,
    SESSION_HOURS,
    Session,
    end_session,
    form_token,
    start_session,
    valid_form_token,
)

__all__ = ["install", "router"]

router = APIRouter(include_in_schema=False)
Sess = Session
MAX_SCREEN = 100_000
MAX_NOTE = 4000
MAX_NARRATIVE = 20_000
MAX_CONTACT = 1_000


def _today(request: Request) -> dt.date:
    return dt.datetime.now(ZoneInfo(state_of(request).settings.timezone)).date()


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _home(role: Role) -> str:
    return "/ledger" if role is Role.admin else "/dashboard"


# --- public ------------------------------------------------------------------------------------------


@router.get("/")
def root(request: Request) -> RedirectResponse:
    return _see_other("/public" + (f"?{request.url.query}" if request.url.query else ""))


@router.get("/public")
def public_page(request: Request) -> HTMLResponse:
    # Reads the published snapshot only.
    found = latest_published(state_of(request).db)
    context: dict[str, Any] = {"report": None}
    if found is not None:
        report, published_at, sha = found
        body = render_body(report, _lang(request))
        context = {"report": report, "body": body, "published_at": published_at, "sha": sha}
    return render(request, "public.html.j2", context)


def _complaint_form(
    request: Request, lang: str, errors: dict[str, str], values: dict[str, str]
) -> HTMLResponse:
    return render(
        request,
        "public_complaint.html.j2",
        {
            "form_token": form_token(secret(request), "complaint"),
            "categories": [c.value for c in ComplaintCategory],
            "departments": [d.value for d in Department],
            "errors": errors,
            "values": values,
        },
        lang=lang,
        status=422 if errors else 200,
    )


def _lang(request: Request, form: dict[str, list[str]] | None = None) -> str:
    from separation.web.pages.i18n import choose_language

    wanted = first(form, "lang") if form else request.query_params.get("lang")
    return choose_language(wanted, request.headers.get("accept-language"))


@router.get("/public/complaint")
def public_complaint_form(request: Request) -> HTMLResponse:
    return _complaint_form(request, _lang(request), {}, {})


@router.post("/public/complaint")
async def public_complaint(request: Request) -> HTMLResponse:
    form = await read_form(request)
    lang = _lang(request, form)
    t = messages(lang)
    values = {k: first(form, k) for k in ("category", "department", "narrative", "contact")}
    if not valid_form_token(secret(request), "complaint", first(form, "csrf")):
        return _complaint_form(request, lang, {"form": t["expired"]}, values)
    errors: dict[str, str] = {}
    try:
        category = ComplaintCategory(values["category"])
    except ValueError:
        errors["category"] = t["bad_category"]
    department = values["department"] if values["department"] in {d.value for d in Department} else None
    if len(values["narrative"]) > MAX_NARRATIVE:
        errors["narrative"] = t["too_long"]
    if len(values["contact"]) > MAX_CONTACT:
        errors["contact"] = t["too_long"]
    if errors:
        return _complaint_form(request, lang, errors, values)
    from separation.register.auth import Principal

    # The public form files as no user: the complaint's filer is recorded as "public".
    public = Principal("public", "public complaint form", Role.clerk, None)
    contact = values["contact"].strip() or None
    result = await run_in_threadpool(
        workflow.file_complaint,
        state_of(request).db,
        public,
        category=category,
        received_at=None,
        department=department,
        anonymous=contact is None,
        narrative=values["narrative"].strip() or None,
        contact=contact,
    )
    return render(request, "public_thanks.html.j2", {"reference": result["id"]}, lang=lang)


# --- sign in and out -----------------------------------------------------------------------------------


def _safe_next(target: str) -> str:
    # Only a path on this site: never "//host" or a scheme, so sign-in cannot redirect elsewhere.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


@router.get("/login")
def login_form(request: Request, next: Annotated[str, Query(max_length=500)] = "") -> HTMLResponse:
    return render(
        request,
        "login.html.j2",
        {"form_token": form_token(secret(request), "login"), "next": _safe_next(next), "error": None},
    )


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    target = _safe_next(first(form, "next"))
    context = {"form_token": form_token(secret(request), "login"), "next": target, "error": None}
    if not valid_form_token(secret(request), "login", first(form, "csrf")):
        context["error"] = "The form expired; please sign in again."
        return render(request, "login.html.j2", context, status=403)
    started = await run_in_threadpool(
        start_session, state_of(request).db, secret(request), first(form, "token")
    )
    if started is None:
        context["error"] = "That access token is unknown or revoked."
        return render(request, "login.html.j2", context, status=401)
    cookie, principal = started
    response = _see_other(target or _home(principal.role))
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
async def logout(
    request: Request, session: Annotated[Sess, Depends(session_for("POST", "/logout"))]
) -> Response:
    check_csrf(await read_form(request), session)
    await run_in_threadpool(end_session, state_of(request).db, secret(request), request.cookies.get(COOKIE))
    response = _see_other("/login")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


# --- dashboard -----------------------------------------------------------------------------------------


@router.get("/dashboard")
def dashboard(
    request: Request, session: Annotated[Sess, Depends(session_for("GET", "/dashboard"))]
) -> HTMLResponse:
    state, p, today = state_of(request), session.principal, _today(request)
    overdue = queries.list_obligations(state.db, p, ObligationState.overdue, today, 10, 0)
    open_ = queries.list_obligations(state.db, p, ObligationState.open, today, 1, 0)
    waiting_total, waiting = data.awaiting_review(state.db, p)
    recent = queries.list_requests(state.db, p, queries.RequestFilter(limit=10))
    seq, head = data.ledger_head(state.db)
    return render(
        request,
        "dashboard.html.j2",
        {
            "overdue": overdue,
            "open_total": open_["total"],
            "waiting_total": waiting_total,
            "waiting": waiting,
            "recent": recent["items"],
            "ledger": {"seq": seq, "head": head},
        },
        session=session,
    )


@router.get("/ledger")
def ledger_page(
    request: Request, session: Annotated[Sess, Depends(session_for("GET", "/ledger"))]
) -> HTMLResponse:
    from separation.register.ledger import verify

    check = request.query_params.get("verify") == "1"
    result = None
    if check:
        with state_of(request).db.read() as conn:
            result = verify(conn).to_dict()
    seq, head = data.ledger_head(state_of(request).db)
    return render(request, "ledger.html.j2", {"seq": seq, "head": head, "result": result}, session=session)


# --- requests ------------------------------------------------------------------------------------------


def _form_context(request: Request, session: Session, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    tz = ZoneInfo(state_of(request).settings.timezone)
    defaults = {
        "received_at": dt.datetime.now(tz).strftime("%Y-%m-%dT%H:%M"),
        "department": session.principal.department or "",
        "identified": "yes",
    }
    return {
        "choices": CHOICES,
        "agencies": COMMON_AGENCIES,
        "v": {**defaults, **values},
        "errors": {},
        "decision": None,
        **extra,
    }


def _values(form: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {k: v[0] for k, v in form.items() if k not in ("asks", "items", "csrf", "action")}
    out["asks"] = form.get("asks", [])
    out["items"] = form.get("items", [])
    out.setdefault("identified", "no")
    return out


@router.get("/requests/new")
def request_form(
    request: Request, session: Annotated[Sess, Depends(session_for("GET", "/requests/new"))]
) -> HTMLResponse:
    return render(request, "request_new.html.j2", _form_context(request, session, {}), session=session)


def _decision_fragment(decision: Any) -> str:
    return env_render("_decision.html.j2", {"decision": decision, "errors": {}})


def env_render(template: str, context: dict[str, Any]) -> str:
    from separation.web.pages.base import env

    return env().get_template(template).render(context)


@router.post("/requests/preview")
async def request_preview(
    request: Request, session: Annotated[Sess, Depends(session_for("POST", "/requests/preview"))]
) -> JSONResponse:
    """The proposed decision for the form as filled so far; nothing is stored."""
    form = await read_form(request)
    check_csrf(form, session)
    state = state_of(request)
    try:
        body = request_from_form(form, state.settings.timezone)
    except FormErrors as exc:
        return JSONResponse(
            {
                "decision": None,
                "errors": exc.errors,
                "html": env_render("_decision.html.j2", {"decision": None, "errors": exc.errors}),
            }
        )
    decision = decide(body, state.pack)
    return JSONResponse(
        {"decision": decision.to_json_dict(), "errors": {}, "html": _decision_fragment(decision)}
    )


@router.post("/requests/new")
async def request_file(
    request: Request, session: Annotated[Sess, Depends(session_for("POST", "/requests/new"))]
) -> Response:
    form = await read_form(request)
    check_csrf(form, session)
    state = state_of(request)
    values = _values(form)
    try:
        body = request_from_form(form, state.settings.timezone)
    except FormErrors as exc:
        ctx = _form_context(request, session, values, errors=exc.errors)
        return render(request, "request_new.html.j2", ctx, session=session, status=422)
    decision = decide(body, state.pack)
    if first(form, "action") != "file":
        ctx = _form_context(request, session, values, decision=decision)
        return render(request, "request_new.html.j2", ctx, session=session)
    filed = await workflow.file_request_async(state.db, session.principal, body, decision)
    return _see_other(f"/requests/{filed.id}?filed=1")


@router.get("/requests")
def request_list(
    request: Request,
    session: Annotated[Sess, Depends(session_for("GET", "/requests"))],
    outcome: Annotated[str, Query(max_length=20)] = "",
    agency: Annotated[str, Query(max_length=200)] = "",
    ask: Annotated[str, Query(max_length=40)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    errors: dict[str, str] = {}
    if outcome and outcome not in {o.value for o in Outcome}:
        errors["outcome"] = "unknown outcome"
    if ask and ask not in CHOICES["asks"]:
        errors["ask"] = "unknown ask"
    dates: dict[str, dt.date | None] = {}
    for name, raw in (("from", date_from), ("to", date_to)):
        try:
            dates[name] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = "give a date as YYYY-MM-DD"
            dates[name] = None
    per_page = 50
    filters = queries.RequestFilter(
        outcome=outcome or None if "outcome" not in errors else None,
        agency=agency or None,
        ask=ask or None if "ask" not in errors else None,
        received_from=dates["from"],
        received_to=dates["to"],
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    result = queries.list_requests(state_of(request).db, session.principal, filters)
    query = {"outcome": outcome, "agency": agency, "ask": ask, "from": date_from, "to": date_to}
    base = "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items() if v)
    return render(
        request,
        "requests.html.j2",
        {
            "result": result,
            "q": query,
            "errors": errors,
            "page": page,
            "pages": max(1, -(-int(result["total"]) // per_page)),
            "base": base,
            "outcomes": [o.value for o in Outcome],
            "asks": CHOICES["asks"],
        },
        session=session,
        status=422 if errors else 200,
    )


def _letter_view(request: Request, session: Session, request_id: str) -> dict[str, Any]:
    state = state_of(request)
    view = queries.request_for_letter(state.db, session.principal, request_id)
    return letter_context(view, jurisdiction=state.jurisdiction, today=_today(request))


@router.get("/requests/{request_id}")
def request_detail(
    request_id: str,
    request: Request,
    session: Annotated[Sess, Depends(session_for("GET", "/requests/{request_id}"))],
) -> HTMLResponse:
    state = state_of(request)
    try:
        item = queries.get_request(state.db, session.principal, request_id[:64], _today(request))
    except NotFoundError:
        raise PageError(404, "No such request.") from None
    names = data.user_names(
        state.db, {e["actor"] for e in item["timeline"]} | {d["decided_by"] for d in item["decisions"]}
    )
    proposed = next((d["decision"] for d in item["decisions"] if d.get("stage") == "proposed"), None)
    crim = is_investigation(proposed or item.get("decision"))
    account = latest_account(state.db, request_id) if crim else None
    letter_text = render_text(_letter_view(request, session, request_id), state.pack_dir)
    return render(
        request,
        "request_detail.html.j2",
        {
            "item": item,
            "names": names,
            "letter_text": letter_text,
            "filed": request.query_params.get("filed") == "1",
            "outcomes": [o.value for o in Outcome],
            "crim": crim,
            "account": account,
            "fields": INVESTIGATION_FIELDS,
            # The description, for the attorney role only (get_request includes it only for them).
            "description": item["request"].get("description")
            if session.principal.role is Role.attorney
            else None,
        },
        session=session,
    )


@router.get("/requests/{request_id}/letter")
def request_letter(
    request_id: str,
    request: Request,
    session: Annotated[Sess, Depends(session_for("GET", "/requests/{request_id}/letter"))],
    format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html",
) -> Response:
    try:
        context = _letter_view(request, session, request_id)
    except NotFoundError:
        raise PageError(404, "No such request.") from None
    pack_dir = state_of(request).pack_dir
    if format == "pdf":
        return Response(
            render_pdf(context, pack_dir),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="letter-{request_id[:40]}.pdf"'},
        )
    # The letter's own stylesheet is inline; it carries no script, so only inline style is let through.
    return HTMLResponse(
        render_html(context, pack_dir),
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        },
    )


@router.post("/requests/{request_id}/review")
async def request_review(
    request_id: str,
    request: Request,
    session: Annotated[Sess, Depends(session_for("POST", "/requests/{request_id}/review"))],
) -> Response:
    form = await read_form(request)
    check_csrf(form, session)
    try:
        action = ReviewAction(first(form, "action"))
        outcome = Outcome(first(form, "outcome")) if action is ReviewAction.override else None
    except ValueError:
        raise PageError(422, "Choose confirm, or override with a new outcome.") from None
    reason = first(form, "reason")
    if not reason.strip():
        raise PageError(422, "A reason is required to confirm or override a decision.")
    await run_in_threadpool(
        workflow.review_decision, state_of(request).db, session.principal, request_id, action, reason, outcome
    )
    return _see_other(f"/requests/{request_id}?reviewed=1")


@router.get("/requests/{request_id}/account")
def account_form(
    request_id: str,
    request: Request,
    session: Annotated[Sess, Depends(session_for("GET", "/requests/{request_id}/account"))],
) -> HTMLResponse:
    state = state_of(request)
    try:
        queries.get_request(state.db, session.principal, request_id, _today(request))
    except NotFoundError:
        raise PageError(404, "No such request.") from None
    found = latest_account(state.db, request_id)
    return render(
        request,
        "account.html.j2",
        {
            "request_id": request_id,
            "fields": INVESTIGATION_FIELDS,
            "v": found[1] if found else {},
            "version": found[0] if found else 0,
        },
        session=session,
    )


@router.post("/requests/{request_id}/account")
async def account_save(
    request_id: str,
    request: Request,
    session: Annotated[Sess, Depends(session_for("POST", "/requests/{request_id}/account"))],
) -> Response:
    form = await read_form(request)
    check_csrf(form, session)
    state = state_of(request)
    try:
        queries.get_request(state.db, session.principal, request_id, _today(request))
    except NotFoundError:
        raise PageError(404, "No such request.") from None
    fields = {name: first(form, name) for name, _ in INVESTIGATION_FIELDS}
    await run_in_threadpool(record_account, state.db, request_id, fields, actor=session.principal.user_id)
    return _see_other(f"/requests/{request_id}?account=1")


# --- obligations ---------------------------------------------------------------------------------------


@router.get("/obligations")
def obligation_list(
    request: Request,
    session: Annotated[Sess, Depends(session_for("GET", "/obligations"))],
    state: Annotated[str, Query(max_length=10)] = "open",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    chosen = ObligationState(state) if state in {s.value for s in ObligationState} else None
    per_page = 100
    result = queries.list_obligations(
        state_of(request).db, session.principal, chosen, _today(request), per_page, (page - 1) * per_page
    )
    return render(
        request,
        "obligations.html.j2",
        {
            "result": result,
            "state": state if chosen else "all",
            "page": page,
            "pages": max(1, -(-int(result["total"]) // per_page)),
        },
        session=session,
    )


@router.post("/obligations/{obligation_id}/done")
async def obligation_done(
    obligation_id: str,
    request: Request,
    session: Annotated[Sess, Depends(session_for("POST", "/obligations/{obligation_id}/done"))],
) -> Response:
    form = await read_form(request)
    check_csrf(form, session)
    note = first(form, "note")[:MAX_NOTE] or None
    await run_in_threadpool(
        workflow.mark_obligation_done, state_of(request).db, session.principal, obligation_id, note
    )
    back = _safe_next(first(form, "back")) or "/obligations"
    return _see_other(back)


# --- complaints ----------------------------------------------------------------------------------------


@router.get("/complaints")
def complaint_list(
    request: Request,
    session: Annotated[Sess, Depends(session_for("GET", "/complaints"))],
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    chosen = ComplaintStatus(status) if status in {s.value for s in ComplaintStatus} else None
    per_page = 50
    result = queries.list_complaints(
        state_of(request).db, session.principal, chosen, per_page, (page - 1) * per_page
    )
    for item in result["items"]:
        item.pop("narrative", None)
        item.pop("contact", None)
    return render(
        request,
        "complaints.html.j2",
        {
            "result": result,
            "status": status if chosen else "",
            "statuses": [s.value for s in ComplaintStatus],
            "page": page,
            "pages": max(1, -(-int(result["total"]) // per_page)),
        },
        session=session,
    )


@router.get("/complaints/new")
def complaint_new_form(
    request: Request, session: Annotated[Sess, Depends(session_for("GET", "/complaints/new"))]
) -> HTMLResponse:
    return render(
        request,
        "complaint_new.html.j2",
        {
            "categories": [c.value for c in ComplaintCategory],
            "departments": [d.value for d in Department],
            "errors": {},
        },
        session=session,
    )


@router.post("/complaints/new")
async def complaint_new(
    request: Request, session: Annotated[Sess, Depends(session_for("POST", "/complaints/new"))]
) -> Response:
    form = await read_form(request)
    check_csrf(form, session)
    try:
        category = ComplaintCategory(first(form, "category"))
    except ValueError:
        raise PageError(422, "Choose the complaint's category.") from None
    department = first(form, "department")
    if department and department not in {d.value for d in Department}:
        raise PageError(422, "Unknown department.")
    narrative, contact = first(form, "narrative"), first(form, "contact")
    if len(narrative) > MAX_NARRATIVE or len(contact) > MAX_CONTACT:
        raise PageError(422, "The narrative or the contact is too long.")
    anonymous = first(form, "anonymous") == "yes"
    result = await run_in_threadpool(
        workflow.file_complaint,
        state_of(request).db,
        session.principal,
        category=category,
        received_at=None,
        department=department or None,
        anonymous=anonymous,
        narrative=narrative.strip() or None,
        contact=None if anonymous else (contact.strip() or None),
    )
    return _see_other(f"/complaints/{result['id']}")


@router.get("/complaints/{complaint_id}")
def complaint_page(
    complaint_id: str,
    request: Request,
    session: Annotated[Sess, Depends(session_for("GET", "/complaints/{complaint_id}"))],
) -> HTMLResponse:
    state = state_of(request)
    try:
        item = data.complaint_detail(state.db, session.principal, complaint_id[:64])
    except NotFoundError:
        raise PageError(404, "No such complaint.") from None
    names = data.user_names(state.db, {e["actor"] for e in item["timeline"] if e["actor"]})
    return render(
        request,
        "complaint_detail.html.j2",
        {
            "item": item,
            "names": names,
            "statuses": [s.value for s in ComplaintStatus if s is not ComplaintStatus.received],
            "dispositions": [d.value for d in Disposition],
        },
        session=session,
    )


@router.post("/complaints/{complaint_id}/status")
async def complaint_status(
    complaint_id: str,
    request: Request,
    session: Annotated[Sess, Depends(session_for("POST", "/complaints/{complaint_id}/status"))],
) -> Response:
    form = await read_form(request)
    check_csrf(form, session)
    try:
        status = ComplaintStatus(first(form, "status"))
        disposition = Disposition(first(form, "disposition")) if first(form, "disposition") else None
    except ValueError:
        raise PageError(422, "Choose a status (and a disposition to close).") from None
    await run_in_threadpool(
        workflow.update_complaint,
        state_of(request).db,
        session.principal,
        complaint_id,
        status,
        disposition,
        first(form, "note")[:MAX_NOTE] or None,
    )
    return _see_other(f"/complaints/{complaint_id}")


# --- screen text ---------------------------------------------------------------------------------------


@router.get("/screen")
def screen_form(
    request: Request, session: Annotated[Sess, Depends(session_for("GET", "/screen"))]
) -> HTMLResponse:
    return render(request, "screen.html.j2", {"result": None, "text": "", "lang_choice": ""}, session=session)


@router.post("/screen")
async def screen(
    request: Request, session: Annotated[Sess, Depends(session_for("POST", "/screen"))]
) -> HTMLResponse:
    from separation.firewall import detect, redact

    form = await read_form(request)
    check_csrf(form, session)
    text = first(form, "text")
    if len(text) > MAX_SCREEN:
        raise PageError(413, f"Paste at most {MAX_SCREEN:,} characters at a time.")
    lang = first(form, "lang") if first(form, "lang") in ("en", "es") else None
    findings = await run_in_threadpool(detect, text, lang)
    redacted = redact(text, findings)
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return render(
        request,
        "screen.html.j2",
        {
            "result": {
                "marked": highlight(text, findings),
                "redacted": redacted.text,
                "counts": counts,
                "total": len(findings),
            },
            "text": text,
            "lang_choice": lang or "",
        },
        session=session,
    )


# --- reports -------------------------------------------------------------------------------------------


def _period(raw_from: str, raw_to: str) -> tuple[dt.date, dt.date]:
    try:
        return dt.date.fromisoformat(raw_from), dt.date.fromisoformat(raw_to)
    except ValueError:
        raise PageError(422, "Give the period as two dates, YYYY-MM-DD.") from None


@router.get("/reports")
def reports_page(
    request: Request, session: Annotated[Sess, Depends(session_for("GET", "/reports"))]
) -> HTMLResponse:
    today = _today(request)
    start = dt.date(today.year, ((today.month - 1) // 3) * 3 + 1, 1)
    published = latest_published(state_of(request).db)
    return render(
        request,
        "reports.html.j2",
        {
            "default_from": start.isoformat(),
            "default_to": today.isoformat(),
            "published": {"from": published[0].period_from, "to": published[0].period_to, "at": published[1]}
            if published
            else None,
            "may_publish": session.principal.role in (Role.auditor, Role.admin),
        },
        session=session,
    )


@router.get("/reports/download")
def report_download(
    request: Request,
    session: Annotated[Sess, Depends(session_for("GET", "/reports/download"))],
    date_from: Annotated[str, Query(alias="from", max_length=10)],
    date_to: Annotated[str, Query(alias="to", max_length=10)],
    format: Annotated[str, Query(pattern="^(html|pdf|csv)$")] = "html",
    public: bool = False,
) -> Response:
    start, end = _period(date_from, date_to)
    state = state_of(request)
    report = make_report(
        state.db,
        state.settings,
        period_from=start,
        period_to=end,
        jurisdiction=state.jurisdiction,
        public=public,
    )
    name = f"separation-report-{start}-{end}{'-public' if public else ''}.{format}"
    return Response(
        render_report(report, format),
        media_type=FORMATS[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/reports/publish")
async def report_publish(
    request: Request, session: Annotated[Sess, Depends(session_for("POST", "/reports/publish"))]
) -> Response:
    form = await read_form(request)
    check_csrf(form, session)
    start, end = _period(first(form, "from"), first(form, "to"))
    state = state_of(request)

    def _do() -> None:
        report = make_report(
            state.db,
            state.settings,
            period_from=start,
            period_to=end,
            jurisdiction=state.jurisdiction,
            public=True,
        )
        publish(state.db, report, actor=session.principal.user_id)

    await run_in_threadpool(_do)
    return _see_other("/public")


# --- wiring --------------------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Add the pages to ``app``: routes, static files, the security headers and the HTML error page."""
    app.include_router(router)
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("separation.web.pages") / "static")),
        name="static",
    )
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        if exc.status == 303 and exc.location:
            return _see_other(exc.location)
        return render(
            request, "error.html.j2", {"status": exc.status, "message": exc.message}, status=exc.status
        )

    # Register errors raised inside page handlers are shown as pages; the API keeps its problem details.
    previous: Any = app.exception_handlers.get(SeparationError)

    @app.exception_handler(SeparationError)
    async def _separation(request: Request, exc: SeparationError) -> Response:
        if request.url.path.startswith("/api") and previous is not None:
            return await previous(request, exc)  # type: ignore[no-any-return]
        from separation.register.workflow import ConflictError

        status = 404 if isinstance(exc, NotFoundError) else 409 if isinstance(exc, ConflictError) else 422
        message = (
            str(exc)
            if isinstance(exc, InputError | NotFoundError | ConflictError)
            else "That could not be done."
        )
        return render(request, "error.html.j2", {"status": status, "message": message}, status=status)

    for kind in (InputError, NotFoundError):
        api_handler = app.exception_handlers.get(kind)

        def _make(api: Any) -> Any:
            async def handler(request: Request, exc: Exception) -> Response:
                if request.url.path.startswith("/api") and api is not None:
                    return await api(request, exc)  # type: ignore[no-any-return]
                status = 404 if isinstance(exc, NotFoundError) else 422
                return render(
                    request, "error.html.j2", {"status": status, "message": str(exc)}, status=status
                )

            return handler

        app.add_exception_handler(kind, _make(api_handler))
