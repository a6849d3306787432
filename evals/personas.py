"""Personas: scripted candidates replayed through the real conversation, and the eval report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from chatbot.conversation import Conversation
from chatbot.results import Flag, ScreeningResult, Verdict
from chatbot.rubric import Rubric

DEFAULT_TODAY = dt.date(2026, 11, 27)
RECAP_OK = "Oui, tout est juste"
MAX_TURNS = 120


class Extra(BaseModel):
    model_config = ConfigDict(extra="forbid")
    before: str | None = None  # sent when this criterion is asked, before answering it
    after: str | None = None  # sent right after this criterion's answers
    at_recap: bool = False
    message: str


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdicts: dict[str, Verdict] = {}
    levels: dict[str, tuple[int, int]] = {}
    flags: list[Flag] = []


class Persona(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rubric: str
    name: str
    description: str = ""
    session: str | None = None
    today: dt.date = DEFAULT_TODAY
    answers: dict[str, list[str]]
    extra: list[Extra] = []
    recap: list[str] = [RECAP_OK]
    expected: Expected
    path: str = Field(default="", exclude=True)


def load_personas(directory: Path) -> list[Persona]:
    personas = []
    for path in sorted(Path(directory).rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        personas.append(Persona.model_validate({**data, "path": str(path)}))
    return personas


class Run(BaseModel):
    persona: Persona
    result: ScreeningResult
    questions_asked: int
    turns: int
    unused_answers: list[str]
    transcript: list[tuple[str, str]]


def replay(persona: Persona, rubric: Rubric, conversation_factory=None) -> Run:
    conversation, reply = (conversation_factory or Conversation.begin)(rubric, persona.session)
    queues = {cid: list(texts) for cid, texts in persona.answers.items()}
    extras = list(persona.extra)
    recap = list(persona.recap)
    transcript = [("assistant", m) for m in reply.messages]
    questions_at_recap = None
    for _ in range(MAX_TURNS):
        if reply.done:
            break
        pending = conversation.state.pending
        if pending is None and questions_at_recap is None:
            questions_at_recap = conversation.state.questions_asked
        message = _next_message(pending, queues, extras, recap)
        transcript.append(("candidate", message))
        reply = conversation.handle(message, persona.today).reply
        transcript += [("assistant", m) for m in reply.messages]
        if pending and pending != conversation.state.pending:
            extras_after = [e for e in extras if e.after == pending]
            for extra in extras_after:
                extras.remove(extra)
                transcript.append(("candidate", extra.message))
                reply = conversation.handle(extra.message, persona.today).reply
                transcript += [("assistant", m) for m in reply.messages]
    return Run(
        persona=persona,
        result=conversation.result(),
        questions_asked=questions_at_recap or conversation.state.questions_asked,
        turns=conversation.state.turns,
        unused_answers=[f"{cid}: {t}" for cid, texts in queues.items() for t in texts],
        transcript=transcript,
    )


def _next_message(pending, queues, extras, recap) -> str:
    if pending is None:
        at_recap = [e for e in extras if e.at_recap]
        if at_recap:
            extras.remove(at_recap[0])
            return at_recap[0].message
        return recap.pop(0) if recap else RECAP_OK
    before = [e for e in extras if e.before == pending]
    if before:
        extras.remove(before[0])
        return before[0].message
    queue = queues.get(pending)
    return queue.pop(0) if queue else "je ne sais pas"


def evaluate(
    rubrics: dict[str, Rubric], personas: list[Persona], conversation_factory=None
) -> dict:
    per_rubric: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    failures = []
    for persona in personas:
        if persona.rubric not in rubrics:
            continue
        rubric = rubrics[persona.rubric]
        run = replay(persona, rubric, conversation_factory)
        stats = per_rubric[rubric.id]
        stats["personas"] += 1
        stats["questions"] += run.questions_asked
        stats["criteria_asked"] += len(rubric.criteria)
        for cid, expected in persona.expected.verdicts.items():
            got = run.result.criterion(cid).verdict
            stats["criteria_total"] += 1
            stats["criteria_ok"] += got == expected
            if got != expected:
                failures.append(_failure(run, cid, expected, got))
        for cid, (low, high) in persona.expected.levels.items():
            level = run.result.dimension(cid).level
            stats["dimensions_total"] += 1
            ok = level is not None and low <= level <= high
            stats["dimensions_ok"] += ok
            if not ok:
                failures.append(_failure(run, cid, f"{low}-{high}", level))
        for flag in persona.expected.flags:
            stats["flags_total"] += 1
            stats["flags_ok"] += flag in run.result.flags
            if flag not in run.result.flags:
                failures.append(_failure(run, "flags", flag, run.result.flags))
        stats["complete"] += run.result.complete
    return _report(per_rubric, failures)


def _failure(run: Run, what: str, expected, got) -> dict:
    return {
        "persona": run.persona.path or run.persona.name,
        "item": what,
        "expected": str(expected),
        "got": str(got),
    }


def _ratio(ok: int, total: int) -> float | None:
    return round(ok / total, 4) if total else None


def _report(per_rubric: dict, failures: list[dict]) -> dict:
    total = defaultdict(int)
    breakdown = {}
    for rubric_id, stats in sorted(per_rubric.items()):
        for key, value in stats.items():
            total[key] += value
        breakdown[rubric_id] = _figures(stats)
    return {**_figures(total), "per_rubric": breakdown, "failures": failures}


def _figures(stats: dict) -> dict:
    return {
        "personas": stats["personas"],
        "criteria_accuracy": _ratio(stats["criteria_ok"], stats["criteria_total"]),
        "dimension_within_range": _ratio(stats["dimensions_ok"], stats["dimensions_total"]),
        "questions_per_criterion": _ratio(stats["questions"], stats["criteria_asked"]),
        "flags_found": _ratio(stats["flags_ok"], stats["flags_total"]),
        "completed": stats["complete"],
    }
