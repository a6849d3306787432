"""A candidate in Chromium: invitation link, consent, the whole soudeur rubric, resume, bad links."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from chatbot import messages
from chatbot.scales import BUILTIN_SCALES
from chatbot.web import texts
from storage import repo
from storage.db import make_engine, session_scope
from storage.models import Role, Screening, ScreeningStatus

from .axe import serious
from .conftest import ARTIFACTS

TOTAL = 14
# (answer, how): "button" clicks the answer button, "type" writes it in the message box.
SOUDEUR = [
    ("Oui", "button"),
    ("Je me débrouille", "button"),
    ("CAP ou BEP (niveau 3)", "button"),
    ("oui", "type"),  # typing works on a question that has buttons
    ("Oui", "button"),
    ("dès le 4 janvier 2027", "type"),
    ("Seulement en journée", "button"),
    ("30 minutes", "type"),
    ("Oui, j'ai le permis B", "button"),
    ("50 km", "type"),
    ("J'aime travailler le métal, j'ai fait un stage en chaudronnerie", "type"),
    ("On lit les plans, on soude et on contrôle la qualité", "type"),
    ("J'ai fait de la mécanique pendant cinq ans", "type"),
    ("Je mets mes protections et je respecte les consignes de sécurité", "type"),
]
RECAP_YES = "Oui, tout est juste"


def _progress(page: Page, number: int):
    return page.get_by_text(f"Question {number} sur {TOTAL}", exact=True).last


def _answer_button(page: Page, label: str):
    return page.get_by_role("button", name=label, exact=True).last


def _type(page: Page, text: str) -> None:
    box = page.locator("#chat-input")
    box.fill(text)
    box.press("Enter")


def _after(page: Page, index: int):
    """What appears once answer `index` (0-based) is understood."""
    if index + 1 < TOTAL:
        return _progress(page, index + 2)
    return page.get_by_text("Voici le résumé de vos réponses").last


def _accept(page: Page) -> None:
    _answer_button(page, texts.ACCEPT).click()
    expect(_progress(page, 1)).to_be_visible()
    expect(page.get_by_role("button", name=texts.DECLINE, exact=True)).to_have_count(0)


def _answer(page: Page, index: int, text: str, how: str) -> None:
    if how == "button":
        _answer_button(page, text).click()
    else:
        _type(page, text)
    expect(_after(page, index)).to_be_visible()


def _screening(server, candidate_ref: str) -> tuple[Screening, list]:
    engine = make_engine(server.database_url)
    try:
        with session_scope(engine) as db:
            screening = repo.find_open_screening(db, candidate_ref, "soudeur") or _latest(
                db, candidate_ref
            )
            return screening, repo.list_turns(db, screening.id)
    finally:
        engine.dispose()


def _latest(db, candidate_ref: str) -> Screening:

    return repo.latest_screening(db, candidate_ref, "soudeur", None)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _assert_buttons_have_names(page: Page) -> None:
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button')]
            .filter(b => b.offsetParent !== null)
            .filter(b => !(b.getAttribute('aria-label') || b.textContent.trim() || b.title))
            .map(b => b.id + " " + b.parentElement.className + " " + b.innerHTML.slice(0, 200))"""
    )
    assert unnamed == []


def _assistant_texts(page: Page) -> list[str]:
    return page.locator(".ai-message .message-content").all_inner_texts()


def _assert_french_typography(page: Page) -> None:
    """No breakable space before ? ! : ; » or after «, no markdown left as text."""
    for text in _assistant_texts(page):
        assert not re.search(r"[ \t][?!:;»]|«[ \t]", text), text
        assert not re.search(r"\*\w", text), text


def test_a_candidate_completes_the_rubric_and_the_result_is_stored(server, new_page):
    page = new_page()
    page.goto(server.invite("E2E-COMPLET", "soudeur"))
    expect(page.get_by_text("assistant automatique").first).to_be_visible()
    _answer_button(page, texts.DETAILS).click()  # the details, one tap away
    expect(page.get_by_text("Qui décide ?")).to_be_visible()
    expect(page.get_by_text("Vos droits")).to_be_visible()
    _shot(page, "1-consent")
    assert serious(page) == []
    _accept(page)
    _assert_buttons_have_names(page)
    assert serious(page) == []  # a question without buttons: the message list is focusable
    for index, (text, how) in enumerate(SOUDEUR):
        if index == 1:  # the French level, offered in the candidate's words, as buttons
            labels = [level.label for level in BUILTIN_SCALES["cecrl"]]
            for label in labels:
                expect(_answer_button(page, label)).to_be_visible()
            assert not any(re.match(r"[ABC][12]\b", label) for label in labels)
            assert serious(page) == []
        _answer(page, index, text, how)
        if index == 1:  # answered: its buttons are gone from the page
            for label in labels:
                expect(page.get_by_role("button", name=label, exact=True)).to_have_count(0)
            # "C'est noté." answers the last question, before the next one's header
            said = _progress(page, 3).locator("xpath=..").inner_text().split("\n")
            assert said[0] in [messages.french_spacing(a) for a in messages.ACK], said
        if index == 6:
            _shot(page, "2-question-8")
    _shot(page, "3-recap")
    recap = page.get_by_text("Voici le résumé de vos réponses").last.locator("xpath=..")
    expect(recap).to_contain_text("Je me débrouille")
    assert serious(page) == []
    _answer_button(page, RECAP_YES).click()
    expect(page.get_by_text("c'est terminé", exact=False).last).to_be_visible()
    _shot(page, "4-done")
    assert serious(page) == []
    _assert_french_typography(page)

    screening, turns = _screening(server, "E2E-COMPLET")
    assert screening.status == ScreeningStatus.completed
    assert screening.consent_at is not None and screening.result_json["complete"] is True
    verdicts = {c["criterion_id"]: c["verdict"] for c in screening.result_json["criteria"]}
    assert verdicts["calcul"] == verdicts["permis"] == verdicts["temps-trajet"] == "met"
    candidate_said = [t.text for t in turns if t.role == Role.candidate]
    assert candidate_said[:2] == ["Oui", "Je me débrouille"] and "50 km" in candidate_said
    assert len(candidate_said) == TOTAL + 1  # every answer and the recap confirmation


