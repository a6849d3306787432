"""One candidate's conversation: clean → scrub → understand → engine step → reply.

Shared by the browser chat, `screening simulate`, the evals and the load tests, so that every
path runs the same turn. It performs no storage I/O: callers persist what `Turn` reports.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Self

from chatbot import engine
from chatbot.chat_french import learn_words, normalise
from chatbot.commands import Command, SetAnswer, Unclear
from chatbot.engine import Reply, ScreeningState
from chatbot.results import DimensionScore, ScreeningResult
from chatbot.rubric import DIMENSION_KINDS, AnswerType, Criterion, Rubric
from chatbot.scoring import score_dimension
from chatbot.understanding.base import TurnContext, Understander, clean_message
from chatbot.understanding.offline import OfflineUnderstander
from pii.pseudonymizer import Pseudonymizer, Scrubbed, ScrubbedChat

log = logging.getLogger(__name__)


@dataclass
class Turn:
    candidate_text: Scrubbed  # the candidate's own words, scrubbed: what is stored
    commands: list[Command]
    reply: Reply
    method: str  # "offline" or "llm"
    fallback: bool = False  # the LLM failed and offline understanding took the turn
    tokens_in: int = 0  # model tokens spent on this turn (LLM mode), see chatbot.llm.TokenMeter
    tokens_out: int = 0


@dataclass
class Conversation:
    rubric: Rubric
    state: ScreeningState
    scrubber: Pseudonymizer = field(default_factory=Pseudonymizer)
    understander: Understander = field(default_factory=OfflineUnderstander)
    fallback: Understander = field(default_factory=OfflineUnderstander)
    # Offline scores of the dimensions already answered, with the words they were scored on.
    scored: dict[str, tuple[tuple[str, ...], DimensionScore]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        learn_words(self.rubric)

    @classmethod
    def begin(
        cls, rubric: Rubric, session_id: str | None = None, contact: str | None = None, **kwargs
    ) -> tuple[Self, Reply]:
        state, reply = engine.start(rubric, session_id, contact)
        return cls(rubric=rubric, state=state, **kwargs), reply

    def handle(self, raw_text: str, now: dt.date) -> Turn:
        message = self.scrubber.scrub_chat(normalise(clean_message(raw_text)))
        scrubbed = message.understood
        context = TurnContext(self.rubric, self.state, now)
        method, fell_back = _method_of(self.understander), False
        try:
            commands = self.understander.understand(scrubbed, context)
        except Exception:  # a model failure must never lose the turn
            log.warning("understanding failed, offline fallback for this turn", exc_info=True)
            commands, method, fell_back = self._fallback(scrubbed, context), "offline", True
        commands = [self._in_own_words(c, message) for c in commands]
        self.state, reply = engine.step(self.rubric, self.state, commands, now)
        self._score_answered()
        reply = reply.model_copy(
            update={"messages": [self.scrubber.restore(m) for m in reply.messages]}
        )
        return Turn(message.own_words, commands, reply, method, fell_back)

    def _in_own_words(self, command: Command, message: ScrubbedChat) -> Command:
        """Quotes are the candidate's own words ("jai 23 ans"), read as normalised text."""
        update: dict[str, object] = {}
        evidence = getattr(command, "evidence", None)
        if evidence:
            update["evidence"] = message.quote(evidence)
        if isinstance(command, SetAnswer) and isinstance(command.value, str):
            criterion = self.rubric.criterion(command.criterion_id)
            if criterion.kind in DIMENSION_KINDS or criterion.answer.type == AnswerType.free_text:
                update["value"] = message.quote(command.value)
        return command.model_copy(update=update) if update else command

    def _fallback(self, scrubbed: Scrubbed, context: TurnContext) -> list[Command]:
        try:
            return self.fallback.understand(scrubbed, context)
        except Exception:  # last resort: re-ask rather than crash
            log.exception("offline understanding failed")
            return [Unclear(criterion_id=self.state.pending)]

    def _score_answered(self) -> None:
        """Score a dimension once the conversation has moved past it, in the turn that answered
        it: the last turn then has one dimension to score, not all of them (a campaign's
        candidates who started together finish together)."""
        pending = self.state.pending
        for criterion in self.rubric.dimensions:
            if criterion.id != pending and self.state.texts.get(criterion.id):
                self.offline_score(criterion)

    def offline_score(self, criterion: Criterion) -> DimensionScore:
        """The offline score of a dimension on the words it has now (scored once per words)."""
        texts = tuple(self.state.texts.get(criterion.id, []))
        words, score = self.scored.get(criterion.id, ((), None))
        if score is None or words != texts:
            score = score_dimension(criterion, list(texts))
            self.scored[criterion.id] = (texts, score)
        return score

    def offline_scores(self) -> dict[str, DimensionScore]:
        return {c.id: self.offline_score(c) for c in self.rubric.dimensions}

    def result(self) -> ScreeningResult:
        from chatbot.report import build_result

        return build_result(self.rubric, self.state, dimensions=self.offline_scores())


def _method_of(understander: Understander) -> str:
    return "offline" if isinstance(understander, OfflineUnderstander) else "llm"
