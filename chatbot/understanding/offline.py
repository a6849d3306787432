"""Offline French understanding: parsers and cues, no model, no network. The embedded default."""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz, process

from chatbot.commands import (
    AskQuestion,
    Command,
    Confirm,
    Correct,
    Handoff,
    Manipulation,
    OffTopic,
    Revisit,
    SetAnswer,
    Unclear,
)
from chatbot.faq import answer_question
from chatbot.rubric import DIMENSION_KINDS, AnswerType, Criterion
from chatbot.text import fold
from chatbot.understanding import parsers, signals
from chatbot.understanding.base import MAX_CHARS, TurnContext


class OfflineUnderstander:
    def understand(self, text: str, context: TurnContext) -> list[Command]:
        if not text.strip():
            return [OffTopic(reason="empty")]
        if len(text) > MAX_CHARS:
            return [OffTopic(reason="too_long")]
        if not signals.has_words(text):
            return [OffTopic(reason="noise")]
        commands: list[Command] = []
        steering = [s for s in signals.sentences(text) if signals.is_manipulation(s)]
        if steering or signals.is_manipulation(text):
            commands.append(Manipulation(evidence=" ".join(steering) or text[:300]))
            # The candidate's words are data, never instructions: steering is not an answer.
            text = _without(text, steering) if steering else ""
            if not signals.has_words(text):
                return commands
        if signals.is_handoff(text):
            return [*commands, Handoff()]
        if context.state.phase == "recap":
            return commands + _recap(text, context)
        questions = _questions(text, context)
        answer_text = _without(text, questions)
        if questions and not answer_text.strip():
            return [*commands, AskQuestion(question=" ".join(questions))]
        if signals.is_greeting(text):
            return [*commands, OffTopic(reason="greeting")]
        commands += _answers(answer_text, context)
        if questions:
            commands.append(AskQuestion(question=" ".join(questions)))
        if not any(isinstance(c, SetAnswer | AskQuestion) for c in commands):
            commands.append(_not_understood(answer_text, context))
        return commands


def _questions(text: str, context: TurnContext) -> list[str]:
    """Sentences to answer as questions; a hesitant "…?" that answers the question stays an answer."""
    asking, hesitant = signals.question_sentences(text)
    pending = context.pending
    for sentence in hesitant:
        if pending is not None and pending.kind not in DIMENSION_KINDS:
            answers = _parse(pending, sentence, context, cued=_cued(pending, sentence))
        else:
            answers = answer_question(context.rubric, sentence) is None and pending is not None
        if not answers:
            asking.append(sentence)
    return asking


def _without(text: str, sentences: list[str]) -> str:
    for sentence in sentences:
        text = text.replace(sentence, " ")
    return text


def _not_understood(text: str, context: TurnContext) -> Command:
    pending = context.pending
    if parsers.is_dont_know(text):
        return Unclear(
            criterion_id=pending.id if pending else None, reason="dont_know", evidence=text.strip()
        )
    if signals.is_other_language(text):
        return OffTopic(reason="other_language")
    if signals.is_rude(text):
        return OffTopic(reason="rude")
    return Unclear(criterion_id=pending.id if pending else None, reason="vague")


def _answers(text: str, context: TurnContext) -> list[Command]:
    state, pending = context.state, context.pending
    correcting = signals.is_correction(text)
    commands: list[Command] = []
    for criterion in context.rubric.criteria:
        if criterion is pending or criterion.kind in DIMENSION_KINDS:
            continue
        answered = criterion.id in state.answers
        if answered and not correcting:
            continue
        if not _cued(criterion, text):
            continue
        parsed = _parse(criterion, text, context, cued=True)
        if parsed is None:
            continue
        if answered and state.answers[criterion.id].value == parsed.value:
            continue
        kind = Correct if answered else SetAnswer
        commands.append(_command(kind, criterion, text, parsed))
    if pending is not None and not (correcting and commands):
        if pending.kind in DIMENSION_KINDS:
            if not parsers.is_dont_know(text) or len(text.split()) > 6:
                commands.append(
                    SetAnswer(criterion_id=pending.id, value=text.strip(), evidence=text.strip())
                )
        elif (parsed := _parse(pending, text, context, cued=_cued(pending, text))) is not None:
            commands.append(_command(SetAnswer, pending, text, parsed))
    return commands


