"""A rubric edited while screenings are open, and a broken rubric file (issue 12, findings 8 and 9).

The engine carries a screening over to the new version of its rubric (answers to criteria still
there kept, the others dropped with a note for the counsellor, the next unanswered criterion
asked); the real server (`screening serve`, socket.io as the browser does) is restarted with a
renamed criterion and a broken file: no crash, the other trainings keep working, `/healthz` and
`screening invite` name the skipped file.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from chatbot import engine
from chatbot.conversation import Conversation
from chatbot.results import Flag
from chatbot.rubric_loader import load_rubric, read_folder
from chatbot.settings import PROJECT_ROOT
from chatbot.web.texts import WELCOME_BACK
from storage.models import Screening

TODAY = dt.date(2026, 11, 27)
LOAD_SCRIPT = PROJECT_ROOT / "benchmarks" / "load.py"
TIMEOUT = 120.0  # the first turns wait for the PII models
FIRST_ANSWERS = ["Oui", "Je me débrouille", "CAP ou BEP (niveau 3)"]  # calcul, français, diplôme


def edited_rubrics(source: Path, target: Path) -> Path:
    """A copy of the rubrics, soudeur with `calcul` (answered) and `conditions-physiques` (the
    pending question after FIRST_ANSWERS) renamed, aide-soignant broken (YAML syntax) and
    conducteur-ligne too (an invalid value)."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    soudeur = target / "soudeur.yaml"
    text = soudeur.read_text(encoding="utf-8")
    text = text.replace("  - id: calcul\n", "  - id: calcul-simple\n")
    text = text.replace("  - id: conditions-physiques\n", "  - id: aptitude-physique\n")
    soudeur.write_text(text, encoding="utf-8")
    broken = target / "aide-soignant.yaml"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5] + ' "guillemet: jamais fermé'
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    invalid = target / "conducteur-ligne.yaml"
    text = invalid.read_text(encoding="utf-8").replace("rome: [H2102, H3301]", "rome: [H21]")
    invalid.write_text(text, encoding="utf-8")
    return target


# --- the engine ----------------------------------------------------------------------------------


def test_a_screening_moves_to_the_new_version_of_its_rubric(tmp_path):
    before = load_rubric(PROJECT_ROOT / "rubrics" / "soudeur.yaml")
    after = load_rubric(edited_rubrics(PROJECT_ROOT / "rubrics", tmp_path) / "soudeur.yaml")
    assert before.version != after.version
    conversation, _ = Conversation.begin(before)
    for text in FIRST_ANSWERS:
        reply = conversation.handle(text, TODAY).reply
    assert reply.criterion_id == "conditions-physiques"

    state = engine.adapt(after, conversation.state, TODAY)
    assert state.rubric_version == after.version
    assert set(state.answers) == {"niveau-francais", "diplome"}  # still in the rubric: kept
    assert state.pending == "calcul-simple"  # the first unanswered criterion
    assert any("« calcul »" in note and "« Oui »" in note for note in state.notes)
    again = engine.pending_reply(after, state)
    assert again.criterion_id == "calcul-simple" and again.progress == "Question 1 sur 14"
    assert engine.adapt(after, state, TODAY) is state  # once carried over, left alone

    resumed = Conversation(rubric=after, state=state)
    assert resumed.handle("oui", TODAY).reply.criterion_id == "aptitude-physique"
    result = resumed.result()
    assert Flag.rubric_changed in result.flags
    assert result.notes == state.notes and len(result.notes) == 2
    kept = conversation.state.answers["niveau-francais"]
    assert result.criterion("niveau-francais").value == kept.value


def test_a_rubric_where_nothing_is_left_to_ask_goes_to_the_recap(tmp_path):
    rubric = load_rubric(PROJECT_ROOT / "rubrics" / "soudeur.yaml")
    state, _ = engine.start(rubric)
    answered = {c.id: engine.AnswerRecord(verdict="unclear") for c in rubric.criteria}
    state = state.model_copy(
        update={"answers": answered, "pending": "gone", "rubric_version": "older"}
    )
    state = engine.adapt(rubric, state, TODAY)
    assert (state.phase, state.pending) == ("recap", None)
    assert engine.pending_reply(rubric, state).buttons  # the recap, with its yes / no


def test_an_answer_that_no_longer_fits_its_criterion_is_asked_again():
    rubric = load_rubric(PROJECT_ROOT / "rubrics" / "soudeur.yaml")
    state, _ = engine.start(rubric)
    answers = {
        "calcul": engine.AnswerRecord(value="oui", evidence="oui", verdict="met"),  # not a bool
        "horaires-equipe": engine.AnswerRecord(value=["journee", "gone"], verdict="met"),
        "niveau-francais": engine.AnswerRecord(value="b1", verdict="not_met"),  # rule: min a2
    }
    state = state.model_copy(update={"answers": answers, "rubric_version": "older"})
    state = engine.adapt(rubric, state, TODAY)
    assert set(state.answers) == {"niveau-francais"} and state.pending == "calcul"
    assert state.answers["niveau-francais"].verdict == "met"  # the verdict of the rule now
    assert sum("a changé" in note for note in state.notes) == 2


