"""Offline or LLM mode: the one place that decides, from the settings, how a conversation runs.

    conversation, first_reply = make_conversation(rubric, session_id, contact, Pseudonymizer())

With `SCREENING_LLM_BASE_URL` unset this is the offline `Conversation`, unchanged. With it set,
an `LLMConversation`: the model understands messages, phrases questions, answers questions from
the training sheet and scores motivation and readiness; every model step that fails, is refused
or exceeds the token budget is done offline instead, and the turn records it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from chatbot import messages as msg
from chatbot.commands import AskQuestion, Revisit, SetAnswer
from chatbot.conversation import Conversation, Turn
from chatbot.engine import ModelMemory, Reply, ScreeningState
from chatbot.llm import ModelGateway, TokenMeter, prompts_hash
from chatbot.llm_scoring import score_dimensions
from chatbot.phrasing import answer_question, phrase_question
from chatbot.results import ScreeningResult
from chatbot.rubric import DIMENSION_KINDS, Rubric
from chatbot.settings import Settings, get_settings
from chatbot.understanding.llm import LLMUnderstander
from pii import Scrubbed

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

T = TypeVar("T", str, Scrubbed)


def make_conversation(
    rubric: Rubric,
    session_id: str | None,
    contact: str | None,
    scrubber,
    settings: Settings | None = None,
    chat_model: BaseChatModel | None = None,
) -> tuple[Conversation, Reply]:
    """A conversation and its first reply; `chat_model` replaces ChatOpenAI (tests, benchmarks)."""
    settings = settings or get_settings()
    if not settings.llm_enabled and chat_model is None:
        return Conversation.begin(rubric, session_id, contact, scrubber=scrubber)
    conversation, reply = LLMConversation.begin(
        rubric, session_id, contact, scrubber=scrubber, **_llm_parts(settings, chat_model)
    )
    reply = conversation.phrase(reply)
    conversation.remember()
    return conversation, reply


def resume_conversation(
    rubric: Rubric,
    state: ScreeningState,
    scrubber,
    settings: Settings | None = None,
    chat_model: BaseChatModel | None = None,
) -> Conversation:
    """The conversation of a candidate coming back, in the mode the settings say; in LLM mode
    with the tokens already spent and the motivation answers already given (`state.llm`)."""
    settings = settings or get_settings()
    if not settings.llm_enabled and chat_model is None:
        return Conversation(rubric=rubric, state=state, scrubber=scrubber)
    parts = _llm_parts(settings, chat_model, state.llm)
    return LLMConversation(rubric=rubric, state=state, scrubber=scrubber, **parts)


def _llm_parts(
    settings: Settings, chat_model: BaseChatModel | None, memory: ModelMemory | None = None
) -> dict:
    earlier = (memory.tokens_in, memory.tokens_out) if memory else (0, 0)
    meter = TokenMeter(settings.llm_token_budget, earlier=earlier)
    if chat_model is None:
        gateway = ModelGateway.from_settings(settings, meter)
    else:
        gateway = ModelGateway(
            chat_model,
            meter,
            structured_method=settings.llm_structured_method,
            retries=settings.llm_retries,
        )
    return dict(
        understander=LLMUnderstander(gateway),
        gateway=gateway,
        samples=settings.llm_samples,
        model_name=settings.llm_model,
    )


@dataclass
class LLMConversation(Conversation):
    gateway: ModelGateway = field(kw_only=True)
    samples: int = 3
    model_name: str = ""
    # the candidate's scrubbed messages that answered each motivation / readiness criterion
    dimension_messages: dict[str, list[Scrubbed]] = field(default_factory=dict)
    # the same, given before a resume: stored as text, scrubbed again for the model
    earlier: ModelMemory = field(init=False)

    def __post_init__(self) -> None:
        self.earlier = (self.state.llm or ModelMemory()).model_copy(deep=True)

    def handle(self, raw_text: str, now: dt.date) -> Turn:
        spent = self.gateway.meter.input_tokens, self.gateway.meter.output_tokens
        turn = super().handle(raw_text, now)
        understander = self.understander
        message = understander.last_text if isinstance(understander, LLMUnderstander) else None
        self._keep_dimension_messages(turn, message)
        try:
            reply = self.phrase(self._answer_questions(turn, message))
        except Exception:  # the engine's own reply is always good enough
            log.warning("LLM phrasing failed, engine reply kept", exc_info=True)
            reply = turn.reply
        method = turn.method
        if not turn.fallback and isinstance(self.understander, LLMUnderstander):
            method = self.understander.last_method
        self.remember()
        return dataclasses.replace(
            turn,
            reply=reply,
            method=method,
            tokens_in=self.gateway.meter.input_tokens - spent[0],
            tokens_out=self.gateway.meter.output_tokens - spent[1],
        )

    def phrase(self, reply: Reply) -> Reply:
        """The rubric's question, as last message of the reply, said by the model."""
        if reply.criterion_id is None or not reply.messages:
            return reply
        criterion = self.rubric.criterion(reply.criterion_id)
        if reply.messages[-1] != criterion.question:  # a follow-up or help text: kept as written
            return reply
        phrased = phrase_question(self.gateway, self.rubric, criterion)
        return reply.model_copy(update={"messages": [*reply.messages[:-1], phrased]})

    def remember(self) -> ModelMemory:
        """Keep in the state what a resume needs: the token meter and the motivation answers."""
        meter = self.gateway.meter
        self.state.llm = memory = ModelMemory(
            tokens_in=meter.input_tokens,
            tokens_out=meter.output_tokens,
            calls=self.earlier.calls + len(meter.calls),
            failed_calls=self.earlier.failed_calls + sum(not c.ok for c in meter.calls),
            messages=self._answers(str),
        )
        return memory

    def _answers(self, scrub: Callable[[str], T]) -> dict[str, list[T]]:
        """Every message that answered a dimension, earlier ones (scrubbed again) first."""
        answers: dict[str, list[T]] = {}
        for criterion_id, texts in self.earlier.messages.items():
            answers[criterion_id] = [scrub(t) for t in texts]
        for criterion_id, messages in self.dimension_messages.items():
            answers.setdefault(criterion_id, []).extend(scrub(m) for m in messages)
        return answers

    def result(self) -> ScreeningResult:
        from chatbot.report import build_result

        offline = self.offline_scores()
        try:
            scores = score_dimensions(
                self.gateway,
                self.rubric,
                self._answers(self._scrubbed),
                offline,
                self.samples,
                self.scrubber.scrub,
            )
        except Exception:  # scoring offline is always possible
            log.warning("LLM scoring failed, offline scores kept", exc_info=True)
            scores = {}
        # Dimensions the model did not score keep the offline scores already computed.
        return build_result(self.rubric, self.state, dimensions=offline | scores)

    def _scrubbed(self, text: str) -> Scrubbed:
        return text if isinstance(text, Scrubbed) else self.scrubber.scrub(text)

    def usage(self) -> dict:
        """What to store with the screening and show the counsellor."""
        memory = self.remember()
        return {
            "model": self.model_name,
            "prompts_hash": prompts_hash(),
            "tokens_in": memory.tokens_in,
            "tokens_out": memory.tokens_out,
            "calls": memory.calls,
            "failed_calls": memory.failed_calls,
            "budget": self.gateway.meter.budget,
        }

    def _keep_dimension_messages(self, turn: Turn, message: Scrubbed | None) -> None:
        for command in turn.commands:
            if isinstance(command, Revisit):
                self.dimension_messages.pop(command.criterion_id, None)
                self.earlier.messages.pop(command.criterion_id, None)
            elif isinstance(command, SetAnswer) and isinstance(message, Scrubbed):
                criterion = self.rubric.criterion(command.criterion_id)
                if criterion.kind in DIMENSION_KINDS:
                    kept = self.dimension_messages.setdefault(criterion.id, [])
                    if message not in kept:
                        kept.append(message)

    def _answer_questions(self, turn: Turn, message: Scrubbed | None) -> Reply:
        """Questions the training sheet's FAQ could not answer go to the model."""
        reply = turn.reply
        asked = any(isinstance(c, AskQuestion) for c in turn.commands)
        if (
            not asked
            or not isinstance(message, Scrubbed)
            or msg.DONT_KNOW_ANSWER not in reply.messages
        ):
            return reply
        answer = self.scrubber.restore(answer_question(self.gateway, self.rubric, message))
        lines = list(reply.messages)
        lines[lines.index(msg.DONT_KNOW_ANSWER)] = answer
        return reply.model_copy(update={"messages": lines})
