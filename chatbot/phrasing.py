"""LLM phrasing: the rubric's questions said naturally, and grounded answers to candidates.

A phrased question depends only on the rubric (no candidate data), so it is cached per process
and costs tokens once per rubric version. It is kept only if it stays one question that names no
other criterion; otherwise the rubric's own wording is used. Answers to a candidate's question
use only the training sheet; the model is told to say it does not know otherwise.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

from chatbot import messages as msg
from chatbot.answers import format_date
from chatbot.llm import Instructions, LLMError, ModelGateway, prompts_hash, render
from chatbot.rubric import AnswerType, Criterion, Rubric
from chatbot.text import fold
from pii import Scrubbed

log = logging.getLogger(__name__)

DONT_KNOW = "Je ne sais pas, votre conseiller pourra vous répondre."
MAX_GROWTH = 2.0  # a phrased question may be at most twice as long as the rubric's

_phrased: dict[tuple[str, str, str, str], str] = {}


def phrase_question(gateway: ModelGateway, rubric: Rubric, criterion: Criterion) -> str:
    """The question phrased by the model, or the rubric's wording when it cannot be trusted."""
    key = (prompts_hash(), rubric.id, rubric.version, criterion.id)
    if key not in _phrased:
        try:
            text = gateway.text(
                question_instructions(rubric, criterion), purpose="phrase", max_tokens=80
            )
        except LLMError:
            log.warning("phrasing failed, rubric wording kept", exc_info=True)
            return criterion.question
        _phrased[key] = text if same_question(rubric, criterion, text) else criterion.question
    return _phrased[key]


def question_instructions(rubric: Rubric, criterion: Criterion) -> Instructions:
    options = [o.label for o in criterion.answer.options]
    if criterion.answer.type == AnswerType.level:
        options = [s.label for s in rubric.scale(criterion.answer.scale)]
    return render(
        "phrase_question.j2",
        title=rubric.training.title,
        question=criterion.question,
        options=options,
    )


def same_question(rubric: Rubric, criterion: Criterion, phrased: str) -> bool:
    """One question, not much longer, naming no other criterion than the original does."""
    phrased = phrased.strip().strip('«»"').strip()
    if phrased.count("?") != 1 or not phrased.endswith("?"):
        return False
    if len(phrased) > MAX_GROWTH * len(criterion.question) + 40:
        return False
    original = fold(criterion.question)
    for other in rubric.criteria:
        if other.id == criterion.id:
            continue
        for cue in [other.label, *other.keywords]:
            pattern = rf"\b{re.escape(fold(cue))}\b"
            if re.search(pattern, fold(phrased)) and not re.search(pattern, original):
                return False
    return True


def answer_instructions(rubric: Rubric) -> Instructions:
    training, job = rubric.training, rubric.training.job
    site = training.site
    return render(
        "answer_question.j2",
        title=training.title,
        dont_know=DONT_KNOW,
        certification=training.certification.name,
        provider=training.provider.name,
        site=f"{site.address}, {site.postal_code} {site.commune}",
        duration=training.duration,
        funding=training.funding,
        pay_during_training=training.pay_during_training,
        sessions=[
            f"du {format_date(s.start)} au {format_date(s.end)}, {s.schedule}"
            for s in training.sessions
        ],
        missions=job.missions,
        working_conditions=job.working_conditions,
        pay_range=job.pay_range,
        hiring_outlook=job.hiring_outlook,
        faq=[e.model_dump() for e in training.faq],
    )


def answer_question(gateway: ModelGateway, rubric: Rubric, message: Scrubbed) -> str:
    """A grounded answer to the question in `message`; the "don't know" line on any failure."""
    try:
        answer = gateway.text(answer_instructions(rubric), [message], purpose="answer")
    except LLMError:
        log.warning("answering failed", exc_info=True)
        return msg.DONT_KNOW_ANSWER
    return answer or msg.DONT_KNOW_ANSWER


async def stream_answer(
    gateway: ModelGateway, rubric: Rubric, message: Scrubbed
) -> AsyncIterator[str]:
    """The same answer, chunk by chunk, for the browser; the "don't know" line if it fails."""
    sent = False
    try:
        async for chunk in gateway.stream(answer_instructions(rubric), [message], purpose="answer"):
            sent = True
            yield chunk
    except LLMError:
        log.warning("streamed answer failed", exc_info=True)
        if not sent:
            yield msg.DONT_KNOW_ANSWER
