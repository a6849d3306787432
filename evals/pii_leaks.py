"""Personal data must never reach the model, the database or the logs.

Simulated conversations (the personas, cycled over the four rubrics) are seeded with personal
data: the first message starts with an introduction ("Bonjour, je suis {name}, {phone},
{email}"), two answers and two extra messages carry a French social security number (NIR), an
IBAN, a card number, a France Travail id, an address, a birth date or an ID document number, in
chat style (lower case, numbers without separators, no accents). Each conversation runs in LLM
mode with a capturing fake model and the real pseudonymiser, through the chat's own
`take_turn`, on a temporary SQLite database, with every log record captured at DEBUG.

A planted value leaks into a channel when it is found in:

- ``prompts``: any message of any request the model received;
- ``storage``: any stored turn, the screening's state and result after every turn, every row of
  every table that refers to the screening, and the raw database file at the end;
- ``logs``: any log record (message, exception, stack) of any logger.

Numbers are compared as their letters and digits without separators (phones by their last nine
digits, so +33 and 0 prefixes both count); names part by part (each part of three letters or
more, case and accents ignored); addresses by their street ("rue des lilas"), dates as typed,
and as ISO dates. Names are drawn so that no part of them is a word of the rubrics,
personas, prompts or chatbot messages: otherwise every mention would be a false leak.

The model's answers are unusable on purpose (no structured output, empty text): each step
falls back offline, which changes nothing to what the model *received*. The check would be
vacuous if prompts were not sent: the report counts them and asserts some per conversation.

Run: ``python -m evals.pii_leaks [--conversations 200] [--seed 8] [--json]``. Target: 0 leaks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from chatbot.settings import PROJECT_ROOT, Settings
from chatbot.text import fold
from evals.personas import Extra, Persona, load_personas, replay
from evals.pii.generate import Generator

PERSONAS_DIR = PROJECT_ROOT / "evals" / "personas"
RUBRICS_DIR = PROJECT_ROOT / "rubrics"
CHANNELS = ("prompts", "storage", "logs")
INTRO_ENTITIES = ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS")
LATER_ENTITIES = (
    "FR_NIR",
    "IBAN_CODE",
    "CREDIT_CARD",
    "FR_FRANCE_TRAVAIL_ID",
    "FR_ADDRESS",
    "FR_BIRTH_DATE",
    "FR_ID_DOCUMENT",
)
NUMBERS = {
    "PHONE_NUMBER",
    "FR_NIR",
    "IBAN_CODE",
    "CREDIT_CARD",
    "FR_FRANCE_TRAVAIL_ID",
    "FR_ID_DOCUMENT",
}
ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")
LATER_PER_CONVERSATION = 4  # two inside answers, two in extra messages
INTROS = (
    "Bonjour, je suis {PERSON}, {PHONE_NUMBER}, {EMAIL_ADDRESS}.",
    "bonjour je suis {PERSON} mon tel {PHONE_NUMBER} mon mail {EMAIL_ADDRESS}",
    "Bonjour, moi c'est {PERSON}. Vous pouvez m'appeler au {PHONE_NUMBER} ou m'écrire à "
    "{EMAIL_ADDRESS}.",
    "slt c {PERSON} jsuis joignable au {PHONE_NUMBER} ou {EMAIL_ADDRESS}",
)
CLAUSES = {
    "FR_NIR": ("mon numéro de sécu c'est {X}", "numero secu {X}", "ma carte vitale {X}"),
    "IBAN_CODE": ("mon iban {X}", "pour le virement de la rémunération : {X}", "rib {X}"),
    "CREDIT_CARD": ("si il faut payer ma cb c'est {X}", "numéro de carte {X}"),
    "FR_FRANCE_TRAVAIL_ID": (
        "mon identifiant france travail {X}",
        "id pole emploi {X}",
        "inscrite sous le {X} à france travail",
    ),
    "FR_ADDRESS": ("j'habite {X}", "mon adresse : {X}", "je vis au {X}"),
    "FR_BIRTH_DATE": ("je suis née le {X}", "date de naissance {X}", "né le {X}"),
    "FR_ID_DOCUMENT": ("ma carte d'identité n° {X}", "mon passeport {X}", "titre de séjour {X}"),
}
ASIDES = (
    "et je vous donne aussi pour le dossier",
    "au fait si vous en avez besoin pour mon dossier",
)
NAME_AGAIN = ("sinon c'est encore {FIRST} qui vous écrit", "{FIRST} ici, j'ai oublié un truc")


# --- planting personal data ------------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    entity: str
    value: str  # as typed in the message
    where: str  # intro | answer:<criterion> | extra:<criterion>


@dataclass
class Plan:
    persona: Persona  # a copy with planted answers and extra messages
    intro: str  # prefixed to the first message
    planted: list[Planted]


@cache
def background_words() -> frozenset[str]:
    """Words present anyway in prompts, stored turns and logs: not usable as planted names."""
    paths = [
        *RUBRICS_DIR.glob("*.yaml"),
        *PERSONAS_DIR.rglob("*.yaml"),
        *(PROJECT_ROOT / "prompts").glob("*.j2"),
        PROJECT_ROOT / "chatbot" / "messages.py",
        Path(__file__),
    ]
    text = " ".join(p.read_text(encoding="utf-8") for p in paths)
    text += " " + Settings(_env_file=None).counsellor_contact
    return frozenset(re.findall(r"[a-z]+", fold(text)))


def name_parts(value: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", fold(value)) if len(w) >= 3]


def _name(gen: Generator) -> str:
    for _ in range(100):
        name = gen.value("PERSON")
        parts = name_parts(name)
        if parts and not set(parts) & background_words():
            return name
    raise RuntimeError("no planted name outside the background words")


def _chat_style(rng: random.Random, entity: str, value: str) -> str:
    if entity in NUMBERS and rng.random() < 0.4:
        value = re.sub(r"[\s.\-]", "", value)
    if entity in {"PERSON", "FR_ADDRESS", "FR_BIRTH_DATE"} and rng.random() < 0.4:
        value = value.lower()
    if rng.random() < 0.2:
        value = fold(value)
    return value


def _value(gen: Generator, entity: str) -> str:
    raw = _name(gen) if entity == "PERSON" else gen.value(entity)
    return _chat_style(gen.rng, entity, raw)


def _clause(gen: Generator, entity: str) -> tuple[str, str]:
    """A chat-style clause carrying one value; returns (clause, value as typed)."""
    value = _value(gen, entity)
    template = gen.rng.choice(CLAUSES[entity])
    if gen.rng.random() < 0.4:
        template, value = template.lower(), value.lower()
    return template.replace("{X}", value), value


def plant(persona: Persona, gen: Generator, index: int) -> Plan:
    """The persona with personal data in its first message, two answers and two extras."""
    rng = gen.rng
    intro_values = {e: _value(gen, e) for e in INTRO_ENTITIES}
    intro = rng.choice(INTROS).format(**intro_values)
    planted = [Planted(e, v, "intro") for e, v in intro_values.items()]
    later = [
        LATER_ENTITIES[(index * LATER_PER_CONVERSATION + k) % len(LATER_ENTITIES)]
        for k in range(LATER_PER_CONVERSATION)
    ]
    answered = [cid for cid, texts in persona.answers.items() if texts]
    targets = rng.sample(answered, k=min(len(answered), LATER_PER_CONVERSATION))
    answers = {cid: list(texts) for cid, texts in persona.answers.items()}
    extras = list(persona.extra)
    for k, (entity, cid) in enumerate(zip(later, targets, strict=False)):
        text, value = _clause(gen, entity)
        if k < 2:
            # long enough for the model to read it (short sure answers are read offline)
            answers[cid][0] = f"{answers[cid][0]}, {rng.choice(ASIDES)} {text}"
            planted.append(Planted(entity, value, f"answer:{cid}"))
        else:
            if k == 2:  # the first name again, alone, later in the conversation
                first = intro_values["PERSON"].split()[0]
                text = rng.choice(NAME_AGAIN).replace("{FIRST}", first) + ". " + text
            extras.append(Extra(after=cid, message=text))
            planted.append(Planted(entity, value, f"extra:{cid}"))
    copy = persona.model_copy(update={"answers": answers, "extra": extras})
    return Plan(copy, intro, planted)


# --- the capturing model and the stored conversation ------------------------------------------


class CapturingModel(GenericFakeChatModel):
    """Records every message list it receives; answers nothing usable (no tool call, no text),
    so every model step falls back offline."""

    messages: object = iter(())
    prompts: list = []

    def bind_tools(self, tools, **kwargs):  # structured output asks for tools: same recorder
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.prompts.append([str(m.content) for m in messages])
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=""))])


class LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []
        self.loggers: list[str] = []
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        self.loggers.append(f"{record.name}:{record.levelname}")
        parts = [record.getMessage()]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        self.texts.append(" ".join(parts))


@dataclass
class StoredConversation:
    """What `replay` drives: each message goes through the chat's `take_turn` (stored), the
    first one prefixed with the introduction; the screening row is read after every turn."""

    screening_id: int
    inner: object
    intro: str
    snapshots: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    @property
    def state(self):
        return self.inner.state

    def handle(self, text: str, today: dt.date):
        from chatbot.web.screenings import take_turn

        if not self.sent:
            text = f"{self.intro} {text}"
        self.sent.append(text)
        reply = take_turn(self.screening_id, self.inner, text, today)
        self.snapshots.append(_screening_text(self.screening_id))
        return _Handled(reply)

    def result(self):
        return self.inner.result()


@dataclass(frozen=True)
class _Handled:
    reply: object


def _screening_text(screening_id: int) -> str:
    from storage import repo
    from storage.db import session_scope

    with session_scope() as db:
        screening = repo.get_screening(db, screening_id)
        return _dump({"state": screening.state_json, "result": screening.result_json})


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _stored_rows(screening_id: int) -> str:
    """Every row, of every table, that belongs to the screening (JSON decoded)."""
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    from storage.db import get_engine

    rows = []
    with get_engine().connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            column = table.c.get("screening_id")
            if table.name == "screening":
                column = table.c.id
            if column is None:
                continue
            for row in connection.execute(sa.select(table).where(column == screening_id)):
                rows.append(_dump(dict(row._mapping)))
    return "\n".join(rows)


def _database_file_text(data_dir: Path) -> str:
    """The raw SQLite files, free pages included, with JSON escapes decoded."""
    text = ""
    for path in sorted(data_dir.glob("*.db*")):
        text += path.read_bytes().decode("utf-8", errors="replace")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


# --- finding planted values ----------------------------------------------------------------------


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(text))


def _words(text: str) -> str:
    return " ".join(re.findall(r"[0-9a-z@._\-+]+", fold(text)))


def needles(planted: Planted) -> list[tuple[str, str]]:
    """(form, needle) pairs: `alnum` needles are searched in the text without separators,
    `word` needles as whole words in the folded text."""
    value = planted.value
    if planted.entity == "PERSON":
        return [("word", part) for part in name_parts(value)]
    if planted.entity == "PHONE_NUMBER":
        return [("alnum", re.sub(r"\D", "", value)[-9:])]
    if planted.entity in NUMBERS:
        return [("alnum", _alnum(value))]
    if planted.entity == "EMAIL_ADDRESS":
        return [("word", _words(value))]
    if planted.entity == "FR_ADDRESS":
        street = re.sub(r"^\W*\d+\w*,?\s*(?:(?:bis|ter)\s+)?|\s*\d{5}$", "", _words(value))
        return [("word", _words(value)), ("word", street)]
    if planted.entity == "FR_BIRTH_DATE":
        return [("word", _words(value)), *_iso(value)]
    raise ValueError(planted.entity)


def _iso(value: str) -> list[tuple[str, str]]:
    import dateparser

    parsed = dateparser.parse(value, languages=["fr"], settings={"DATE_ORDER": "DMY"})
    return [("word", parsed.date().isoformat())] if parsed else []


@dataclass(frozen=True)
class Haystack:
    """A channel's text, folded and normalised once (the database file is megabytes long)."""

    folded: str
    alnum: str
    words: str

    @classmethod
    def of(cls, text: str) -> Haystack:
        folded = fold(text)
        return cls(folded, re.sub(r"[^0-9a-z]", "", folded), _words(folded))


