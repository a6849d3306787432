"""No request leaves for a third party from a candidate's or a counsellor's browser (issue 13,
finding 14), and the pages' Content-Security-Policy blocks nothing they need: every request of a
real chat and of the dashboard (API docs included) is recorded with its host."""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from chatbot.web import texts
from chatbot.web.security import chat_route_allowed

EMAIL = "securite.e2e@francetravail.fr"
PASSWORD = "une phrase de passe pour le test e2e"


def _recorder(page: Page) -> tuple[list[str], list[str]]:
    """Every URL the page asks for (documents, scripts, fonts, XHR, websockets) and every
    console error (a CSP refusal is one)."""
    urls, errors = [], []
    page.on("request", lambda request: urls.append(request.url))
    page.on("websocket", lambda socket: urls.append(socket.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return urls, errors


def _hosts(urls: list[str]) -> set[str]:
    return {urlparse(url).netloc for url in urls if not url.startswith(("data:", "blob:"))}


def test_the_candidate_chat_asks_nothing_of_a_third_party(server, new_page):
    page = new_page()
    urls, errors = _recorder(page)
    page.goto(server.invite("E2E-TIERS", "soudeur"))
    page.get_by_role("button", name=texts.ACCEPT, exact=True).click()
    expect(page.get_by_text("Question 1 sur 14", exact=True)).to_be_visible()
    page.get_by_role("button", name="Oui", exact=True).last.click()
    expect(page.get_by_text("Question 2 sur 14", exact=True)).to_be_visible()
    assert _hosts(urls) == {urlparse(server.url).netloc}
    assert errors == []
    http = [urlparse(u) for u in urls if u.startswith("http")]
    for url in http:  # the routes the outer app lets through are all the chat needs
        assert chat_route_allowed("GET", url.path) or chat_route_allowed("POST", url.path), url


def test_the_dashboard_and_its_api_docs_ask_nothing_of_a_third_party(server, new_page):
    server.add_counsellor(EMAIL, PASSWORD)
    page = new_page()
    urls, errors = _recorder(page)
    page.goto(f"{server.url}/conseiller/")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.goto(f"{server.url}/api/docs")
    expect(page.get_by_text("/api/trainings").first).to_be_visible()
    assert _hosts(urls) == {urlparse(server.url).netloc}
    assert errors == []
