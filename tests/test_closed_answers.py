"""Closed answers through the chat's pipeline. A yes/no question answered with a statement about
something else, on every rubric: "j'ai travaillé 3 ans en maison de retraite" to "Avez-vous le
permis B ?" is no "yes" (the statements were written before running the engine; none uses a verb
or a noun of any rubric's yes/no questions). Levels said by their code ("le caces 3 et le 5").
A value said again beside a new one at the recap."""

import datetime as dt

import pytest
import yaml

from chatbot.conversation import Conversation
from chatbot.rubric import AnswerType
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT
from chatbot.understanding.parsers import parse_level

RUBRICS = rubrics_in(PROJECT_ROOT / "rubrics")
PERSONAS = PROJECT_ROOT / "evals" / "personas"
TODAY = dt.date(2026, 12, 3)

ELSEWHERE = [
    "j'ai aidé ma grand-mère pendant deux ans",
    "jai bossé 3 ans a l'usine",
    "j'ai arrêté l'école en 3e",
    "j'ai 5 ans d'expérience en magasin",
]
PLAIN_YES = ["oui j'ai", "ouais", "oui c bon"]


def yes_no_questions():
    return [
        (rubric_id, criterion.id)
        for rubric_id, rubric in sorted(RUBRICS.items())
        for criterion in rubric.criteria
        if criterion.answer.type == AnswerType.yes_no
    ]


def asked(rubric_id: str, criterion_id: str | None) -> Conversation:
    """A conversation waiting on `criterion_id` (None: the recap), the earlier questions answered
    by the rubric's first persona."""
    rubric = RUBRICS[rubric_id]
    persona = sorted((PERSONAS / rubric_id).glob("*.yaml"))[0]
    answers = yaml.safe_load(persona.read_text(encoding="utf-8"))["answers"]
    queues = {cid: list(texts) for cid, texts in answers.items()}
    conversation, _ = Conversation.begin(rubric)
    for _ in range(60):
        pending = conversation.state.pending
        if pending in (None, criterion_id):
            break
        conversation.handle((queues.get(pending) or ["oui"]).pop(0), TODAY)
    if conversation.state.pending != criterion_id:
        pytest.skip(f"{criterion_id} is settled before it is asked in this persona")
    return conversation


@pytest.mark.parametrize(("rubric_id", "criterion_id"), yes_no_questions())
def test_a_statement_about_something_else_is_no_yes(rubric_id, criterion_id):
    for text in ELSEWHERE:
        conversation = asked(rubric_id, criterion_id)
        conversation.handle(text, TODAY)
        assert criterion_id not in conversation.state.answers, text
        assert conversation.state.pending == criterion_id, text  # asked again


@pytest.mark.parametrize(("rubric_id", "criterion_id"), yes_no_questions())
def test_a_plain_yes_is_still_yes(rubric_id, criterion_id):
    for text in PLAIN_YES:
        conversation = asked(rubric_id, criterion_id)
        conversation.handle(text, TODAY)
        assert conversation.state.answers[criterion_id].value is True, text


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("jai le caces 3 et le 5, passés en 2018", "r489-5"),  # the highest held
        ("le 1A et le 3", "r489-3"),  # a short answer to "lequel ?"
        ("le 1a, le 3 et le 5", "r489-5"),
        ("j'ai le 3 mais pas le 5", "r489-3"),
        ("j'ai 3 ans d'expérience", None),  # a number with a unit is no code
        ("aucun", "aucun"),
    ],
)
def test_levels_said_by_their_code(text, level):
    parsed = parse_level(text, RUBRICS["cariste-entrepot"].scales["caces"])
    assert (parsed and parsed.value) == level, parsed


def test_at_the_recap_a_value_said_again_does_not_hide_the_new_one():
    conversation = asked("assistant-vie-familles", None)
    assert conversation.state.phase == "recap"
    assert conversation.state.answers["transport"].value == ["transports"]
    reply = conversation.handle(
        "ah non attendez, avec le changement de bus ça me fait plutôt 1 h 30 pour venir", TODAY
    ).reply
    assert conversation.state.answers["temps-trajet"].value == 90, reply.messages


@pytest.mark.parametrize("text", ["je l'ai raté", "j'ai raté le permis", "jai echoué au permis"])
def test_failed_is_no(text):
    conversation = asked("aide-soignant", "permis-b")
    conversation.handle(text, TODAY)
    assert conversation.state.answers["permis-b"].value is False


def test_an_answer_said_again_is_acknowledged_without_using_a_try():
    conversation = asked("accompagnant-educatif-social", "distance-stage")
    assert conversation.state.answers["permis"].value == "non"
    reply = conversation.handle("en fait le permis je l'ai pas", TODAY).reply
    assert conversation.state.pending == "distance-stage"
    assert conversation.state.tries.get("distance-stage", 0) == 0, reply.messages
    assert conversation.state.answers["permis"].value == "non"


def test_yes_to_part_of_the_question_and_no_to_the_rest_is_not_a_plain_yes():
    conversation = asked("conducteur-ligne", "calcul")
    conversation.handle(
        "Les additions oui, mais les pourcentages non, je sais pas les faire", TODAY
    )
    answer = conversation.state.answers.get("calcul")
    assert answer is None or answer.verdict != "met", answer


def test_options_said_both_by_name_and_in_other_words_are_all_kept():
    conversation = asked("conducteur-ligne", "horaires-equipe")
    conversation.handle("matin, après-midi, et le samedi si besoin", TODAY)
    answer = conversation.state.answers["horaires-equipe"]
    assert answer.value == ["deux-huit", "week-end"], answer
    assert answer.evidence == "matin, après-midi, et le samedi si besoin"


def test_a_duration_beside_the_way_of_travelling_is_kept():
    conversation = asked("aide-soignant", "temps-trajet")
    conversation.handle("20min en bus", TODAY)
    assert conversation.state.answers["temps-trajet"].value == 20


@pytest.mark.parametrize("text", ["je parle francais normal", "normal, français"])
def test_french_spoken_normally_is_fluent(text):
    conversation = asked("assistant-vie-familles", "francais-oral")
    conversation.handle(text, TODAY)
    assert conversation.state.answers["francais-oral"].value == "b2"
