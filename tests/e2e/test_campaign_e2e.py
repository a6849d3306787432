"""A whole recruitment campaign (issue 15) on the real server, with Chromium for the counsellor,
socket.io for the candidates (as their browsers do), a real SMTP server (aiosmtpd) and a
recording SMS gateway on loopback.

A counsellor uploads 30 candidates, 2 of them on bad lines: the errors are shown, 28 are invited,
28 e-mails and 22 texts leave. 15 candidates finish the chat, 3 decline, 1 stops by the e-mail
link and 1 by SMS, 2 stop after the first question and 6 never open. `screening remind` reminds
those 8 only, and not twice; the campaign page's figures are the database's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session

from chatbot.settings import PROJECT_ROOT, Settings
from chatbot.web import auth
from chatbot.web.dashboard.explain import duration_text
from storage.db import make_engine

from .axe import serious
from .conftest import _free_port, _wait_healthy

support = pytest.importorskip("campaign_support")
load = sys.modules.get("load_benchmark")
if load is None:
    _spec = importlib.util.spec_from_file_location(
        "load_benchmark", PROJECT_ROOT / "benchmarks" / "load.py"
    )
    load = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = load  # dataclasses look their module up while being built
    _spec.loader.exec_module(load)

TRAINING = "aide-soignant"
EMAIL = "campagne.conseillere@francetravail.fr"
PASSWORD = "un mot de passe assez long pour la campagne"
COMPLETE, DECLINING, STOP_BY_EMAIL, STOP_BY_SMS = range(15), range(15, 18), 18, 19
UNFINISHED, SILENT = range(20, 22), range(22, 28)
WITH_MOBILE = 22  # the first 22 valid candidates have a mobile number
PARIS = ZoneInfo("Europe/Paris")
SESSION = "reims-2027-01"


def _cli() -> list[str]:
    return [sys.executable, "-m", "chatbot.cli"]  # this tree's code, not an installed copy


@dataclass
class Campaign:
    url: str
    env: dict[str, str]
    database_url: str
    smtp: support.SmtpSink
    sms: support.SmsSink
    settings: Settings
    scripts: list[tuple[str, ...]]

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [*_cli(), *args],
            env=self.env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Iterator[Campaign]:
    data_dir = tmp_path_factory.mktemp("campaign")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with support.SmtpSink() as smtp, support.SmsSink() as sms:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
        env |= {
            "SCREENING_DATA_DIR": str(data_dir),
            "SCREENING_PUBLIC_URL": url,
            "SCREENING_ALLOWED_ORIGINS": json.dumps([url]),
            "SCREENING_SECRET_KEY": secrets.token_urlsafe(32),
            "SCREENING_SMS_SENDER": "FranceTrav",
            **smtp.env,
            **sms.env,
        }
        settings = Settings(
            data_dir=data_dir,
            public_url=url,
            secret_key=env["SCREENING_SECRET_KEY"],
            sms_provider="twilio",
            sms_auth_token=sms.auth_token,
        )
        log_path = data_dir / "server.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [*_cli(), "serve", "--port", str(port)],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            with ThreadPoolExecutor(1) as beside:  # replayed while the server starts
                scripts = beside.submit(_scripts)
                _wait_healthy(url, process, log_path)
                scripts = scripts.result()
            database_url = f"sqlite:///{data_dir / 'screening.db'}"
            engine = make_engine(database_url)
            with Session(engine) as db:
                auth.add_counsellor(db, EMAIL, PASSWORD, actor="test")
            engine.dispose()
            yield Campaign(url, env, database_url, smtp, sms, settings, scripts)
        finally:
            process.terminate()
            process.wait(timeout=20)


def _candidates_csv() -> bytes:
    lines = ["Identifiant;Courriel;Téléphone portable"]
    for i in range(28):
        mobile = f"06 12 34 {i // 10}{i % 10} 00" if i < WITH_MOBILE else ""
        lines.append(f"FT-CAMP-{i:02d};candidat{i:02d}@exemple.fr;{mobile}")
        if i == 9:
            lines.append("FT CAMP 99;candidat99@exemple.fr;")  # a space in the reference
        if i == 20:
            lines.append("FT-CAMP-98;pas-une-adresse;06 00 00 00 00")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _ref(i: int) -> str:
    return f"FT-CAMP-{i:02d}"


def _scripts() -> list[tuple[str, ...]]:
    """Candidate messages that finish the aide-soignant screening of this session offline."""
    from chatbot.conversation import Conversation
    from chatbot.rubric_loader import rubrics_in
    from chatbot.web.screenings import DeferredRestore
    from evals.personas import load_personas, replay
    from pii import Pseudonymizer

    rubric = rubrics_in(PROJECT_ROOT / "rubrics")[TRAINING]
    session = rubric.training.sessions[0].id

    def begin(rubric, session_id):
        return Conversation.begin(rubric, session_id, scrubber=DeferredRestore(Pseudonymizer()))

    scripts = []
    for persona in load_personas(PROJECT_ROOT / "evals" / "personas" / TRAINING):
        persona = persona.model_copy(update={"today": dt.date.today(), "session": session})
        run = replay(persona, rubric, begin)
        if run.result.complete:
            scripts.append(tuple(t for who, t in run.transcript if who == "candidate"))
        if len(scripts) == 2:
            break
    return scripts


class Decliner(load.Candidate):
    async def decline(self, http: httpx.AsyncClient) -> None:
        await self._connect(http)
        await self._until(lambda text: load.CONSENT_QUESTION in text)
        async with asyncio.timeout(self.reply_timeout):  # buttons come after their message
            while not (no := [a for a in self.actions if a["payload"].get("accept") is False]):
                await asyncio.sleep(0.02)
        response = await http.post(
            f"{self.base_url}/project/action",
            json={"sessionId": self.session_id, "action": no[0]},
            headers={"Referer": self.link},
        )
        response.raise_for_status()
        await self._until(lambda text: "vous ne répondez pas au questionnaire" in text)
        await self.sio.disconnect()


async def _candidates(base_url: str, links: dict[int, str], scripts) -> list:
    async with httpx.AsyncClient(timeout=60) as http:
        runs = []
        for i in COMPLETE:
            candidate = load.Candidate(base_url, links[i], _ref(i), 60)
            runs.append(candidate.run(http, scripts[i % len(scripts)], lambda: 0.0))
        for i in UNFINISHED:
            candidate = load.Candidate(base_url, links[i], _ref(i), 60)
            runs.append(candidate.run(http, scripts[0][:1], lambda: 0.0))
        outcomes = []
        for start in range(0, len(runs), 6):  # a few at a time: CI has two cores
            outcomes += await asyncio.gather(*runs[start : start + 6])
        for i in DECLINING:
            await Decliner(base_url, links[i], _ref(i), 60).decline(http)
    return outcomes


def _link_in(text: str) -> str:
    return re.search(r"http://\S+/\?invitation=\S+", text).group()


def test_a_counsellor_runs_a_whole_campaign(campaign, browser):
    scripts = campaign.scripts
    assert scripts, "no persona finishes this session offline"
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{campaign.url}/conseiller/connexion")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Formations et sessions")).to_be_visible()
    page.goto(f"{campaign.url}/conseiller/formations/{TRAINING}/sessions/{SESSION}")
    page.get_by_role("link", name="Campagne d'invitation").click()

    # Upload: the preview numbers the bad lines, in French.
    page.get_by_label("Fichier CSV").set_input_files(
        {"name": "candidats.csv", "mimeType": "text/csv", "buffer": _candidates_csv()}
    )
    page.get_by_role("button", name="Vérifier la liste").click()
    errors = page.locator("#erreurs li")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("Ligne 12 : l'identifiant « FT CAMP 99 »")
    expect(errors.nth(1)).to_contain_text("Ligne 24 : l'adresse e-mail « pas-une-adresse »")
    expect(page.locator("#a-inviter")).to_have_text("28 candidat(s) à inviter")
    assert serious(page) == []
    page.get_by_role("button", name="Créer les 28 invitation(s)").click()
    expect(page.locator("#invitations-creees")).to_have_text("28 invitation(s) créée(s)")
    expect(page.get_by_role("status")).to_contain_text("28 e-mail(s), 22 SMS")
    assert len(campaign.smtp.messages) == 28
    assert len(campaign.sms.requests) == WITH_MOBILE
    links = {
        i: _link_in(campaign.smtp.to(f"candidat{i:02d}@exemple.fr")[0].get_content())
        for i in range(28)
    }
    for i in range(WITH_MOBILE):
        [text] = campaign.sms.to(f"+3361234{i:02d}00")
        assert "FT-CAMP" not in text.form["Body"] and "STOP" in text.form["Body"]
        assert _link_in(text.form["Body"]).startswith(campaign.url)
    # Candidates: 15 finish, 2 stop after one answer, 3 decline.
    with ThreadPoolExecutor(1) as thread:  # Playwright's own event loop runs in this one
        outcomes = thread.submit(asyncio.run, _candidates(campaign.url, links, scripts)).result()
    assert all(o.finished and not o.apologies for o in outcomes), outcomes
    # One stops by the e-mail link, one by SMS (a signed call from the gateway).
    stop_mail = campaign.smtp.to(f"candidat{STOP_BY_EMAIL:02d}@exemple.fr")[0]
    stop_page = context.new_page()
    stop_page.goto(
        re.search(r"http://\S+/messages/stop\?jeton=\S+", stop_mail.get_content()).group()
    )
    stop_page.get_by_role("button", name="Ne plus recevoir de message").click()
    expect(stop_page.get_by_text("vous ne recevrez plus de message")).to_be_visible()
    from chatbot.outbox.sms import TwilioSms

    webhook = campaign.url + "/messages/sms"
    form = {"From": "+33612341900", "Body": "STOP", "To": "FranceTrav"}
    signature = TwilioSms(campaign.settings).signature(webhook, form)
    assert httpx.post(webhook, data=form, headers={"X-Twilio-Signature": signature}).is_success

    # Reminders: the 8 others only, once.
    mails, texts = len(campaign.smtp.messages), len(campaign.sms.requests)
    tomorrow = dt.datetime.now(PARIS).replace(hour=10, minute=0) + dt.timedelta(days=2)
    out = campaign.cli("remind", "--at", tomorrow.isoformat())
    assert "Candidats relancés : 8 (8 e-mail(s), 2 SMS, 0 échec(s))" in out
    reminded = {m["To"] for m in campaign.smtp.messages[mails:]}
    assert reminded == {f"candidat{i:02d}@exemple.fr" for i in (*UNFINISHED, *SILENT)}
    assert len(campaign.sms.requests) == texts + 2
    again = campaign.cli("remind", "--at", (tomorrow + dt.timedelta(days=1)).isoformat())
    assert "Candidats relancés : 0" in again

    # The campaign page's figures are the database's.
    page.goto(page.url.split("/campagne")[0] + "/campagne")
    engine = sa.create_engine(campaign.database_url)
    with engine.connect() as db:
        rows = db.execute(
            sa.text(
                "SELECT ci.invited_at, ci.opened_at, ci.opted_out_at, s.status, s.consent_at,"
                " s.declined_at, s.completed_at, s.pending_criterion_id"
                " FROM campaign_invitation ci JOIN screening s ON s.id = ci.screening_id"
            )
        ).all()
    engine.dispose()
    parse = lambda t: dt.datetime.fromisoformat(str(t))  # noqa: E731
    completed = [r for r in rows if r.status == "completed"]
    assert len(rows) == 28 and len(completed) == 15
    replies = [
        (parse(min(x for x in (r.consent_at, r.declined_at) if x)) - parse(r.invited_at))
        for r in rows
        if r.consent_at or r.declined_at
    ]
    to_finish = [parse(r.completed_at) - parse(r.invited_at) for r in completed]
    minutes = lambda d: d.total_seconds() / 60  # noqa: E731
    expected = {
        "step-invited": "28",
        "step-sent": "28",
        "step-opened": str(sum(r.opened_at is not None for r in rows)),
        "step-consented": str(sum(r.consent_at is not None for r in rows)),
        "step-completed": "15",
        "median-first-reply": duration_text(statistics.median(map(minutes, replies))),
        "median-completion": duration_text(statistics.median(map(minutes, to_finish))),
        "within-5h": str(sum(d <= dt.timedelta(hours=5) for d in to_finish)),
        "within-48h": str(sum(d <= dt.timedelta(hours=48) for d in to_finish)),
    }
    assert expected["step-opened"] == "20" and expected["step-consented"] == "17"
    for name, value in expected.items():
        expect(page.locator(f'[data-figure="{name}"]')).to_have_text(value)
    assert serious(page) == []
    stopped = [r.pending_criterion_id for r in rows if r.status == "in_progress"]
    assert len(stopped) == 2
    dropoff = page.locator("figure", has_text="Abandons par question").locator("tbody td")
    assert sum(int(n) for n in dropoff.all_text_contents()) == len(stopped)
    statuses = page.locator("figure", has_text="Où en sont les candidats")
    for label, count in [("terminé", 15), ("a refusé", 3), ("ne veut plus de message", 2)]:
        expect(statuses.locator("tbody tr", has_text=label).first.locator("td")).to_have_text(
            str(count)
        )
    context.close()