def _command(kind: type[SetAnswer], criterion: Criterion, text: str, parsed) -> SetAnswer:
    return kind(
        criterion_id=criterion.id,
        value=parsed.value,
        evidence=text[parsed.start : parsed.end],
        confidence=parsed.confidence,
        note=parsed.note,
    )


def _cued(criterion: Criterion, text: str) -> bool:
    folded = fold(text)
    if any(re.search(rf"\b{re.escape(fold(k))}\b", folded) for k in criterion.keywords):
        return True
    unit = criterion.answer.unit
    return bool(
        unit and re.search(rf"\d\s*{re.escape(fold(unit))}\b|\b{re.escape(fold(unit))}\b", folded)
    )


def _parse(criterion: Criterion, text: str, context: TurnContext, cued: bool):
    answer = criterion.answer
    match answer.type:
        case AnswerType.yes_no:
            about = criterion.keywords if cued and criterion.keywords else ()
            return parsers.parse_yes_no(text, about=about)
        case AnswerType.number:
            return parsers.parse_number(text, unit=answer.unit)
        case AnswerType.date:
            return parsers.parse_date(text, now=context.now)
        case AnswerType.duration:
            return parsers.parse_duration(text)
        case AnswerType.choice | AnswerType.multi_choice:
            multi = answer.type == AnswerType.multi_choice
            chosen = parsers.parse_choice(text, answer.options, multi=multi)
            return chosen or _yes_no_option(criterion, text, cued)
        case AnswerType.level:
            return parsers.parse_level(text, context.rubric.scale(answer.scale))
    return None


def _yes_no_option(criterion: Criterion, text: str, cued: bool):
    """Options meaning yes / no (/ in progress) also take a plain "ouais", "nn", "pas encore"."""

    def option_for(word: str) -> str | None:
        return next(
            (
                o.id
                for o in criterion.answer.options
                if word in {fold(x) for x in (o.id, *o.synonyms)}
            ),
            None,
        )

    yes, no, ongoing = option_for("oui"), option_for("non"), option_for("en cours")
    if yes is None or no is None:
        return None
    about = criterion.keywords if cued and criterion.keywords else ()
    said = parsers.parse_yes_no(text, about=about)
    if said is None:
        return None
    in_progress = said.note in ("en cours", "pas encore") and ongoing is not None
    value = yes if said.value else ongoing if in_progress else no
    return replace(
        said, value=[value] if criterion.answer.type == AnswerType.multi_choice else value
    )


def _recap(text: str, context: TurnContext) -> list[Command]:
    labels = {c.label: c.id for c in context.rubric.criteria}
    chosen = process.extractOne(text, list(labels), scorer=fuzz.WRatio, score_cutoff=88)
    if chosen and len(text) <= len(chosen[0]) + 10:
        return [Revisit(criterion_id=labels[chosen[0]])]
    state = context.state
    corrections: list[Command] = []
    for criterion in context.rubric.closed_criteria:
        if _cued(criterion, text) and (parsed := _parse(criterion, text, context, cued=True)):
            previous = state.answers.get(criterion.id)
            if previous is None or previous.value != parsed.value:
                corrections.append(_command(Correct, criterion, text, parsed))
    if corrections:
        return corrections
    if re.search(r"\b(corriger|modifier|changer|faux|erreur)\b", fold(text)):
        return [Unclear(reason="vague")]
    verdict = parsers.parse_yes_no(text)
    if verdict is not None and verdict.value is True:
        return [Confirm()]
    if any(signals.question_sentences(text)):
        return [AskQuestion(question=text)]
    return [Unclear(reason="vague")]
