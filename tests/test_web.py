"""The one server and the candidate chat's stored work, without a browser (tests/e2e has one)."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from chatbot import engine, messages
from chatbot.settings import PROJECT_ROOT, Settings, get_settings
from chatbot.web import screenings
from chatbot.web.invitations import Invitation
from storage import repo
from storage.db import get_engine, session_scope
from storage.models import Role, Screening, ScreeningStatus

TODAY = dt.date(2026, 11, 27)
SOUDEUR = Invitation("FT-001", "soudeur")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A fresh data dir and database for the settings-driven code."""
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SCREENING_DATABASE_URL", raising=False)
    _clear_caches()
    yield tmp_path / "data"
    get_engine().dispose()
    _clear_caches()


def _clear_caches():
    get_settings.cache_clear()
    get_engine.cache_clear()
    screenings.prepare.cache_clear()


PHONE = re.compile(r"0\d(?: ?\d\d){4}")


class DigitsScrubber:
    """Stands in for the pseudonymiser: phone-like digits become <TEL_1>."""

    def __init__(self):
        self.values = {}

    def scrub(self, text):
        def replace(match):
            self.values["<TEL_1>"] = match.group()
            return "<TEL_1>"

        return re.sub(PHONE, replace, text)

    def scrub_chat(self, chat):
        understood = self.scrub(chat.text)
        aligned = chat.replaced(
            [(m.start(), m.end(), "<TEL_1>") for m in PHONE.finditer(chat.text)]
        )
        return SimpleNamespace(
            understood=understood, own_words=aligned.original, quote=aligned.quote
        )

    def restore(self, text):
        for placeholder, value in self.values.items():
            text = text.replace(placeholder, value)
        return text


def _turns(screening_id):
    with session_scope() as db:
        return [(t.role, t.text) for t in repo.list_turns(db, screening_id)]


def _screening(screening_id) -> Screening:
    with session_scope() as db:
        return repo.get_screening(db, screening_id)


# --- the server ------------------------------------------------------------------------------


@pytest.fixture
def client(env, monkeypatch):
    from chatbot.web import server

    monkeypatch.setattr(server, "_warm_up_pii", lambda: None)
    with TestClient(server.build_app(), follow_redirects=False) as test_client:
        yield test_client


def test_healthz_answers_with_no_configuration(client, env):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "skipped_rubrics": []}
    assert (env / "screening.db").exists()


def test_healthz_fails_when_the_data_directory_is_gone(client, env):
    import shutil

    assert client.get("/healthz").status_code == 200
    shutil.rmtree(env)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "database unavailable"}


def test_the_chat_page_is_served_at_the_root_with_a_strict_referrer_policy(client):
    response = client.get("/?invitation=abc")
    assert response.status_code == 200
    assert "<html" in response.text.lower()
    assert response.headers["referrer-policy"] == "same-origin"
    assert "/public/screening.js" in response.text


@pytest.mark.parametrize("path", ["/conseiller/", "/conseiller/sessions/1", "/api/screenings"])
def test_counsellor_areas_refuse_anonymous_visitors(client, path):
    response = client.get(path)
    assert response.status_code in (401, 403, 404) or (
        response.status_code in (302, 303, 307)
        and "/conseiller/connexion" in response.headers["location"]
    )


def test_chainlit_settings_forbid_uploads_and_speak_french():
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / ".chainlit" / "config.toml").read_text())
    assert config["features"]["spontaneous_file_upload"]["enabled"] is False
    assert config["UI"]["language"] == "fr-FR"
    assert (PROJECT_ROOT / "chainlit_fr-FR.md").read_text().startswith("# Questionnaire")


def test_allowed_origins_are_explicit_and_include_the_public_address():
    from chatbot.web.server import allowed_origins, socket_origin_check

    settings = Settings(public_url="https://chat.example.fr/", allowed_origins=["https://a.fr"])
    origins = allowed_origins(settings)
    assert origins == ["https://a.fr", "https://chat.example.fr"]
    allowed = socket_origin_check(origins)
    same_host = {"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8123"}
    assert allowed("https://chat.example.fr", same_host)
    assert allowed("http://127.0.0.1:8123", same_host)  # the page's own address
    assert not allowed("https://evil.example.com", same_host)


# --- contrast (WCAG AA) ------------------------------------------------------------------------


def _luminance(hsl: str) -> float:
    import colorsys

    h, s, lightness = (float(x.rstrip("%")) for x in hsl.split())
    rgb = colorsys.hls_to_rgb(h / 360, lightness / 100, s / 100)
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


