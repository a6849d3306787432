"""Recruitment campaigns (issue 15): the candidate list, sending through a real SMTP server and
an SMS gateway on loopback, reminders, opt-out, revoke and re-send, and the funnel."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re

import pytest
from campaign_support import SmsSink, SmtpSink
from dashboard_support import RUBRIC, SESSION, add_counsellor, csrf_in, log_in, make_client
from dashboard_support import settings_for as base_settings
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from chatbot import campaigns as service
from chatbot import candidates_csv, outbox
from chatbot.outbox.sms import TwilioSms
from chatbot.web.invitations import read_token, token_in_url
from storage import campaigns, repo, revocations
from storage.models import AuditLog, CampaignMessage, SendStatus

PARIS_NOON = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
CAMPAIGN = f"/conseiller/formations/{RUBRIC.id}/sessions/{SESSION}/campagne"


# --- the list ------------------------------------------------------------------------------------


def test_a_semicolon_list_in_windows_1252_with_a_header_keeps_good_lines_and_numbers_errors():
    text = (
        "Identifiant;Courriel;Téléphone portable\n"
        "1234567A;Élodie.Durand@exemple.fr;06 12 34 56 78\n"
        "\n"
        "1234567B;;+33 7 11 22 33 44\n"
        "pas un id;x@exemple.fr;\n"
        "1234567A;y@exemple.fr;\n"
        "1234567C;pas-une-adresse;\n"
        "1234567D;;01 23 45 67 89\n"
        "1234567E\n"
    )
    parsed = candidates_csv.parse(text.encode("cp1252"))

    assert [(c.line, c.ref, c.email, c.mobile) for c in parsed.candidates] == [
        (2, "1234567A", "élodie.durand@exemple.fr", "+33612345678"),
        (4, "1234567B", None, "+33711223344"),
        (9, "1234567E", None, None),
    ]
    assert [e.split(" :")[0] for e in parsed.errors] == [
        "Ligne 5",
        "Ligne 6",
        "Ligne 7",
        "Ligne 8",
    ]
    assert "déjà à la ligne 2" in parsed.errors[1]
    assert "mobile" in parsed.errors[3]


def test_a_comma_list_in_utf8_without_header_reads_columns_in_order():
    parsed = candidates_csv.parse(b"FT-001,a@exemple.fr,0612345678\r\nFT-002,,\r\n")
    assert [(c.ref, c.email, c.mobile) for c in parsed.candidates] == [
        ("FT-001", "a@exemple.fr", "+33612345678"),
        ("FT-002", None, None),
    ]
    assert parsed.errors == []
    assert candidates_csv.parse(b"").errors == [
        "Le fichier est vide : ajoutez une ligne par candidat."
    ]


# --- sending, reminding, stopping --------------------------------------------------------------


@pytest.fixture
def sinks():
    with SmtpSink() as smtp, SmsSink() as sms:
        yield smtp, sms


def settings_for(tmp_path, smtp: SmtpSink, sms: SmsSink, **extra):
    return base_settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        sms_provider="twilio",
        sms_api_url=sms.url,
        sms_account_sid=sms.account_sid,
        sms_auth_token=sms.auth_token,
        public_url="https://chat.example.fr",
        **extra,
    )


@pytest.fixture
def client(db, tmp_path, sinks):
    add_counsellor(db)
    settings = settings_for(tmp_path, *sinks)
    client = make_client(db, settings)
    assert log_in(client).status_code == 303
    with Session(db) as session:
        repo.sync_trainings(session, [RUBRIC])
        session.commit()  # repository functions flush; the caller commits
    client.settings = settings
    return client


def _invite(client, text: str, send: bool = True):
    page = client.get(CAMPAIGN)
    files = {"fichier": ("candidats.csv", text.encode("cp1252"), "text/csv")}
    preview = client.post(CAMPAIGN + "/apercu", data={"csrf": csrf_in(page.text)}, files=files)
    kept = re.search(r'name="lignes" value="([^"]*)"', preview.text).group(1)
    form = {"csrf": csrf_in(preview.text), "lignes": html.unescape(kept)}
    if send:
        form["envoyer"] = "oui"
    return preview, client.post(CAMPAIGN + "/inviter", data=form)


def test_invite_from_the_dashboard_sends_email_and_sms_and_records_each_send(
    client, db, sinks, caplog
):
    smtp, sms = sinks
    caplog.set_level(logging.DEBUG)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the test SMTP server's own
    text = "1111111A;a@exemple.fr;06 11 11 11 11\n2222222B;b@exemple.fr;\nmauvais id;;\n"
    preview, done = _invite(client, text)

    assert "Ligne 3 : l'identifiant « mauvais id » n'est pas valable" in html.unescape(preview.text)
    assert "2 candidat(s) à inviter" in preview.text
    assert "2 invitation(s) créée(s)" in done.text
    assert "2 e-mail(s), 1 SMS" in done.text
    mail = smtp.to("a@exemple.fr")[0]
    body = mail.get_content()
    link = re.search(r"https://chat\.example\.fr/\?invitation=\S+", body).group()
    assert done.text.count("?invitation=") == 2  # the links shown, one per candidate
    assert RUBRIC.training.title in mail["Subject"]
    assert "intelligence artificielle" in body
    assert (
        mail["List-Unsubscribe"].strip().startswith("<https://chat.example.fr/messages/stop?jeton=")
    )
    [text_message] = sms.to("+33611111111")
    assert text_message.path == f"/2010-04-01/Accounts/{sms.account_sid}/Messages.json"
    assert text_message.authorization == sms.expected_authorization()
    assert "STOP" in text_message.form["Body"] and "IA" in text_message.form["Body"]
    assert token_in_url(re.search(r"http\S+", text_message.form["Body"]).group())
    assert read_token(token_in_url(link), client.settings).candidate_ref == "1111111A"
    with Session(db) as session:
        sends = session.exec(select(CampaignMessage)).all()
        assert sorted((m.channel, m.kind, m.status) for m in sends) == [
            ("email", "invitation", SendStatus.sent),
            ("email", "invitation", SendStatus.sent),
            ("sms", "invitation", SendStatus.sent),
        ]
    token = token_in_url(link)
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert ours and all(token not in m and "intelligence" not in m for m in ours)


def test_reminders_go_once_by_day_only_and_never_after_stop(client, db, sinks):
    smtp, sms = sinks
    _invite(client, "1111111A;a@exemple.fr;0611111111\n2222222B;b@exemple.fr;0622222222\n")
    settings = client.settings
    with Session(db) as session:
        a, b = campaigns.rows(session, RUBRIC.id, SESSION)
        assert campaigns.opt_out_mobile(session, "+33622222222") == 1  # B texted STOP
        session.commit()
    before = len(smtp.messages), len(sms.requests)
    day = (a.last_sent_at + dt.timedelta(days=2)).replace(hour=11)  # noon in Paris
    night = day.replace(hour=22)  # 23 h in Paris
    patient = settings.model_copy(update={"remind_unopened_hours": 72})
    with Session(db) as session:
        assert service.remind(session, settings, night).skipped_night
        assert service.remind(session, patient, day).reminded == []
        first = service.remind(session, settings, day)
        second = service.remind(session, settings, day + dt.timedelta(days=1))
    assert first.reminded == [a.invitation_id]
    assert (first.emails, first.sms) == (1, 1)
    assert second.reminded == []  # at most SCREENING_REMINDERS_MAX (1)
    assert len(smtp.messages) == before[0] + 1 and len(sms.requests) == before[1] + 1
    assert "Rappel" in smtp.to("a@exemple.fr")[-1]["Subject"]
    assert smtp.to("b@exemple.fr")[-1]["Subject"].startswith("Formation")  # no reminder


def test_the_email_stop_link_asks_then_stops_and_the_sms_webhook_needs_a_signature(
    db, tmp_path, sinks
):
    from chatbot.web import auth, optout

    settings = settings_for(tmp_path, *sinks)
    app = FastAPI()
    app.include_router(optout.router)
    app.dependency_overrides[auth.db_engine] = lambda: db
    app.dependency_overrides[auth.app_settings] = lambda: settings
    lines = [
        candidates_csv.CandidateLine(1, "FT-STOP"),
        candidates_csv.CandidateLine(2, "FT-SMS", mobile="+33633333333"),
    ]
    with Session(db) as session:
        repo.sync_trainings(session, [RUBRIC])
        by_mail, by_sms = service.invite(session, settings, RUBRIC.id, SESSION, lines, by="t")
    path = outbox.stop_link(by_mail.invitation_id, settings).removeprefix(settings.public_url)
    web = TestClient(app)
    assert "Ne plus recevoir" in web.get(path).text
    with Session(db) as session:
        assert campaigns.row(session, by_mail.invitation_id).opted_out_at is None
    assert "C'est noté" in html.unescape(web.post(path).text)
    assert web.post(path.replace("jeton=", "jeton=x")).status_code == 404

    form = {"From": "+33633333333", "Body": "Stop", "To": "FranceTrav"}
    assert web.post(outbox.SMS_WEBHOOK_PATH, data=form).status_code == 403
    url = settings.public_url + outbox.SMS_WEBHOOK_PATH
    signature = TwilioSms(settings).signature(url, form)
    signed = web.post(outbox.SMS_WEBHOOK_PATH, data=form, headers={"X-Twilio-Signature": signature})
    assert signed.status_code == 200
    with Session(db) as session:
        assert campaigns.row(session, by_mail.invitation_id).opted_out_at is not None
        assert campaigns.row(session, by_sms.invitation_id).opted_out_at is not None


def test_revoke_and_resend_refuses_the_old_link_sends_a_new_one_and_is_audited(client, db, sinks):
    smtp, _ = sinks
    _invite(client, "3333333C;c@exemple.fr;\n")
    old = re.search(r"https://\S+invitation=\S+", smtp.messages[-1].get_content()).group()
    with Session(db) as session:
        [row] = campaigns.rows(session, RUBRIC.id, SESSION)
    page = client.get(CAMPAIGN)
    done = client.post(
        f"/conseiller/campagne/{row.invitation_id}/renvoyer",
        data={"csrf": csrf_in(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Nouveau lien envoyé" in client.get(done.headers["location"]).text
    new = re.search(r"https://\S+invitation=\S+", smtp.messages[-1].get_content()).group()
    assert new != old
    old_link, new_link = (read_token(token_in_url(x), client.settings) for x in (old, new))
    with Session(db) as session:  # what open_link checks
        revoked = revocations.revoked_at(session, "3333333C", RUBRIC.id, SESSION)
        assert old_link.issued_at <= revoked < new_link.issued_at
        actions = session.exec(select(AuditLog.action)).all()
    assert "resend_link" in actions and "campaign_invite" in actions


# --- the funnel ----------------------------------------------------------------------------------


def _store(
    engine,
    n,
    *,
    status="invited",
    consent=None,
    declined=None,
    completed=None,
    pending=None,
    sent=PARIS_NOON,
    opened=None,
    opted_out=None,
):
    """One invited candidate, stored directly with the given dates."""
    with Session(engine) as session:
        repo.sync_trainings(session, [RUBRIC])
        screening = repo.create_screening(
            session, f"R{n}", RUBRIC.id, rubric_version=RUBRIC.version, session_id=SESSION
        )
        screening.status, screening.consent_at = status, consent
        screening.declined_at, screening.completed_at = declined, completed
        screening.pending_criterion_id = pending
        session.add(screening)
        row = campaigns.upsert_invitation(
            session, screening, email=None, mobile=None, by="t", now=PARIS_NOON
        )
        row.sent_at = row.last_sent_at = sent
        row.opened_at, row.opted_out_at = opened, opted_out
        session.add(row)
        session.commit()


def test_funnel_counts_steps_medians_and_completion_within_5_and_48_hours(db):
    h = dt.timedelta(hours=1)
    noon = PARIS_NOON
    _store(db, 1)
    _store(db, 2, opened=noon + h)
    _store(db, 3, opened=noon, consent=noon + 0.5 * h, completed=noon + 2 * h, status="completed")
    _store(db, 4, opened=noon, consent=noon + 10 * h, completed=noon + 30 * h, status="completed")
    _store(db, 5, opened=noon, declined=noon + 1.5 * h, status="declined")
    _store(db, 6, opened=noon, consent=noon + 2 * h, status="in_progress", pending="age")
    _store(db, 7, opted_out=noon + h)
    _store(db, 8, sent=None)
    with Session(db) as session:
        funnel = campaigns.funnel(session, RUBRIC.id, SESSION, noon + 40 * h, invitation_days=14)
        later = campaigns.funnel(session, RUBRIC.id, SESSION, noon + 15 * 24 * h, 14)
        rows = campaigns.rows(session, RUBRIC.id, SESSION)

    assert funnel.steps == {"invited": 8, "sent": 7, "opened": 5, "consented": 3, "completed": 2}
    assert funnel.statuses["completed"] == 2 and funnel.statuses["opted_out"] == 1
    assert funnel.statuses["in_progress"] == 1 and funnel.statuses["declined"] == 1
    assert funnel.statuses["invited"] == 1 and funnel.statuses["sent"] == 1
    assert funnel.statuses["opened"] == 1 and sum(funnel.statuses.values()) == 8
    assert funnel.median_first_reply_minutes == pytest.approx(105)  # 30, 90, 120, 600
    assert funnel.median_completion_minutes == pytest.approx((120 + 1800) / 2)
    assert (funnel.completed_within_5h, funnel.completed_within_48h) == (1, 2)
    assert funnel.dropoff == {"age": 1}
    assert later.statuses["expired"] == 4  # 1, 2, 6 (its link too) and 8
    # The database's statuses are each row's own (shown in the list).
    for at, figures in ((noon + 40 * h, funnel), (noon + 15 * 24 * h, later)):
        each = [r.status(at, 14).value for r in rows]
        assert figures.statuses == {s.value: each.count(s.value) for s in campaigns.CandidateStatus}


def test_a_list_of_ten_thousand_candidates_passes_the_body_limit_other_posts_do_not():
    from chatbot.web.security import BodyLimit

    app = FastAPI()

    @app.post("/{path:path}")
    async def echo(request: Request):
        return {"bytes": len(await request.body())}

    app.add_middleware(BodyLimit)
    web = TestClient(app)
    lines = "".join(f"{i:07d}A;candidat{i}@exemple.fr;06 12 34 56 78\n" for i in range(10_000))
    assert len(lines) > 400_000
    assert web.post(CAMPAIGN + "/apercu", content=lines).json() == {"bytes": len(lines)}
    assert web.post(CAMPAIGN + "/inviter", content=lines).status_code == 200
    assert web.post("/conseiller/candidatures/1/decision", content=lines).status_code == 413
    assert len(candidates_csv.parse(lines).candidates) == 10_000
