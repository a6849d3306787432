"""Counterfactual fairness: the variant generators keep the meaning, and offline gives 0 differences."""

import re
from functools import cache

import pytest

from chatbot.text import fold
from evals.fairness import (
    FAMILIES,
    GUARDED,
    Typos,
    agree,
    compare,
    engine_words,
    inclusive,
    load_all,
    rubric_words,
)


@cache
def everything():
    return load_all()


def test_agreement_follows_the_candidate_not_other_people():
    text = "Je suis prête, je suis née à Épernay, ma mère est née au Mali."
    assert agree(text, "m") == "Je suis prêt, je suis né à Épernay, ma mère est née au Mali."
    assert agree(agree(text, "m"), "f") == text
    assert agree("je veux devenir aide-soignant", "f") == "je veux devenir aide-soignante"


def test_inclusive_writing():
    text = "Les patients et les aides-soignantes, ils sont gentils. Je suis motivée."
    assert inclusive(text) == (
        "Les patient·e·s et les aides-soignant·e·s, iels sont gentils. Je suis motivé·e."
    )
    assert inclusive("devenir aide-soignant") == "devenir aide-soignant·e"


def test_typos_are_seeded_and_spare_numbers_and_key_words():
    rubrics, _ = everything()
    rubric = rubrics["aide-soignant"]
    typos = Typos(rubric_words(rubric), seed=1, rate=1.0)
    text = (
        "J'ai 23 ans, je travaille depuis longtemps en Ehpad avec les personnes âgées, "
        "ça ne me dérange pas, dans deux semaines, je voudrais parler à mon conseiller."
    )
    changed = typos(text)
    assert changed == typos(text)
    assert changed != text
    assert re.findall(r"\d+", changed) == ["23"]
    for kept in ["ans", "Ehpad", "personnes âgées", "dérange pas", "dans deux semaines"]:
        assert kept in changed
    assert "conseiller" in changed
    assert "travaille" not in changed or "longtemps" not in changed


def test_a_typo_never_produces_a_guarded_word():
    words, _ = engine_words()
    text = "pats mains nonne ouille rient sansonnet moisson jouer semaine"
    before = {fold(w) for w in re.findall(r"\w+", text)}
    for seed in range(40):
        out = Typos(set(), seed=seed, rate=1.0)(text)
        produced = {fold(w) for w in re.findall(r"\w+", out)} - before
        assert not produced & (GUARDED | words), (seed, out)


def test_every_family_changes_the_text():
    rubrics, personas = everything()
    persona = personas[0]
    for family in FAMILIES:
        variants = FAMILIES[family](persona, rubrics[persona.rubric])
        assert len(variants) >= 2
        texts = {str(v.answers) for _, v in variants}
        assert len(texts) >= 2, family


def _selection():
    _, personas = everything()
    first_two = {}
    for persona in personas:
        first_two.setdefault(persona.rubric, [])
        if len(first_two[persona.rubric]) < 2:
            first_two[persona.rubric].append(persona)
    return [p for ps in first_two.values() for p in ps]


@pytest.mark.parametrize("family", ["inclusive", "register", "typos"])
def test_no_counterfactual_difference_offline(family):
    rubrics, personas = everything()
    report = compare(rubrics, personas, families=[family])[family]
    assert report["pairs"] >= len(personas) // 2
    assert report["list"] == []


def test_sms_french_changes_nothing():
    """Every persona message of every rubric rewritten in SMS French (evals/sms.py, two seeds):
    the same verdicts, levels and flags as written (issue 11's target: 0 differences)."""
    rubrics, personas = everything()
    report = compare(rubrics, personas, families=["sms"])["sms"]
    assert report["pairs"] >= len(personas)
    assert report["list"] == []


def test_names_origins_and_gender_change_nothing_offline():
    rubrics, _ = everything()
    report = compare(rubrics, _selection(), families=["identity"])["identity"]
    assert report["pairs"] >= 11 * 4
    assert report["list"] == []
