"""Side questions, through the chat's pipeline (normaliser and pseudonymiser included), on every
rubric: pay of the job told apart from pay during training, schedules, and never a try used.

The questions were written from how candidates ask (the issue's examples and SMS forms) before
running the engine; the expected answers are the rubric's own fields."""

import datetime as dt

import pytest

from chatbot import messages as msg
from chatbot.conversation import Conversation
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT

RUBRICS = rubrics_in(PROJECT_ROOT / "rubrics")
TODAY = dt.date(2026, 12, 3)

JOB_PAY = [
    "c'est quoi le salaire",
    "ça paye bien ?",
    "on gagne combien apres",
    "le salaire c combien",
]
TRAINING_PAY = [
    "on est payé pendant la formation",
    "jsuis payé pdt la formation ?",
    "on touche combien en formation",
    "est-ce que je garde mon chomage",
]
EITHER_PAY = ["c payé ?", "c'est payé ?"]
SCHEDULE = ["c koi les horaires", "quels sont les horaires ?"]


def ask(rubric, text: str):
    conversation, first = Conversation.begin(rubric)
    pending = conversation.state.pending
    reply = conversation.handle(text, TODAY).reply
    assert conversation.state.pending == pending  # still the same question…
    assert conversation.state.tries.get(pending, 0) == 0  # …and no try used
    assert conversation.state.answers == {}
    return "\n".join(reply.messages)


@pytest.mark.parametrize("rubric_id", sorted(RUBRICS))
def test_pay_of_the_job_and_pay_during_training_are_told_apart(rubric_id):
    training = RUBRICS[rubric_id].training
    for question in JOB_PAY:
        said = ask(RUBRICS[rubric_id], question)
        assert training.job.pay_range in said and training.pay_during_training not in said, question
    for question in TRAINING_PAY:
        said = ask(RUBRICS[rubric_id], question)
        assert training.pay_during_training in said and training.job.pay_range not in said, question
    for question in EITHER_PAY:
        said = ask(RUBRICS[rubric_id], question)
        assert training.pay_during_training in said and training.job.pay_range in said, question


@pytest.mark.parametrize("rubric_id", sorted(RUBRICS))
def test_schedule_questions_get_the_sessions_hours_unless_the_trainer_answered_them(rubric_id):
    training = RUBRICS[rubric_id].training
    own = [f.answer for f in training.faq if "horaires" in f.keywords]  # the trainer's answer
    for question in SCHEDULE:
        said = ask(RUBRICS[rubric_id], question)
        if own:
            assert own[0] in said, question
        else:
            assert all(s.schedule in said for s in training.sessions), question
        assert msg.DONT_KNOW_ANSWER not in said