def test_an_unknown_criterion_raises_key_error_not_stop_iteration():
    rubric = load_rubric(PROJECT_ROOT / "rubrics" / "soudeur.yaml")
    with pytest.raises(KeyError):
        rubric.criterion("renamed-away")


def test_a_broken_file_is_skipped_with_its_line_and_the_others_load(tmp_path):
    folder = read_folder(edited_rubrics(PROJECT_ROOT / "rubrics", tmp_path))
    assert "aide-soignant" not in folder.rubrics and "soudeur" in folder.rubrics
    assert len(folder.rubrics) == len(list((PROJECT_ROOT / "rubrics").glob("*.yaml"))) - 2
    syntax, invalid = folder.report()
    assert syntax == (
        f"Rubrique ignorée : {tmp_path / 'aide-soignant.yaml'}:6:17: erreur de syntaxe YAML : "
        "cette ligne n'est pas alignée sur les autres lignes du même bloc : vérifiez les "
        "espaces en début de ligne"
    )
    assert invalid == (
        f"Rubrique ignorée : {tmp_path / 'conducteur-ligne.yaml'}:7:10: training.rome[0] : "
        "« H21 » : un code ROME est une lettre et quatre chiffres (ex. J1501)"
    )


# --- the real server, restarted after the edit -------------------------------------------------


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("load_benchmark", LOAD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _environment(
    base_url: str, data_dir: Path, rubrics: Path, secret: str, database_url: str | None = None
) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env.update(
        SCREENING_DATA_DIR=str(data_dir),
        SCREENING_DATABASE_URL=database_url or f"sqlite:///{data_dir / 'screening.db'}",
        SCREENING_RUBRICS_DIR=str(rubrics),
        SCREENING_SECRET_KEY=secret,
        SCREENING_PUBLIC_URL=base_url,
        SCREENING_ALLOWED_ORIGINS=json.dumps([base_url]),
    )
    return env


@contextlib.contextmanager
def serving(load, env: dict, port: int):
    """`screening serve` of this checkout (python -m puts it first on the path)."""
    data_dir = Path(env["SCREENING_DATA_DIR"])
    log_path = data_dir / f"server-{secrets.token_hex(3)}.log"
    command = [sys.executable, "-m", "chatbot.cli", "serve", "--host", "127.0.0.1"]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = env["SCREENING_PUBLIC_URL"]
    server = load.Server("s1", process, base_url, log_path)
    try:
        load._wait_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _link(env: dict, ref: str, training: str) -> str:
    from chatbot.settings import Settings
    from chatbot.web.invitations import Invitation, invitation_url

    settings = Settings(
        _env_file=None,
        secret_key=env["SCREENING_SECRET_KEY"],
        public_url=env["SCREENING_PUBLIC_URL"],
        data_dir=Path(env["SCREENING_DATA_DIR"]),
    )
    return invitation_url(Invitation(ref, training, None), settings)


async def _reopen(load, base_url: str, link: str, http: httpx.AsyncClient):
    """The same link in a new tab: the page replaced by the stored history (Chainlit's
    `resume_thread`), welcome back, then the pending question."""
    tab = load.Candidate(base_url, link, "again", TIMEOUT)
    history: list[list[dict]] = []
    new_socket = tab._new_socket

    def socket_keeping_history() -> None:
        new_socket()
        tab.sio.on("resume_thread", lambda thread: history.append(thread["steps"]))

    tab._new_socket = socket_keeping_history
    await tab._connect(http)
    await tab._until(lambda text: text == WELCOME_BACK)
    _, question = await tab._until(lambda _text: True)
    said = [step["output"] for step in history[-1] if step.get("type") == "user_message"]
    return tab, question, said


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, load, tmp_path):
    if request.param == "postgresql" and not os.environ.get("SCREENING_TEST_POSTGRES_URL"):
        pytest.skip("SCREENING_TEST_POSTGRES_URL is not set")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with load.fresh_database(request.param, data_dir) as url:
        yield data_dir, url


