"""Plain-French words for what the dashboard shows: verdicts, methods, statuses, rules."""

from __future__ import annotations

import datetime as dt

from chatbot.rubric import AnswerType, Criterion, Rubric

VERDICTS = {"met": "rempli", "not_met": "non rempli", "unclear": "à vérifier"}
METHODS = {
    "offline": "lecture automatique (sans modèle d'IA)",
    "llm": "modèle d'IA",
    "counsellor": "corrigé par un conseiller",
}
STATUSES = {
    "invited": "invité",
    "consented": "a accepté",
    "declined": "a refusé",
    "in_progress": "en cours",
    "completed": "terminé",
    "abandoned": "abandonné",
    "erased": "effacé",
}
DECISIONS = {"retenu": "retenu", "non_retenu": "non retenu", "a_recontacter": "à recontacter"}
FLAGS = {
    "handoff_requested": "demande à parler à quelqu'un",
    "blocking_not_met": "prérequis obligatoire non rempli",
    "inconsistent_answers": "réponses contradictoires",
    "manipulation_attempt": "tentative de manipulation",
    "unclear_answers": "réponses peu claires",
    "incomplete": "incomplet",
}
KINDS = {
    "prerequisite": "Prérequis",
    "mobility": "Mobilité",
    "availability": "Disponibilité",
    "motivation": "Motivation",
    "readiness": "Préparation",
}
SESSION_DATES = {"session_start": "le début de la session", "session_end": "la fin de la session"}


def flag_list(stored: str | None) -> list[str]:
    """',a,b,' -> ['a', 'b']"""
    return [f for f in (stored or "").split(",") if f]


def rule_text(rubric: Rubric, criterion: Criterion) -> str:
    """What the rule expects, in one short French sentence."""
    rule = criterion.rule
    if rule is None:
        return "Pas de règle : la réponse est lue par le conseiller."
    answer = criterion.answer
    parts: list[str] = []
    if rule.equals is not None:
        parts.append("réponse attendue : " + ("oui" if rule.equals else "non"))
    if rule.min is not None:
        parts.append("au moins " + _bound(rubric, criterion, rule.min))
    if rule.max is not None:
        parts.append("au plus " + _bound(rubric, criterion, rule.max))
    if rule.any_of:
        parts.append("une de ces réponses : " + _options(criterion, rule.any_of))
    if rule.none_of:
        parts.append("aucune de ces réponses : " + _options(criterion, rule.none_of))
    if rule.before is not None:
        parts.append("au plus tard " + _date(rule.before))
    if rule.after is not None:
        parts.append(
            "au plus tôt " + ("aujourd'hui" if rule.after == "today" else _date(rule.after))
        )
    if answer.type == AnswerType.free_text and not parts:
        return "Réponse libre, lue par le conseiller."
    text = " ; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _bound(rubric: Rubric, criterion: Criterion, value: float | str) -> str:
    answer = criterion.answer
    if answer.type == AnswerType.level and isinstance(value, str) and answer.scale:
        labels = {level.id: level.label for level in rubric.scale(answer.scale)}
        return f"le niveau « {labels.get(value, value)} »"
    if answer.type == AnswerType.duration:
        return f"{_number(float(value))} minutes"
    unit = f" {answer.unit}" if answer.unit else ""
    return f"{_number(float(value))}{unit}"


def _options(criterion: Criterion, ids: list[str]) -> str:
    labels = {o.id: o.label for o in criterion.answer.options}
    return ", ".join(f"« {labels.get(i, i)} »" for i in ids)


def _date(value: dt.date | str) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return SESSION_DATES.get(value, value)


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def value_text(value: object) -> str:
    """A stored answer value, for people."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)} %"


def score_text(score: float | None) -> str:
    return "—" if score is None else _number(round(score, 1))