def find(planted: Planted, text: str | Haystack) -> str | None:
    """An excerpt of the (folded) text around the planted value, or None when it is not there."""
    hay = text if isinstance(text, Haystack) else Haystack.of(text)
    for form, needle in needles(planted):
        if not needle:
            continue
        if form == "alnum":
            if needle in hay.alnum:
                return _excerpt_alnum(hay.folded, needle)
        elif match := re.search(r"(?<![0-9a-z])" + re.escape(needle) + r"(?![0-9a-z])", hay.folded):
            return _excerpt(hay.folded, match.start(), match.end())
        elif " " in needle and (at := hay.words.find(needle)) >= 0:
            return _excerpt(hay.words, at, at + len(needle))
    return None


def _excerpt(text: str, start: int, end: int) -> str:
    return text[max(0, start - 60) : end + 60].replace("\n", " ")


def _excerpt_alnum(folded: str, needle: str) -> str:
    kept = [(i, c) for i, c in enumerate(folded) if c in ALNUM]
    joined = "".join(c for _, c in kept)
    at = joined.index(needle)
    return _excerpt(folded, kept[at][0], kept[at + len(needle) - 1][0] + 1)


# --- the run -------------------------------------------------------------------------------------


@contextlib.contextmanager
def temporary_database():
    """A fresh SQLite database in a temporary data dir, for the settings-driven storage."""
    from chatbot.settings import get_settings
    from chatbot.web import screenings
    from storage.db import get_engine

    saved = {k: os.environ.get(k) for k in ("SCREENING_DATA_DIR", "SCREENING_DATABASE_URL")}

    def clear():
        get_settings.cache_clear()
        get_engine.cache_clear()
        screenings.prepare.cache_clear()

    with tempfile.TemporaryDirectory(prefix="pii-leaks-") as tmp:
        os.environ["SCREENING_DATA_DIR"] = tmp
        os.environ.pop("SCREENING_DATABASE_URL", None)
        clear()
        try:
            yield Path(tmp)
        finally:
            get_engine().dispose()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            clear()


