"""Plain-French words for what the dashboard shows: verdicts, methods, statuses, rules."""

from __future__ import annotations

import datetime as dt

from chatbot.answers import display_value, format_date
from chatbot.results import DimensionScore, ScreeningResult
from chatbot.rubric import AnswerType, Criterion, Rubric

OVERRIDDEN = "modifié par le conseiller"
VERDICTS = {"met": "rempli", "not_met": "non rempli", "unclear": "à vérifier"}
METHODS = {
    "offline": "lecture automatique (sans modèle d'IA)",
    "llm": "modèle d'IA",
    "counsellor": OVERRIDDEN,
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
    "rubric_changed": "rubrique modifiée en cours de questionnaire",
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
        return format_date(value)
    return SESSION_DATES.get(value, value)


def date_text(value: dt.datetime | dt.date | None) -> str:
    """« 3 décembre 2026 », with the local time for a moment: « 3 décembre 2026 à 14 h 05 »."""
    if value is None:
        return "—"
    if not isinstance(value, dt.datetime):
        return format_date(value)
    local = value.astimezone()
    return f"{format_date(local.date())} à {local.hour} h {local.minute:02d}"


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def answer_text(rubric: Rubric | None, criterion_id: str, value: object) -> str:
    """A stored answer as the candidate saw it: option and level labels, dates in words."""
    known = rubric is not None and any(c.id == criterion_id for c in rubric.criteria)
    if not known or value is None:
        return value_text(value)
    return display_value(rubric, rubric.criterion(criterion_id), value)


def level_text(level: int | None, max_level: int) -> str:
    return "sans réponse" if level is None else f"{level} sur {max_level}"


def level_choices(max_level: int) -> list[tuple[str, str]]:
    """The options of a level correction: every level, then "no answer"."""
    levels = [(str(n), f"niveau {level_text(n, max_level)}") for n in range(max_level + 1)]
    return [*levels, ("aucun", "sans réponse")]


def change_text(result: ScreeningResult | None, target_id: str, value: object) -> str:
    """One side of a counsellor's change: a verdict, or a level of a motivation criterion."""
    dimension = _dimension(result, target_id)
    if dimension is not None:
        return "niveau " + level_text(value, dimension.max_level)  # type: ignore[arg-type]
    return "sans réponse" if value is None else VERDICTS.get(str(value), str(value))


def _dimension(result: ScreeningResult | None, target_id: str) -> DimensionScore | None:
    found = [d for d in (result.dimensions if result else []) if d.criterion_id == target_id]
    return found[0] if found else None


def target_label(rubric: Rubric | None, result: ScreeningResult | None, target_id: str) -> str:
    """The criterion's label (a removed criterion keeps its id)."""
    labels = {c.criterion_id: c.label for c in result.criteria} if result else {}
    labels |= {d.criterion_id: d.label for d in result.dimensions} if result else {}
    labels |= {c.id: c.label for c in rubric.criteria} if rubric else {}
    return labels.get(target_id, target_id)


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


def duration_text(minutes: float | None) -> str:
    """« 19 min », « 4 h 05 », « 2 j 3 h »."""
    if minutes is None:
        return "—"
    total = round(minutes)
    if total < 60:
        return f"{total} min"
    hours, rest = divmod(total, 60)
    if hours < 48:
        return f"{hours} h {rest:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h"