def test_on_a_small_phone_consent_shows_its_buttons_and_can_be_typed_in_words(server, new_page):
    page = new_page(360, 640)  # a small Android phone
    page.goto(server.invite("E2E-TELEPHONE", "soudeur"))
    expect(page.get_by_text("intelligence artificielle").first).to_be_visible()
    for label in (texts.ACCEPT, texts.DECLINE, texts.DETAILS):
        expect(_answer_button(page, label)).to_be_in_viewport()  # no scrolling
    _shot(page, "phone-consent")
    _type(page, "c koi cette formation")  # neither yes nor no: asked again, nothing recorded
    expect(page.get_by_text("ou écrivez « oui » ou « non »").last).to_be_visible()
    _type(page, "dacc")
    expect(_progress(page, 1)).to_be_visible()
    screening, _ = _screening(server, "E2E-TELEPHONE")
    assert screening.status == ScreeningStatus.in_progress and screening.consent_at is not None

    other = new_page(360, 640)
    other.goto(server.invite("E2E-TELEPHONE-NON", "soudeur"))
    expect(_answer_button(other, texts.DECLINE)).to_be_in_viewport()
    _type(other, "nn merci")
    expect(other.get_by_text("Seul votre refus est enregistré")).to_be_visible()
    screening, _ = _screening(server, "E2E-TELEPHONE-NON")
    assert screening.status == ScreeningStatus.declined and screening.consent_at is None


def test_leaving_half_way_and_coming_back_resumes_at_the_pending_question(server, new_page):
    link = server.invite("E2E-REPRISE", "soudeur")
    first = new_page()
    first.goto(link)
    _accept(first)
    for index, (text, how) in enumerate(SOUDEUR[:5]):
        _answer(first, index, text, how)
    first.context.close()  # the candidate closes the tab

    again = new_page()  # another browser, same link
    again.goto(link)
    expect(again.get_by_text(texts.WELCOME_BACK)).to_be_visible()
    expect(again.get_by_text("Savez-vous faire des calculs simples").first).to_be_visible()
    expect(again.get_by_text("Je me débrouille").first).to_be_visible()  # the candidate's answer
    expect(_progress(again, 6)).to_be_visible()
    expect(again.get_by_text(texts.ACCEPT, exact=True)).to_have_count(0)  # no consent again
    _shot(again, "5-resumed")
    _answer(again, 5, *SOUDEUR[5])

    screening, turns = _screening(server, "E2E-REPRISE")
    assert screening.status == ScreeningStatus.in_progress
    assert screening.pending_criterion_id == "horaires-equipe"
    assert [t.text for t in turns if t.role == Role.candidate][-1] == SOUDEUR[5][0]


def test_a_tampered_link_shows_a_french_message_and_no_chat(server, new_page):
    link = server.invite("E2E-FAUX", "soudeur")
    token = link.split("invitation=")[1]
    forged = link.replace(token, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    page = new_page()
    page.goto(forged)
    expect(page.get_by_text("Ce lien n'est pas valide")).to_be_visible()
    _shot(page, "6-tampered")
    expect(page.get_by_role("button", name=texts.ACCEPT)).to_have_count(0)
    _type(page, "Bonjour")
    expect(page.get_by_text("Ce lien n'est pas valide")).to_have_count(2)
    expect(page.get_by_text(re.compile("Question 1 sur"))).to_have_count(0)


def _focus_by_tab(page: Page, wanted: str, *, backwards: bool = False) -> None:
    """Press Tab until the focused control is `wanted` (a button label or the message box)."""
    for _ in range(40):
        focused = page.evaluate(
            "() => document.activeElement.id === 'chat-input' ? 'chat-input'"
            " : document.activeElement.textContent.trim()"
        )
        if focused == wanted:
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{wanted!r} is not reachable with the Tab key")


def test_the_whole_screening_can_be_done_with_the_keyboard_alone(server, new_page):
    page = new_page()
    page.goto(server.invite("E2E-CLAVIER", "soudeur"))
    expect(_answer_button(page, texts.ACCEPT)).to_be_visible()
    _focus_by_tab(page, texts.ACCEPT)
    page.keyboard.press("Enter")
    expect(_progress(page, 1)).to_be_visible()
    for index, (text, how) in enumerate(SOUDEUR):
        if how == "button":
            _focus_by_tab(page, text)
            page.keyboard.press("Enter")
        else:
            _focus_by_tab(page, "chat-input")
            page.keyboard.type(text)
            page.keyboard.press("Enter")
        expect(_after(page, index)).to_be_visible()
    _focus_by_tab(page, RECAP_YES)
    page.keyboard.press("Enter")
    expect(page.get_by_text("c'est terminé", exact=False).last).to_be_visible()
    screening, _ = _screening(server, "E2E-CLAVIER")
    assert screening.status == ScreeningStatus.completed
