"""What `screening try` shows a trainer: how one answer to one question is understood, in French.

Everything the message was read as is shown, including what it would also answer for another
question, so that a trainer sees exactly what the chat would record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatbot.answers import display_value
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
from chatbot.conversation import Conversation, Turn
from chatbot.results import DimensionScore
from chatbot.rubric import DIMENSION_KINDS, Rubric
from chatbot.web.dashboard.explain import METHODS, VERDICTS

UNCLEAR = {
    "vague": "réponse vague",
    "dont_know": "le candidat ne sait pas",
    "invalid": "réponse impossible à lire",
    "out_of_bounds": "valeur hors des limites de la question",
}
OFF_TOPIC = {
    "off_topic": "hors sujet",
    "greeting": "salutation",
    "rude": "message agressif",
    "other_language": "autre langue que le français",
    "empty": "message vide",
    "too_long": "message trop long",
    "noise": "message illisible",
}


@dataclass
class Trial:
    rubric: Rubric
    criterion_id: str
    verdict: str | None = None
    value: Any = None
    shown: str | None = None
    evidence: str | None = None
    method: str | None = None
    level: DimensionScore | None = None
    others: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        criterion = self.rubric.criterion(self.criterion_id)
        lines = [f"Question : {criterion.label} ({criterion.id})"]
        if self.shown is None:
            lines.append("Compris : rien qui réponde à cette question")
        else:
            lines.append(f"Compris : {self.shown}")
        if self.level is not None:
            lines.append(self.level.rationale)
        elif self.verdict is not None:
            how = f" — {METHODS.get(self.method or '', self.method)}" if self.method else ""
            lines.append(f"Verdict : {VERDICTS[self.verdict]}{how}")
        if self.evidence:
            lines.append(f"Mots du candidat : « {self.evidence} »")
        lines += [f"Aussi compris : {other}" for other in self.others]
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "criterion_id": self.criterion_id,
            "verdict": self.verdict,
            "value": self.value,
            "shown": self.shown,
            "evidence": self.evidence,
            "level": self.level.level if self.level else None,
            "others": self.others,
        }


def trial(rubric: Rubric, criterion_id: str, conversation: Conversation, turn: Turn) -> Trial:
    found = Trial(rubric, criterion_id)
    criterion = rubric.criterion(criterion_id)
    record = conversation.state.answers.get(criterion_id)
    if record is not None and record.value is not None:
        found.value = record.model_dump(mode="json")["value"]
        found.shown = _shown(rubric, criterion_id, record.value)
    if record is not None and (record.value is not None or record.note):
        found.shown = found.shown or record.note  # "réponse avec une réserve"
        found.evidence, found.method = record.evidence, str(record.method)
        found.verdict = str(record.verdict)
    if criterion.kind in DIMENSION_KINDS and record is not None:
        found.level = conversation.result().dimension(criterion_id)
    found.others = [
        said for command in turn.commands if (said := _other(rubric, criterion_id, command))
    ]
    return found


def _shown(rubric: Rubric, criterion_id: str, value: Any) -> str:
    criterion = rubric.criterion(criterion_id)
    if criterion.kind in DIMENSION_KINDS:
        return f"« {value} »"
    return display_value(rubric, criterion, value)


def _other(rubric: Rubric, criterion_id: str, command: Command) -> str | None:
    """What else the message was read as, or None for the answer to the question asked."""
    match command:
        case SetAnswer(criterion_id=other) if other == criterion_id:
            return None
        case SetAnswer(criterion_id=other, value=value, evidence=evidence):
            known = any(c.id == other for c in rubric.criteria)
            label = rubric.criterion(other).label if known else other
            shown = _shown(rubric, other, value) if known else str(value)
            what = "correction de" if isinstance(command, Correct) else "une autre question,"
            return f"{what} « {label} » : {shown} (mots : « {evidence} »)"
        case AskQuestion(question=question):
            return f"le candidat pose une question : « {question} »"
        case Handoff():
            return "le candidat demande à parler à une personne"
        case OffTopic(reason=reason):
            return OFF_TOPIC[reason]
        case Unclear(reason=reason):
            return f"pas de réponse claire ({UNCLEAR[reason]})"
        case Manipulation(evidence=evidence):
            return f"tentative d'influencer l'évaluation : « {evidence} »"
        case Revisit() | Confirm():
            return None
    return None