@contextlib.contextmanager
def captured_logs():
    root = logging.getLogger()
    handler, level = LogCapture(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def simulate(plan: Plan, rubric, index: int) -> dict:
    """One stored LLM-mode conversation; returns the text of each channel and the counts."""
    from chatbot.chat_french import normalise
    from chatbot.modes import make_conversation
    from chatbot.web.invitations import Invitation
    from chatbot.web.screenings import DeferredRestore, invite, new_scrubber, render
    from storage import repo
    from storage.db import session_scope
    from storage.models import Role

    model = CapturingModel(prompts=[])
    settings = Settings(_env_file=None, llm_retries=0, llm_token_budget=10**9)
    _, screening_id = invite(Invitation(f"PII-{index:04d}", rubric.id, plan.persona.session))
    with session_scope() as db:
        repo.record_consent(db, screening_id)

    conversation = None

    def factory(rubric, session_id):
        nonlocal conversation
        scrubber = DeferredRestore(new_scrubber())
        inner, reply = make_conversation(rubric, session_id, None, scrubber, settings, model)
        with session_scope() as db:
            repo.append_turn(db, screening_id, Role.assistant, render(reply))
        conversation = StoredConversation(screening_id, inner, plan.intro)
        return conversation, reply

    replay(plan.persona, rubric, factory)
    with session_scope() as db:
        candidate_turns = [
            t.text for t in repo.list_turns(db, screening_id) if t.role == Role.candidate
        ]
    received = {text for prompt in model.prompts for text in prompt[1:]}
    understood = [normalise(t).text for t in candidate_turns]  # what the model is sent
    return {
        "prompts": model.prompts,
        "storage": "\n".join([*conversation.snapshots, _stored_rows(screening_id)]),
        "sent": conversation.sent,
        "reached_model": [
            any(t in r for r in received) for t in understood[: len(conversation.sent)]
        ],
    }


def run(conversations: int = 200, seed: int = 8) -> dict:
    from chatbot.rubric_loader import rubrics_in

    rubrics = rubrics_in(RUBRICS_DIR)
    personas = [p for p in load_personas(PERSONAS_DIR) if p.rubric in rubrics]
    gen = Generator(seed)
    planted = Counter()
    leaked = {channel: Counter() for channel in CHANNELS}
    leaks, per_conversation_prompts, plans = [], [], []
    messages_with_data = messages_to_model = 0
    started = time.perf_counter()
    with temporary_database() as data_dir, captured_logs() as logs:
        for index in range(conversations):
            persona = personas[index % len(personas)]
            plan = plant(persona, gen, index)
            plans.append(plan)
            logs_before = len(logs.texts)
            sim = simulate(plan, rubrics[persona.rubric], index)
            per_conversation_prompts.append(len(sim["prompts"]))
            records = list(zip(logs.loggers[logs_before:], logs.texts[logs_before:], strict=True))
            channels = {
                "prompts": "\n".join("\n".join(p) for p in sim["prompts"]),
                "storage": sim["storage"],
                "logs": "\n".join(text for _, text in records),
            }
            carrying = [i for i, text in enumerate(sim["sent"]) if _carries(plan, text)]
            messages_with_data += len(carrying)
            messages_to_model += sum(sim["reached_model"][i] for i in carrying)
            channels = {name: Haystack.of(text) for name, text in channels.items()}
            for value in plan.planted:
                planted[value.entity] += 1
                for channel, text in channels.items():
                    if excerpt := find(value, text):
                        leaked[channel][value.entity] += 1
                        leak = _leak(index, plan, value, channel, excerpt)
                        if channel == "logs":
                            leak["loggers"] = sorted({n for n, t in records if find(value, t)})
                        leaks.append(leak)
        database = Haystack.of(_database_file_text(data_dir))
        log_records = logs.records
    leaks += _database_file_leaks(plans, database, leaks)
    return _report(
        planted,
        leaked,
        leaks,
        per_conversation_prompts,
        messages_with_data,
        messages_to_model,
        log_records,
        time.perf_counter() - started,
    )


def _carries(plan: Plan, text: str) -> bool:
    hay = Haystack.of(text)
    return any(find(value, hay) for value in plan.planted)


def _leak(index: int, plan: Plan, value: Planted, channel: str, excerpt: str) -> dict:
    return {
        "conversation": index,
        "persona": Path(plan.persona.path).name,
        "entity": value.entity,
        "value": value.value,
        "where": value.where,
        "channel": channel,
        "text": excerpt,
    }


def _database_file_leaks(plans: list[Plan], database: Haystack, found: list[dict]) -> list[dict]:
    """Values left in the raw database file (free pages, old rows) not already found stored.
    The file holds every conversation: only name parts planted in one conversation are checked."""
    known = {
        (leak["conversation"], leak["value"]) for leak in found if leak["channel"] == "storage"
    }
    planted_in = Counter(
        part
        for plan in plans
        for part in {p for v in plan.planted if v.entity == "PERSON" for p in name_parts(v.value)}
    )
    extra = []
    for index, plan in enumerate(plans):
        for value in plan.planted:
            checked = value
            if value.entity == "PERSON":
                unique = [p for p in name_parts(value.value) if planted_in[p] == 1]
                checked = dataclasses.replace(value, value=" ".join(unique))
            if (index, value.value) not in known and (excerpt := find(checked, database)):
                extra.append(_leak(index, plan, value, "database_file", excerpt))
    return extra


def _report(planted, leaked, leaks, prompts, with_data, to_model, log_records, seconds) -> dict:
    file_leaks = Counter(leak["entity"] for leak in leaks if leak["channel"] == "database_file")
    per_entity = {
        entity: {
            "planted": planted[entity],
            **{channel: leaked[channel][entity] for channel in CHANNELS},
            "database_file": file_leaks[entity],
        }
        for entity in (*INTRO_ENTITIES, *LATER_ENTITIES)
    }
    totals = {channel: sum(leaked[channel].values()) for channel in CHANNELS}
    totals["database_file"] = sum(file_leaks.values())
    loggers = Counter(n for leak in leaks for n in leak.get("loggers", []))
    return {
        "conversations": len(prompts),
        "planted": sum(planted.values()),
        "leaks": totals,
        "per_entity": per_entity,
        "prompts_captured": sum(prompts),
        "prompts_per_conversation_min": min(prompts, default=0),
        "messages_with_personal_data": with_data,
        "of_which_sent_to_model": to_model,
        "log_records": log_records,
        "leaking_loggers": dict(loggers),
        "seconds": round(seconds, 1),
        "list": leaks,
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m evals.pii_leaks", description=__doc__)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    report = run(args.conversations, args.seed)
    if report["prompts_per_conversation_min"] == 0:
        raise SystemExit("a conversation sent no prompt to the model: the check is vacuous")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(report)
    return 0 if not any(report["leaks"].values()) else 1


def _print(report: dict) -> None:
    print(
        f"{report['conversations']} conversations, {report['planted']} valeurs plantées, "
        f"{report['prompts_captured']} requêtes au modèle (au moins "
        f"{report['prompts_per_conversation_min']} par conversation), "
        f"{report['of_which_sent_to_model']}/{report['messages_with_personal_data']} messages "
        f"avec données personnelles lus par le modèle, {report['log_records']} lignes de journal, "
        f"{report['seconds']} s"
    )
    header = ["entité", "plantées", *CHANNELS, "database_file"]
    print("  ".join(f"{h:>20}" for h in header))
    for entity, row in report["per_entity"].items():
        cells = [entity, row["planted"], *(row[c] for c in [*CHANNELS, "database_file"])]
        print("  ".join(f"{c!s:>20}" for c in cells))
    print("fuites:", ", ".join(f"{c} {n}" for c, n in report["leaks"].items()))
    for leak in report["list"]:
        print(
            f"  FUITE {leak['channel']} {leak['entity']} {leak['value']!r} "
            f"(conversation {leak['conversation']}, {leak['persona']}, {leak['where']}): "
            f"…{leak['text']}…" + (f" [{', '.join(leak['loggers'])}]" if "loggers" in leak else "")
        )


if __name__ == "__main__":
    raise SystemExit(main())
