"""No planted personal data reaches the model, the database or the logs (a short `evals.pii_leaks`)."""

from __future__ import annotations

import logging

import pytest

from evals import pii_leaks
from evals.personas import load_personas
from evals.pii.generate import Generator


@pytest.fixture(scope="module")
def report():
    return pii_leaks.run(conversations=20, seed=8)


def test_every_conversation_sends_prompts_with_personal_data_to_the_model(report):
    assert report["conversations"] == 20
    assert report["prompts_per_conversation_min"] > 0
    assert report["of_which_sent_to_model"] >= report["messages_with_personal_data"] * 0.8


def test_every_entity_type_is_planted(report):
    assert all(row["planted"] > 0 for row in report["per_entity"].values())


@pytest.mark.parametrize("channel", ["prompts", "storage", "database_file", "logs"])
def test_no_leak(report, channel):
    leaks = [
        f"{leak['entity']} {leak['value']!r}: {leak['text']}"
        for leak in report["list"]
        if leak["channel"] == channel
    ]
    assert report["leaks"][channel] == 0, "\n".join(leaks[:5])


def test_no_leak_in_the_logs_of_our_own_code(report):
    """Narrower than `test_no_leak[logs]`: whatever Presidio logs at DEBUG (it logs the words
    around each finding), our own loggers log nothing personal at any level."""
    ours = {n for leak in report["list"] for n in leak.get("loggers", [])}
    assert not {n for n in ours if not n.startswith("presidio-analyzer:")}, report["list"]


def test_a_planted_value_is_found_however_it_is_written():
    phone = pii_leaks.Planted("PHONE_NUMBER", "+33 6 12 34 56 78", "intro")
    assert pii_leaks.find(phone, "appelez le 06.12.34.56.78")
    assert not pii_leaks.find(phone, "appelez le <TEL_1>")
    name = pii_leaks.Planted("PERSON", "Aïcha BENAÏSSA", "intro")
    assert pii_leaks.find(name, "merci benaissa")
    assert not pii_leaks.find(name, "merci <PERSONNE_1>")
    address = pii_leaks.Planted("FR_ADDRESS", "12, rue des Lilas 57000", "extra")
    assert pii_leaks.find(address, "il habite Rue des lilas")
    birth = pii_leaks.Planted("FR_BIRTH_DATE", "3 mars 1990", "answer")
    assert pii_leaks.find(birth, '{"birth": "1990-03-03"}')


def test_leaks_are_counted_in_logs():
    """The check is not blind: a value logged by our code is reported."""
    gen = Generator(3)
    persona = load_personas(pii_leaks.PERSONAS_DIR)[0]
    plan = pii_leaks.plant(persona, gen, 0)
    with pii_leaks.captured_logs() as logs:
        logging.getLogger("chatbot.test").debug("raw message: %s", plan.persona.answers)
    assert any(pii_leaks.find(value, logs.texts[-1]) for value in plan.planted)


def test_plans_are_reproducible():
    persona = load_personas(pii_leaks.PERSONAS_DIR)[0]
    first = pii_leaks.plant(persona, Generator(5), 0)
    again = pii_leaks.plant(persona, Generator(5), 0)
    assert first.planted == again.planted and first.intro == again.intro
    assert len({p.entity for p in first.planted}) == 7  # intro's 3 and 4 later ones