def test_rename_a_criterion_and_break_a_rubric_file_then_restart(load, tmp_path, database):
    (data_dir, database_url), rubrics = database, tmp_path / "rubrics"
    shutil.copytree(PROJECT_ROOT / "rubrics", rubrics)
    port = load.free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _environment(base_url, data_dir, rubrics, secrets.token_urlsafe(32), database_url)
    migrated = _cli(env, "db", "upgrade")  # PostgreSQL is never migrated by `serve`
    assert migrated.returncode == 0, migrated.stderr
    soudeur = load_rubric(rubrics / "soudeur.yaml")
    link = _link(env, "RENAME-1", "soudeur")

    async def first_visit():
        candidate = load.Candidate(base_url, link, "RENAME-1", TIMEOUT)
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            await candidate._open(http)
        for text in FIRST_ANSWERS:
            await candidate._say(text)
        await candidate.sio.disconnect()
        return candidate.outcome

    with serving(load, env, port):
        outcome = asyncio.run(first_visit())
    assert outcome.apologies == 0 and outcome.sent == 3

    edited_rubrics(PROJECT_ROOT / "rubrics", rubrics)
    with serving(load, env, port) as server:
        health = httpx.get(f"{base_url}/healthz").json()
        assert health["status"] == "ok" and health["skipped_rubrics"] == [
            "aide-soignant.yaml",
            "conducteur-ligne.yaml",
        ]

        async def second_visit():
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:
                tab, question, said = await _reopen(load, base_url, link, http)
                for text in ("oui", "oui"):  # calcul-simple, then aptitude-physique
                    await tab._say(text)
                await tab.sio.disconnect()
                other = load.Candidate(
                    base_url, _link(env, "OTHER-1", "cariste-entrepot"), "o", TIMEOUT
                )
                await other._open(http)
                await other._say("oui")
                await other.sio.disconnect()
            return question, said, tab.outcome, other.outcome

        question, said, resumed, other = asyncio.run(second_visit())
        log = server.log_path.read_text(errors="replace")
    assert soudeur.criterion("calcul").question.split(",")[0] in question  # asked again
    assert said == FIRST_ANSWERS  # the stored history replaces the page
    assert resumed.apologies == 0 and resumed.timeouts == 0 and resumed.exception is None
    assert other.apologies == 0 and other.exception is None and other.sent == 1
    assert "Rubrique ignorée" in log and "aide-soignant.yaml:" in log
    assert "Traceback" not in log and "StopIteration" not in log

    engine_ = sa.create_engine(env["SCREENING_DATABASE_URL"])
    with engine_.connect() as connection:
        states = dict(connection.execute(sa.select(Screening.id, Screening.state_json)).all())
    engine_.dispose()
    state = next(s for s in states.values() if s and s["rubric_id"] == "soudeur")
    assert state["pending"] == "equipements-protection"  # calcul-simple, aptitude-physique done
    assert {"calcul-simple", "aptitude-physique", "niveau-francais"} <= set(state["answers"])
    assert "calcul" not in state["answers"] and len(state["notes"]) == 2


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_invite_reports_the_broken_file_and_invites_to_the_other_trainings(tmp_path):
    rubrics = edited_rubrics(PROJECT_ROOT / "rubrics", tmp_path / "rubrics")
    data_dir = tmp_path / "data"
    env = _environment("http://127.0.0.1:9", data_dir, rubrics, secrets.token_urlsafe(32))
    done = _cli(env, "invite", "FT-1", "cariste-entrepot")
    assert done.returncode == 0 and "?invitation=" in done.stdout
    assert "Rubrique ignorée" in done.stderr and "aide-soignant.yaml:" in done.stderr
    refused = _cli(env, "invite", "FT-1", "aide-soignant")
    assert refused.returncode == 1 and "Formation inconnue" in refused.stderr
    assert "Traceback" not in done.stderr + refused.stderr


# --- what the counsellor reads -------------------------------------------------------------------


def test_the_candidate_page_shows_the_dropped_answers(db, tmp_path):
    from dashboard_support import (
        RUBRIC,
        add_counsellor,
        log_in,
        make_client,
        settings_for,
        store_screening,
    )
    from sqlmodel import Session

    from storage import repo

    screening_id = store_screening(db, "cand-rubric-changed")
    note = engine.ANSWER_DROPPED.format(criterion="permis-b", said="« oui j'ai le permis »")
    with Session(db) as session:
        result = repo.load_result(session, screening_id)
        result.notes, result.flags = [note], [*result.flags, Flag.rubric_changed]
        repo.save_result(session, screening_id, result)
        session.commit()  # repository functions flush; the caller commits
    add_counsellor(db)
    client = make_client(db, settings_for(tmp_path))
    assert log_in(client).status_code == 303
    page = client.get(f"/conseiller/candidatures/{screening_id}").text
    assert "rubrique modifiée en cours de questionnaire" in page
    assert "Remarques" in page and "permis-b" in page and "oui j&#39;ai le permis" in page
    listed = client.get(
        f"/conseiller/formations/{RUBRIC.id}/sessions/{RUBRIC.training.sessions[0].id}"
    )
    assert listed.status_code == 200
