"""Dashboard pages, exports and API on SQLite and PostgreSQL, through real HTTP requests."""

from __future__ import annotations

import csv
import io
import json

import pytest
from dashboard_support import (
    EMAIL,
    RUBRIC,
    SESSION,
    XSS,
    add_counsellor,
    csrf_in,
    log_in,
    make_client,
    settings_for,
    store_screening,
)
from markupsafe import escape
from sqlmodel import Session, select

from chatbot.results import Verdict
from storage import repo
from storage.models import AuditLog, Override, Screening

SESSION_URL = f"/conseiller/formations/{RUBRIC.id}/sessions/{SESSION}"


@pytest.fixture
def client(db, tmp_path):
    add_counsellor(db)
    client = make_client(db, settings_for(tmp_path))
    assert log_in(client).status_code == 303
    return client


def test_home_lists_trainings_and_sessions_with_counts(client, db):
    store_screening(db, "cand-1")
    store_screening(db, "cand-2", complete=False)
    page = client.get("/conseiller/")
    assert page.status_code == 200
    assert str(escape(RUBRIC.training.title)) in page.text
    assert f"/sessions/{SESSION}" in page.text
    row = page.text.split(f'/sessions/{SESSION}">')[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")]
    # invitations, not started, in progress, completed
    assert cells[3:7] == ["2", "0", "1", "1"]


def test_session_list_sorts_filters_and_paginates(client, db):
    ids = [store_screening(db, f"cand-{i}", seed=i) for i in range(5)]
    with Session(db) as s:
        scores = {i: s.get(Screening, i).ranking_score for i in ids}
    by_score = sorted(ids, key=lambda i: (-scores[i], i))
    page = client.get(SESSION_URL, params={"tri": "-score"})
    order = [int(p.split('"')[0]) for p in page.text.split('href="/conseiller/candidatures/')[1:]]
    assert order == by_score
    ascending = client.get(SESSION_URL, params={"tri": "score"})
    order = [
        int(p.split('"')[0]) for p in ascending.text.split('href="/conseiller/candidatures/')[1:]
    ]
    assert order == sorted(ids, key=lambda i: (scores[i], i))
    with Session(db) as s:
        repo.record_decision(s, ids[2], "retenu", counsellor=EMAIL)
        s.commit()
    kept = client.get(SESSION_URL, params={"decision": "retenu"})
    assert "cand-2" in kept.text and "cand-3" not in kept.text
    api = client.get(f"/api/trainings/{RUBRIC.id}/sessions/{SESSION}/screenings?decision=retenu")
    assert [r["candidate_ref"] for r in api.json()["screenings"]] == ["cand-2"]


def test_ranking_puts_unmet_blocking_prerequisite_apart_with_explanations(client, db):
    good = store_screening(db, "cand-good", seed=3)
    blocked = store_screening(db, "cand-blocked", seed=4)
    blocking = next(c for c in RUBRIC.criteria if c.blocking and c.kind == "prerequisite")
    with Session(db) as s:
        repo.record_override(
            s,
            blocked,
            blocking.id,
            Verdict.not_met,
            reason="test",
            counsellor=EMAIL,
            ranking_score=50,
        )
        s.commit()
    page = client.get(SESSION_URL + "/classement")
    assert page.status_code == 200
    ranked, apart = page.text.split('id="a-part"')
    assert "cand-good" in ranked and "cand-blocked" not in ranked
    assert "cand-blocked" in apart
    assert "sur 100 :" in ranked and f"non rempli : {escape(blocking.label)}" in apart
    api = client.get(f"/api/trainings/{RUBRIC.id}/sessions/{SESSION}/ranking").json()
    assert [r["screening_id"] for r in api["ranked"]] == [good]
    assert api["ranked"][0]["rank"] == 1
    assert [r["screening_id"] for r in api["apart"]] == [blocked]
    assert api["weights"]["prerequisites"] == RUBRIC.weights.prerequisites


def test_candidate_page_shows_evidence_method_transcript_and_escapes_candidate_text(client, db):
    screening_id = store_screening(db, "cand-xss", candidate_text=XSS)
    page = client.get(f"/conseiller/candidatures/{screening_id}")
    assert page.status_code == 200
    assert XSS not in page.text
    assert (
        "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        in page.text
    )
    first = repo_result(db, screening_id).criteria[0]
    assert str(escape(first.label)) in page.text
    assert "lecture automatique" in page.text or "modèle d&#39;IA" in page.text
    assert "Quel âge avez-vous ?" in page.text


def repo_result(engine, screening_id):
    with Session(engine) as s:
        return repo.load_result(s, screening_id)


def test_override_needs_a_reason_and_is_audited_with_new_score(client, db):
    screening_id = store_screening(db, "cand-o", seed=5)
    page = client.get(f"/conseiller/candidatures/{screening_id}")
    dimension = repo_result(db, screening_id).dimensions[0]
    new_level = 0 if dimension.level else dimension.max_level
    form = {
        "csrf": csrf_in(page.text),
        "target_id": dimension.criterion_id,
        "after": str(new_level),
    }
    refused = client.post(
        f"/conseiller/candidatures/{screening_id}/correction", data={**form, "reason": "  "}
    )
    assert "erreur=" in refused.headers.get(
        "location",
        refused.url.query.decode() if hasattr(refused.url.query, "decode") else str(refused.url),
    )
    with Session(db) as s:
        assert not s.exec(select(Override)).all()
        before_score = s.get(Screening, screening_id).ranking_score
    done = client.post(
        f"/conseiller/candidatures/{screening_id}/correction",
        data={**form, "reason": "Entretien téléphonique : projet très réfléchi."},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with Session(db) as s:
        override = s.exec(select(Override)).one()
        assert (override.before, override.after, override.counsellor) == (
            dimension.level,
            new_level,
            EMAIL,
        )
        entry = s.exec(select(AuditLog).where(AuditLog.action == "override")).one()
        assert entry.actor == EMAIL and entry.details["after"] == new_level
        assert s.get(Screening, screening_id).ranking_score != before_score
    again = client.get(f"/conseiller/candidatures/{screening_id}")
    assert "Entretien téléphonique : projet très réfléchi." in again.text


def test_form_without_csrf_token_is_refused(client, db):
    screening_id = store_screening(db, "cand-c")
    answer = client.post(
        f"/conseiller/candidatures/{screening_id}/decision",
        data={"decision": "retenu", "csrf": "x"},
    )
    assert answer.status_code == 403
    with Session(db) as s:
        assert s.get(Screening, screening_id).decision is None


def test_decision_is_recorded_and_audited(client, db):
    screening_id = store_screening(db, "cand-d")
    page = client.get(f"/conseiller/candidatures/{screening_id}")
    client.post(
        f"/conseiller/candidatures/{screening_id}/decision",
        data={"decision": "a_recontacter", "csrf": csrf_in(page.text)},
    )
    with Session(db) as s:
        screening = s.get(Screening, screening_id)
        assert (screening.decision, screening.decision_by) == ("a_recontacter", EMAIL)
        assert s.exec(select(AuditLog).where(AuditLog.action == "decision")).one().actor == EMAIL


def test_csv_export_opens_in_french_excel(client, db):
    store_screening(db, '=HYPERLINK("x")', seed=2)
    export = client.get(SESSION_URL + "/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Référence candidat" and len(rows) == 2
    assert rows[1][0].startswith("'=")  # never run as a formula
    score = rows[1][rows[0].index("Score de classement")]
    assert "," in score or score.isdigit()


def test_json_export_and_api_screening(client, db):
    screening_id = store_screening(db, "cand-j")
    export = json.loads(client.get(SESSION_URL + "/export.json").content)
    assert export["screenings"][0]["candidate_ref"] == "cand-j"
    assert export["screenings"][0]["result"]["rubric_id"] == RUBRIC.id
    one = client.get(f"/api/screenings/{screening_id}").json()
    assert one["candidate_ref"] == "cand-j" and [t["seq"] for t in one["turns"]] == [1, 2]
    assert client.get("/api/openapi.json").json()["paths"]
    assert "swagger" in client.get("/api/docs").text.lower()


def test_explanation_page_is_plain_french_with_legal_references(client, db):
    screening_id = store_screening(db, "cand-e")
    page = client.get(f"/conseiller/candidatures/{screening_id}/explication")
    assert page.status_code == 200
    assert "article 86" in page.text and "L311-3-1" in page.text
    assert "Ce n'est pas l'assistant qui décide" in page.text
    assert "sur 100" in page.text
    assert "Réponse attendue : oui" in page.text


def test_statistics_page_draws_svg_charts(client, db):
    for i in range(3):
        store_screening(db, f"cand-s{i}", seed=i)
    store_screening(db, "cand-open", complete=False)
    page = client.get(f"/conseiller/formations/{RUBRIC.id}/statistiques")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 3
    # every chart has its data as a table too (RGAA 1.8)
    assert page.text.count("<svg") == page.text.count("Voir les données du graphique")
    assert '<th scope="row">Terminés</th><td class="num">3</td>' in page.text
    stats = client.get(f"/api/trainings/{RUBRIC.id}/statistics").json()
    assert (stats["invitations"], stats["completions"]) == (4, 3)
    assert sum(stats["levels"][RUBRIC.dimensions[0].id].values()) == 3


def test_erase_from_the_dashboard_is_audited(client, db):
    screening_id = store_screening(db, "cand-erase")
    page = client.get(f"/conseiller/candidatures/{screening_id}")
    client.post(
        f"/conseiller/candidatures/{screening_id}/effacer",
        data={"csrf": csrf_in(page.text), "confirm": "oui"},
    )
    with Session(db) as s:
        assert s.get(Screening, screening_id).status == "erased"
        entry = s.exec(select(AuditLog).where(AuditLog.action == "erase")).one()
        assert entry.actor == EMAIL and entry.candidate_ref.startswith("efface-")
        assert not s.exec(select(AuditLog).where(AuditLog.candidate_ref == "cand-erase")).all()
    after = client.get(f"/conseiller/candidatures/{screening_id}")
    assert "cand-erase" not in after.text and "effacées" in after.text


def test_unknown_ids_are_404(client, db):
    assert client.get("/conseiller/candidatures/999999").status_code == 404
    assert client.get("/api/screenings/999999").status_code == 404
    assert client.get(f"/conseiller/formations/{RUBRIC.id}/sessions/nope").status_code == 404
    assert client.get("/conseiller/formations/nope/statistiques").status_code == 404
