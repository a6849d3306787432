"""A counsellor in Chromium on the real server: login, session list, candidate page, override with
a reason, CSV export; a candidate's stored script tag shows as text and never runs. Answers read
as the candidate saw them, corrections say who changed what, a refused correction stays where it
was typed, one row per candidate, every page passes axe-core and works with the keyboard alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import time

import pytest
from playwright.sync_api import Page, expect

from chatbot.answers import display_value
from chatbot.ranking import ranking_score
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT
from chatbot.web.dashboard.demo import fake_result
from storage import repo
from storage.db import make_engine, session_scope
from storage.models import Role

from .axe import serious

EMAIL = "e2e.conseillere@francetravail.fr"
PASSWORD = "un mot de passe assez long"
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
RUBRIC = rubrics_in(PROJECT_ROOT / "rubrics")["aide-soignant"]
SESSION = RUBRIC.training.sessions[0].id


def _add_counsellor(server) -> None:
    server.add_counsellor(EMAIL, PASSWORD)


# Answers stored as ids, shown with the words the candidate was offered.
CHOSEN = {
    "niveau-francais": "b1",
    "diplome": "cap",
    "transport": ["transports", "a-pied"],
    "disponibilite": dt.date(2026, 12, 3),
}


def _store(server, ref: str, candidate_text: str, seed: int) -> int:
    engine = make_engine(server.database_url)
    with session_scope(engine) as db:
        repo.sync_trainings(db, [RUBRIC])
        screening = repo.create_screening(
            db, ref, RUBRIC.id, rubric_version=RUBRIC.version, session_id=SESSION
        )
        repo.record_consent(db, screening.id)
        repo.append_turn(db, screening.id, Role.assistant, "Pourquoi ce métier ?")
        repo.append_turn(db, screening.id, Role.candidate, candidate_text)
        result = fake_result(RUBRIC, random.Random(seed), SESSION)
        for criterion_id, value in CHOSEN.items():
            result.criterion(criterion_id).value = value
        repo.save_result(db, screening.id, result, ranking_score=ranking_score(RUBRIC, result))
    engine.dispose()
    return screening.id


def test_counsellor_reviews_overrides_and_exports(server, browser, tmp_path):
    _add_counsellor(server)
    _store(server, "e2e-calme", "J'ai gardé ma grand-mère pendant deux ans.", seed=1)
    _store(server, "e2e-xss", XSS, seed=2)
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="fr-FR", accept_downloads=True
    )
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # Anonymous: sent to the login form, then back where we were going.
    page.goto(f"{server.url}/conseiller/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Formations et sessions")).to_be_visible()

    page.get_by_role("link", name=SESSION).first.click()
    expect(page.get_by_role("link", name="e2e-calme")).to_be_visible()
    page.get_by_role("link", name="e2e-xss").click()

    # The candidate's words are text, never markup.
    expect(page.get_by_text(XSS, exact=True)).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("window.__xss") is None and not dialogs

    dimension = RUBRIC.dimensions[0]
    row = page.locator(f"tr#{dimension.id}")
    row.get_by_text("Corriger").click()
    row.get_by_label("Nouveau niveau").select_option("sans réponse")
    row.get_by_label("Raison (obligatoire)").fill("Vu en entretien : à reprendre avec elle.")
    row.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.get_by_role("heading", name="Corrections")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Vu en entretien : à reprendre avec elle.", exact=True)
    ).to_be_visible()
    expect(page.get_by_text(EMAIL).last).to_be_visible()

    page.get_by_label("à recontacter").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(f"à recontacter (par {EMAIL}")).to_be_visible()

    page.get_by_role("link", name=f"{RUBRIC.training.title} · {SESSION}").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en CSV (Excel)").click()
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Référence candidat;Statut;")
    assert "e2e-calme" in text and "à recontacter" in text
    context.close()


def _log_in(browser, server, **options) -> Page:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="fr-FR", **options
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{server.url}/conseiller/connexion")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Formations et sessions")).to_be_visible()
    return page


@pytest.fixture(scope="module")
def reviewed(server):
    """A counsellor account and one completed screening to review."""
    _add_counsellor(server)
    return _store(server, "e2e-mots", "Je veux aider les gens.", seed=5)


def test_answers_read_in_words_and_a_correction_says_the_counsellor_made_it(
    server, browser, reviewed
):
    page = _log_in(browser, server)
    page.goto(f"{server.url}/conseiller/candidatures/{reviewed}")
    for criterion_id, value in CHOSEN.items():
        shown = display_value(RUBRIC, RUBRIC.criterion(criterion_id), value)
        cells = page.locator(f"tr#{criterion_id} td")
        expect(cells.nth(3)).to_have_text(shown)
    raw = re.compile(r"\b(b1|cap|transports|a-pied|2026-12-03)\b")
    answers = page.locator("#corrections tbody td:nth-child(4)").all_inner_texts()
    assert answers and not [a for a in answers if raw.search(a)]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.locator("main").inner_text())

    dimension = RUBRIC.dimensions[0]
    row = page.locator(f"tr#{dimension.id}")
    before = row.locator("td").nth(1).inner_text()
    top = max(level.level for level in dimension.levels)
    after = 0 if before.startswith(str(top)) else top
    row.get_by_text("Corriger").click()
    row.get_by_label("Nouveau niveau").select_option(f"niveau {after} sur {top}")
    row.get_by_label("Raison (obligatoire)").fill("Entretien : projet très précis.")
    row.get_by_role("button", name="Enregistrer la correction").click()

    row = page.locator(f"tr#{dimension.id}")
    expect(row.locator("td").nth(1)).to_contain_text(f"{after} sur {top}")
    expect(row.locator("td").nth(1)).to_contain_text("modifié par le conseiller")
    expect(row.locator("td").nth(2)).to_contain_text("Lecture automatique, avant la correction")
    corrections = page.locator("section", has=page.get_by_role("heading", name="Corrections"))
    line = corrections.locator("tbody tr").last
    expect(line.locator("td").nth(2)).to_have_text(dimension.label)
    expect(line.locator("td").nth(3)).to_have_text(f"niveau {before.split(' ')[0]} sur {top}")
    expect(line.locator("td").nth(4)).to_have_text(f"niveau {after} sur {top}")

    page.get_by_role("link", name="Explication à remettre au candidat").click()
    explained = page.locator("tr", has=page.get_by_text(dimension.label, exact=True))
    expect(explained).to_contain_text(f"{after} sur {top} (modifié par le conseiller)")
    page.context.close()


def test_a_correction_without_reason_keeps_the_choice_and_shows_the_error_beside_it(
    server, browser, reviewed
):
    page = _log_in(browser, server)
    page.goto(f"{server.url}/conseiller/candidatures/{reviewed}")
    criterion = next(c for c in RUBRIC.closed_criteria if c.id == "permis-b")
    row = page.locator(f"tr#{criterion.id}")
    row.get_by_text("Corriger").click()
    current = row.get_by_label("Nouveau verdict").input_value()
    wanted = "unclear" if current != "unclear" else "met"
    row.get_by_label("Nouveau verdict").select_option(wanted)
    row.get_by_label("Raison (obligatoire)").fill("   ")  # passes `required`, not the server
    row.get_by_role("button", name="Enregistrer la correction").click()

    row = page.locator(f"tr#{criterion.id}")
    error = row.get_by_role("alert")
    expect(error).to_have_text(re.compile("raison"))
    expect(error).to_be_in_viewport()
    expect(row.get_by_label("Nouveau verdict")).to_have_value(wanted)
    expect(row.get_by_label("Raison (obligatoire)")).to_be_focused()
    assert page.locator("main > p.error").count() == 0  # not at the top of the page
    assert serious(page) == []
    page.context.close()


def test_a_candidate_who_declined_then_came_back_with_a_new_link_is_one_row_in_list_csv_and_counts(
    server, browser, new_page, reviewed, tmp_path
):
    link = server.invite("e2e-revenu", "soudeur")
    candidate = new_page()
    candidate.goto(link)
    candidate.get_by_role("button", name="Je refuse", exact=True).click()
    expect(candidate.get_by_text("Seul votre refus est enregistré")).to_be_visible()
    again = new_page()
    again.goto(link)  # a refusal revokes the link
    expect(again.get_by_text("Ce lien n'est plus valable")).to_be_visible()
    time.sleep(1.1)  # links are stamped to the second: the new one is issued after the refusal
    again.goto(server.invite("e2e-revenu", "soudeur"))  # the counsellor sends a new link
    again.get_by_role("button", name="J'accepte", exact=True).click()
    expect(again.get_by_text("Question 1 sur", exact=False)).to_be_visible()

    page = _log_in(browser, server, accept_downloads=True)
    home = page.locator("section", has=page.get_by_role("heading", name="Soudeur", exact=False))
    counts = home.locator("tbody tr", has=page.get_by_role("link", name="Sans session"))
    invitations = int(counts.locator("td").nth(3).inner_text())
    counts.get_by_role("link", name="Sans session").click()
    expect(page.get_by_role("link", name="e2e-revenu", exact=True)).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en CSV (Excel)").click()
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))[1:]
    refs = [r[0] for r in rows]
    assert refs.count("e2e-revenu") == 1
    assert len(refs) == len(set(refs)) == invitations  # every count is one per candidate
    page.context.close()


def _tab_to(page: Page, matches: str, limit: int = 300) -> None:
    """Press Tab until the focused element matches the CSS selector."""
    for _ in range(limit):
        if page.evaluate("(css) => document.activeElement.matches(css)", matches):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{matches!r} is not reachable with the Tab key")


def test_correction_and_decision_forms_work_with_the_keyboard_alone(server, browser, reviewed):
    page = _log_in(browser, server)
    page.goto(f"{server.url}/conseiller/candidatures/{reviewed}")
    target = RUBRIC.dimensions[-1].id
    _tab_to(page, f"tr#{target} summary")
    page.keyboard.press("Enter")
    _tab_to(page, f"tr#{target} select")
    page.keyboard.press("Home")  # first level
    _tab_to(page, f"tr#{target} textarea")
    page.keyboard.type("Au clavier : niveau revu avec elle.")
    _tab_to(page, f"tr#{target} button")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Au clavier : niveau revu avec elle.").first).to_be_visible()
    expect(page.locator(f"tr#{target} td").nth(1)).to_contain_text("0 sur")

    _tab_to(page, "input[name=decision]")
    while page.evaluate("() => document.activeElement.value") != "retenu":
        page.keyboard.press("ArrowDown")
    _tab_to(page, "#decision button")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"retenu (par {EMAIL}")).to_be_visible()
    page.context.close()


def test_every_dashboard_page_has_no_serious_accessibility_violation(server, browser, reviewed):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    login = context.new_page()
    login.goto(f"{server.url}/conseiller/connexion")
    assert serious(login) == []
    context.close()
    page = _log_in(browser, server)
    session = f"/conseiller/formations/{RUBRIC.id}/sessions/{SESSION}"
    pages = {
        "accueil": "/conseiller/",
        "session": session,
        "classement": f"{session}/classement",
        "statistiques": f"/conseiller/formations/{RUBRIC.id}/statistiques",
        "candidat": f"/conseiller/candidatures/{reviewed}",
        "explication": f"/conseiller/candidatures/{reviewed}/explication",
    }
    found = {}
    for name, path in pages.items():
        page.goto(server.url + path)
        page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
        found[name] = serious(page)
    assert found == {name: [] for name in pages}
    page.context.close()