TEXT_PAIRS = [
    ("--foreground", "--background"),
    ("--card-foreground", "--card"),
    ("--primary-foreground", "--primary"),
    ("--primary", "--background"),  # answer buttons: primary text on the page background
    ("--secondary-foreground", "--secondary"),
    ("--muted-foreground", "--background"),
    ("--muted-foreground", "--muted"),
    ("--accent-foreground", "--accent"),
    ("--destructive-foreground", "--destructive"),
]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_theme_text_meets_wcag_aa_contrast(mode):
    theme = json.loads((PROJECT_ROOT / "public" / "theme.json").read_text())["variables"][mode]
    for text, background in TEXT_PAIRS:
        assert _contrast(theme[text], theme[background]) >= 4.5, (mode, text, background)
    assert _contrast(theme["--input"], theme["--background"]) >= 3  # field borders
    assert _contrast(theme["--ring"], theme["--background"]) >= 3  # focus ring


# --- the stored conversation ----------------------------------------------------------------------


def test_invite_creates_one_invited_screening_and_reuses_it(env):
    url, first = screenings.invite(SOUDEUR)
    _, again = screenings.invite(SOUDEUR)
    assert "?invitation=" in url
    assert first == again
    assert _screening(first).status == ScreeningStatus.invited


@pytest.mark.parametrize(
    "invitation", [Invitation("FT-1", "inconnue"), Invitation("FT-1", "soudeur", "pas-de-session")]
)
def test_an_unknown_training_or_session_is_refused(env, invitation):
    with pytest.raises(screenings.InvitationError):
        screenings.open_screening(invitation)


def test_declining_keeps_only_the_refusal(env):
    opening = screenings.open_screening(SOUDEUR)
    assert opening.status == ScreeningStatus.invited and opening.history == []
    screenings.decline(opening.screening_id)
    stored = _screening(opening.screening_id)
    assert stored.status == ScreeningStatus.declined and stored.declined_at is not None
    assert stored.state_json is None and _turns(opening.screening_id) == []


def test_a_candidate_who_declined_and_opens_the_link_again_keeps_one_screening(env):
    first = screenings.open_screening(SOUDEUR)
    screenings.decline(first.screening_id)
    again = screenings.open_screening(SOUDEUR)
    assert again.screening_id == first.screening_id
    assert again.status == ScreeningStatus.invited  # asked for consent anew
    assert _screening(first.screening_id).declined_at is not None
    _, link_id = screenings.invite(SOUDEUR)
    assert link_id == first.screening_id


def test_every_turn_is_stored_scrubbed_and_the_reply_is_restored_only_for_display(env):
    opening = screenings.open_screening(SOUDEUR)
    scrubber = DigitsScrubber()
    conversation, first = screenings.accept(opening.screening_id, opening.rubric, None, scrubber)
    assert first.criterion_id == "calcul" and [b.label for b in first.buttons] == ["Oui", "Non"]
    reply = screenings.take_turn(
        opening.screening_id, conversation, "Oui, appelez-moi au 06 12 34 56 78", TODAY
    )
    turns = _turns(opening.screening_id)
    assert [role for role, _ in turns] == [Role.assistant, Role.candidate, Role.assistant]
    assert turns[1][1] == "Oui, appelez-moi au <TEL_1>"
    assert "06 12" not in json.dumps(_screening(opening.screening_id).state_json)
    assert reply.criterion_id == "niveau-francais"
    assert turns[2][1] == screenings.render(reply)
    acknowledgement, progress, question = turns[2][1].split("\n\n")
    assert acknowledgement in [messages.french_spacing(a) for a in messages.ACK]
    assert progress == "Question 2 sur 14" and "*" not in turns[2][1]
    assert "\u00a0?" in question and " ?" not in question and " :" not in question
    stored = _screening(opening.screening_id)
    assert stored.status == ScreeningStatus.in_progress
    assert stored.pending_criterion_id == "niveau-francais"


SOUDEUR_ANSWERS = [
    "Oui",
    "Je me débrouille",
    "CAP ou BEP (niveau 3)",
    "Oui",
    "Oui",
    "dès le 4 janvier 2027",
    "Seulement en journée",
    "30 minutes",
    "Oui, j'ai le permis B",
    "50 km",
    "J'aime travailler le métal, j'ai fait un stage en chaudronnerie",
    "On lit les plans, on soude et on contrôle la qualité",
    "J'ai fait de la mécanique pendant cinq ans",
    "Je mets mes protections et je respecte les consignes de sécurité",
    messages.RECAP_YES,
]


