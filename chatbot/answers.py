"""From a parsed answer to a verdict, and back to plain French for the recap and counsellors."""

from __future__ import annotations

import datetime as dt

from chatbot.commands import Value
from chatbot.results import Verdict
from chatbot.rubric import AnswerType, Criterion, Rubric

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def verdict_for(
    criterion: Criterion,
    value: Value,
    *,
    rubric: Rubric,
    session_start: dt.date,
    session_end: dt.date,
    today: dt.date,
) -> Verdict:
    rule, kind = criterion.rule, criterion.answer.type
    if value is None or value == []:
        return Verdict.unclear
    if rule is None:
        return Verdict.met
    checks: list[bool] = []
    if rule.equals is not None:
        checks.append(value is rule.equals)
    if kind == AnswerType.level:
        order = [lvl.id for lvl in rubric.scale(criterion.answer.scale)]
        if value not in order:
            return Verdict.unclear
        rank = order.index(value)
        if rule.min is not None:
            checks.append(rank >= order.index(rule.min))
        if rule.max is not None:
            checks.append(rank <= order.index(rule.max))
    elif kind in (AnswerType.number, AnswerType.duration):
        if rule.min is not None:
            checks.append(float(value) >= float(rule.min))
        if rule.max is not None:
            checks.append(float(value) <= float(rule.max))
    if kind == AnswerType.date:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        named = {"session_start": session_start, "session_end": session_end, "today": today}
        if rule.before is not None:
            checks.append(day <= named.get(rule.before, rule.before))
        if rule.after is not None:
            checks.append(day >= named.get(rule.after, rule.after))
    chosen = set(value) if isinstance(value, list) else {value}
    if rule.any_of is not None:
        checks.append(bool(chosen & set(rule.any_of)))
    if rule.none_of is not None:
        checks.append(not chosen & set(rule.none_of))
    return Verdict.met if all(checks) else Verdict.not_met


def display_value(rubric: Rubric, criterion: Criterion, value: Value) -> str:
    """The answer as a candidate or a counsellor reads it."""
    kind = criterion.answer.type
    if value is None:
        return "pas de réponse"
    if kind == AnswerType.yes_no:
        return "oui" if value else "non"
    if kind == AnswerType.number:
        number = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{number} {criterion.answer.unit or ''}".strip()
    if kind == AnswerType.duration:
        return format_minutes(int(value))
    if kind == AnswerType.date:
        return format_date(
            value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        )
    if kind in (AnswerType.choice, AnswerType.multi_choice):
        labels = {o.id: o.label for o in criterion.answer.options}
        ids = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(i, str(i)) for i in ids)
    if kind == AnswerType.level:
        labels = {lvl.id: lvl.label for lvl in rubric.scale(criterion.answer.scale)}
        return labels.get(str(value), str(value))
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def format_date(day: dt.date) -> str:
    """« 1er janvier 2027 », « 4 janvier 2027 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"
