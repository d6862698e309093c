"""In a real browser (headless Chromium driven by Playwright): sign in, file a request and see its
decision appear as the form is filled, override it as an attorney, file an anonymous complaint in Spanish,
download a report as PDF, publish it. Screenshots of the main pages go to ``artifacts/screenshots/``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from separation.register import Database, Settings, issue_token

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def _need_browser() -> None:
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"{CHROMIUM} is missing (bash scripts/install-system-deps.sh)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (pip install -e '.[dev]')"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    _need_browser()
    tmp = tmp_path_factory.mktemp("browser")
    settings = Settings(db_url=f"sqlite:///{tmp / 'register.db'}", key_path=tmp / "ledger.pem")
    db = Database.from_settings(settings)
    try:
        tokens = {
            "clerk": issue_token(db, role="clerk", name="Dana Clerk", department="police").token,
            "attorney": issue_token(db, role="attorney", name="Ari Attorney").token,
            "auditor": issue_token(db, role="auditor", name="Ada Auditor").token,
        }
    finally:
        db.dispose()
    port = _free_port()
    env = {**os.environ, **settings.to_env()}
    command = [sys.executable, "-m", "uvicorn", "separation.web.app:app_from_env", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        yield base, tokens
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(server: tuple[str, dict[str, str]]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in(browser: object, base: str, token: str, **context: object) -> object:
    ctx = browser.new_context(base_url=base, **context)
    page = ctx.new_page()
    page.goto("/login")
    page.get_by_label("Access token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    return page


def test_clerk_files_a_request_and_an_attorney_overrides_it(
    server: tuple[str, dict[str, str]], browser: object
) -> None:
    from playwright.sync_api import expect

    base, tokens = server
    page = _sign_in(browser, base, tokens["clerk"])
    _shot(page, "01-dashboard-empty")
    page.get_by_role("link", name="New request").click()
    page.get_by_label("Agency asking").fill("ICE ERO")
    page.get_by_label("hold", exact=True).check()
    page.get_by_label("Paper they brought").select_option("detainer")
    # The proposed decision appears while filling in, before anything is saved.
    expect(page.locator("#proposed-outcome")).to_have_text("decline")
    expect(page.locator("#decision")).to_contain_text("Obligations it opens")
    _shot(page, "02-request-form-live-decision")
    page.get_by_role("button", name="File request").click()
    expect(page.get_by_role("status")).to_contain_text("The request was filed")
    request_url = page.url
    _shot(page, "03-request-detail")
    page.goto("/dashboard")
    _shot(page, "04-dashboard")
    page.goto("/obligations")
    _shot(page, "05-obligations")
    page.goto("/screen")
    page.get_by_label("Text").fill("The tenant is undocumented; A-number A123456789.")
    page.get_by_role("button", name="Screen").click()
    expect(page.locator("#marked mark").first).to_be_visible()
    _shot(page, "06-screen-text")

    attorney = _sign_in(browser, base, tokens["attorney"])
    attorney.goto(request_url.split("?")[0])
    attorney.get_by_label("Override it with another outcome").check()
    attorney.get_by_label("New outcome (for an override)").select_option("refer")
    attorney.get_by_label("Reason (required)").fill("The detainer came with a court order; counsel reviews.")
    attorney.get_by_role("button", name="Record review").click()
    expect(attorney.locator("#final-outcome")).to_have_text("refer")
    expect(attorney.locator(".review")).to_contain_text("Overridden as refer")
    _shot(attorney, "07-request-overridden")


def test_form_works_by_keyboard_and_on_a_phone(server: tuple[str, dict[str, str]], browser: object) -> None:
    from playwright.sync_api import expect

    base, tokens = server
    page = _sign_in(browser, base, tokens["clerk"], viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto("/requests/new")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    page.get_by_label("Agency asking").focus()
    page.keyboard.type("CBP")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # ticks the first ask, "hold"
    expect(page.locator("#proposed-outcome")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # no sideways scrolling on a phone
    _shot(page, "08-request-form-phone")


def test_anonymous_complaint_in_spanish(server: tuple[str, dict[str, str]], browser: object) -> None:
    from playwright.sync_api import expect

    base, _ = server
    ctx = browser.new_context(base_url=base, locale="es-MX")
    page = ctx.new_page()
    page.goto("/public/complaint")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Alguien fue retenido o entregado para el control migratorio").check()
    page.get_by_label("Qué pasó (opcional)").fill("Un agente en la estación pidió ver documentos.")
    _shot(page, "09-public-complaint-es")
    page.get_by_role("button", name="Enviar la queja").click()
    expect(page.get_by_role("status")).to_contain_text("Recibimos su queja")
    ctx.close()


def test_auditor_downloads_a_pdf_report_and_publishes(
    server: tuple[str, dict[str, str]], browser: object
) -> None:
    from playwright.sync_api import expect

    base, tokens = server
    page = _sign_in(browser, base, tokens["auditor"], accept_downloads=True)
    page.goto("/reports")
    page.get_by_label("Format").select_option("pdf")
    page.get_by_label("Public version (counts under 5 withheld)").check()
    _shot(page, "10-reports")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename.endswith("-public.pdf")
    target = SHOTS.parent / "report-public.pdf"
    download.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/public")
    expect(page.locator("#report-title")).to_be_visible()
    _shot(page, "11-public-report")
    public = browser.new_context(base_url=base).new_page()
    public.goto("/public?lang=es")
    expect(public.get_by_role("heading", level=1)).to_have_text("Lo que ha hecho la ciudad")
    _shot(public, "12-public-report-es")