def test_resuming_re_asks_the_pending_question_and_finishing_stores_the_result(env):
    opening = screenings.open_screening(SOUDEUR)
    conversation, _ = screenings.accept(
        opening.screening_id, opening.rubric, None, DigitsScrubber()
    )
    for answer in SOUDEUR_ANSWERS[:3]:
        screenings.take_turn(opening.screening_id, conversation, answer, TODAY)

    back = screenings.open_screening(SOUDEUR)  # a new browser session with the same link
    assert back.screening_id == opening.screening_id and back.status == ScreeningStatus.in_progress
    assert len(back.history) == 7 and back.history[1] == (Role.candidate, "Oui")
    again = engine.pending_reply(back.rubric, back.state)
    assert again.criterion_id == "conditions-physiques" and again.progress == "Question 4 sur 14"

    resumed = screenings.resume(back.rubric, back.state, DigitsScrubber())
    for answer in SOUDEUR_ANSWERS[3:]:
        reply = screenings.take_turn(opening.screening_id, resumed, answer, TODAY)
    assert reply.done
    stored = _screening(opening.screening_id)
    assert stored.status == ScreeningStatus.completed and stored.completed_at is not None
    with session_scope() as db:
        result = repo.load_result(db, opening.screening_id)
    assert result.complete and result.criterion("calcul").verdict == "met"
    assert screenings.open_screening(SOUDEUR).status == ScreeningStatus.completed


def test_one_link_never_shows_another_candidates_history(env):
    mine = screenings.open_screening(SOUDEUR)
    conversation, _ = screenings.accept(mine.screening_id, mine.rubric, None, DigitsScrubber())
    screenings.take_turn(mine.screening_id, conversation, "Oui", TODAY)
    theirs = screenings.open_screening(Invitation("FT-002", "soudeur"))
    assert theirs.screening_id != mine.screening_id
    assert theirs.history == [] and theirs.status == ScreeningStatus.invited


def test_a_failed_turn_keeps_the_scrubbed_message_and_the_state(env, monkeypatch):
    import chatbot.engine

    opening = screenings.open_screening(SOUDEUR)
    conversation, _ = screenings.accept(
        opening.screening_id, opening.rubric, None, DigitsScrubber()
    )
    before = conversation.state

    def broken(*_args, **_kwargs):
        raise RuntimeError("the engine exploded")

    monkeypatch.setattr(chatbot.engine, "step", broken)
    with pytest.raises(RuntimeError):
        screenings.take_turn(opening.screening_id, conversation, "Oui, 06 12 34 56 78", TODAY)
    assert _turns(opening.screening_id)[-1] == (Role.candidate, "Oui, <TEL_1>")
    assert conversation.state == before


# --- the Chainlit handlers' guard --------------------------------------------------------------


def test_a_handler_failure_shows_the_french_apology_not_the_error(monkeypatch):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from chatbot.web import chat, texts

    sent = []

    class FakeMessage:
        def __init__(self, content, **_kwargs):
            self.content = content

        async def send(self):
            sent.append(self.content)

    monkeypatch.setattr(chat.cl, "Message", FakeMessage)

    @chat.guarded
    async def failing():
        raise ValueError("Traceback: secret internals")

    # In a thread: the browser tests' Playwright may own this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, failing()).result()
    assert sent == [texts.APOLOGY]


def test_a_turn_the_database_refuses_is_not_stored_and_the_conversation_rolls_back(
    env, monkeypatch
):
    import sqlalchemy as sa

    opening = screenings.open_screening(SOUDEUR)
    conversation, _ = screenings.accept(
        opening.screening_id, opening.rubric, None, DigitsScrubber()
    )
    screenings.take_turn(opening.screening_id, conversation, "Oui", TODAY)
    before = conversation.state

    def unavailable(*_args, **_kwargs):
        raise sa.exc.OperationalError("UPDATE screening", {}, Exception("server closed"))

    with monkeypatch.context() as patch:
        patch.setattr(repo, "save_state", unavailable)  # after both turns were added
        with pytest.raises(screenings.TurnNotStored):
            screenings.take_turn(opening.screening_id, conversation, "Je me débrouille", TODAY)
    assert conversation.state == before
    assert len(_turns(opening.screening_id)) == 3  # nothing of the failed turn
    reply = screenings.take_turn(opening.screening_id, conversation, "Je me débrouille", TODAY)
    assert reply.criterion_id == "diplome"  # resumes at the right question
    assert [text for role, text in _turns(opening.screening_id) if role == Role.candidate] == [
        "Oui",
        "Je me débrouille",
    ]


def test_a_stale_tab_and_a_closed_screening_write_nothing(env):
    opening = screenings.open_screening(SOUDEUR)
    first, _ = screenings.accept(opening.screening_id, opening.rubric, None, DigitsScrubber())
    second = screenings.resume(opening.rubric, first.state, DigitsScrubber())  # another tab
    screenings.take_turn(opening.screening_id, first, "Oui", TODAY)
    before = second.state
    with pytest.raises(repo.StaleState):
        screenings.take_turn(opening.screening_id, second, "Non", TODAY)
    assert second.state == before and len(_turns(opening.screening_id)) == 3
    with session_scope() as db:
        repo.erase_candidate(db, SOUDEUR.candidate_ref, actor="test")
    with pytest.raises(repo.ScreeningClosed) as closed:
        screenings.take_turn(opening.screening_id, first, "Je me débrouille", TODAY)
    assert closed.value.status == ScreeningStatus.erased
    assert _turns(opening.screening_id) == []
