"""A counsellor in Chromium on the real server: login, session list, candidate page, override with
a reason, CSV export; a candidate's stored script tag shows as text and never runs."""

from __future__ import annotations

import random

from playwright.sync_api import expect

from chatbot.ranking import ranking_score
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT
from chatbot.web.dashboard.demo import fake_result
from storage import repo
from storage.db import make_engine, session_scope
from storage.models import Role

EMAIL = "e2e.conseillere@francetravail.fr"
PASSWORD = "un mot de passe assez long"
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
RUBRIC = rubrics_in(PROJECT_ROOT / "rubrics")["aide-soignant"]
SESSION = RUBRIC.training.sessions[0].id


def _add_counsellor(server) -> None:
    server.add_counsellor(EMAIL, PASSWORD)


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
    expect(page.get_by_text("Vu en entretien : à reprendre avec elle.")).to_be_visible()
    expect(page.get_by_text(EMAIL).last).to_be_visible()

    page.get_by_label("à recontacter").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(f"à recontacter (par {EMAIL}")).to_be_visible()

    page.get_by_role("link", name=f"{RUBRIC.id} · {SESSION}").click()
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
