"""A dimension is scored in the turn that answers it, so that the last turn stays cheap; the
result is the one scoring everything at the end would give, for every persona of every rubric."""

from __future__ import annotations

from pathlib import Path

import pytest

import chatbot.conversation as conversation_module
from chatbot.conversation import Conversation
from chatbot.report import build_result
from chatbot.rubric_loader import rubrics_in
from chatbot.scoring import score_dimension
from evals.personas import load_personas, replay

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = rubrics_in(ROOT / "rubrics")
PERSONAS = [p for p in load_personas(ROOT / "evals" / "personas") if p.rubric in RUBRICS]


def _finished(persona) -> Conversation:
    made = []

    def begin(rubric, session_id):
        conversation, reply = Conversation.begin(rubric, session_id)
        made.append(conversation)
        return conversation, reply

    replay(persona, RUBRICS[persona.rubric], begin)
    return made[0]


def test_every_persona_result_is_the_one_scored_at_the_end():
    for persona in PERSONAS:
        conversation = _finished(persona)
        at_the_end = build_result(conversation.rubric, conversation.state)
        assert conversation.result() == at_the_end, persona.path


@pytest.mark.parametrize("persona", PERSONAS[:: max(1, len(PERSONAS) // 8)], ids=lambda p: p.path)
def test_the_last_turn_scores_at_most_one_dimension(persona, monkeypatch):
    conversation = _finished(persona)
    calls = []

    def counted(criterion, texts):
        calls.append(criterion.id)
        return score_dimension(criterion, texts)

    monkeypatch.setattr(conversation_module, "score_dimension", counted)
    conversation.result()
    assert len(calls) <= 1, calls


def test_words_added_after_scoring_are_scored_again():
    persona = next(p for p in PERSONAS if RUBRICS[p.rubric].dimensions)
    conversation = _finished(persona)
    dimension = conversation.rubric.dimensions[0]
    before = conversation.offline_score(dimension)
    conversation.state.texts[dimension.id] = [
        "j'ai aidé ma grand-mère tous les jours pendant deux ans, la toilette et les repas"
    ]
    after = conversation.offline_score(dimension)
    assert after == score_dimension(dimension, conversation.state.texts[dimension.id])
    assert after.evidence != before.evidence
