"""A yes/no question answered with a statement about something else, on every rubric, through the
chat's pipeline: "j'ai travaillé 3 ans en maison de retraite" to "Avez-vous le permis B ?" is no
"yes". The statements were written before running the engine; none uses a verb or a noun of any
rubric's yes/no questions."""

import datetime as dt

import pytest
import yaml

from chatbot.conversation import Conversation
from chatbot.rubric import AnswerType
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT

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


def asked(rubric_id: str, criterion_id: str) -> Conversation:
    """A conversation waiting on `criterion_id`, the earlier questions answered by a persona."""
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
