"""The generic SMS rewriter keeps the meaning: values, names and placeholders stay as typed."""

import ast
import random
import re
from pathlib import Path

import pytest

from evals.sms import FORMS, fold, sms

SEEDS = range(30)

# Written before running the rewriter: what a candidate may type, with the values it must keep.
WITH_VALUES = [
    "J'ai 23 ans et je suis disponible tout de suite.",
    "jai 23ans, je suis dispo dès le 4 janvier 2027",
    "Je mets 45 min en bus, 1 h 15 en voiture, c'est à 25km de chez moi.",
    "Je peux faire les 2x8 mais pas les 3x8, je finis à 21h30.",
    "Je n'ai que 16 ans, j'en aurai 17 le 12/03.",
    "Pas plus de 30 kilomètres, c'est déjà 40 minutes en train.",
    "J'ai travaillé 10 ans en maison de retraite et 6 mois à l'hôpital.",
    "Je suis au niveau B1, j'ai le DELF A2 depuis 2019.",
    "On est payé 1 400 euros ? Il faut 35 heures par semaine ?",
    "Je commence à 6h, je finis à 14 h, parfois de 22h à 6h.",
    "Mon numéro c'est 06 12 34 56 78, je suis là tous les jours.",
    "Il y a 3 enfants à la maison, le petit a 2 ans et demi.",
]
WITH_NAMES = [
    "Bonjour, je m'appelle Fatima Benali et j'habite à Saint-Dié-des-Vosges.",
    "Moi c'est Kevin, je viens de Thionville, je connais bien l'Afpa de Yutz.",
    "Je suis née à Épinal, j'ai travaillé au CHU de Reims avec Madame Nguyen.",
    "Reims c'est loin pour moi, je suis à Châlons-en-Champagne.",
    "Ben m'a dit que c'est bien, il a fait le CAP à Metz.",
    "JE SUIS DISPONIBLE EN SEPTEMBRE, J'HABITE A NANCY.",
    "Oui, j'ai passé mon BEP à Vandœuvre-lès-Nancy et le bac pro à Pont-à-Mousson.",
    "L'Ehpad de Woippy m'a pris en stage, Mme Diallo était ma tutrice.",
]
PLACEHOLDERS = [
    "je suis <PERSONNE_1>, mon numéro c'est <TELEPHONE_1> et mon mail <EMAIL_1>",
    "Bonjour, c'est <PERSONNE_2>. J'habite <ADRESSE_1>, je n'ai pas de voiture.",
]


def squeeze(text: str) -> str:
    """Without repeated letters ("ouiii" → "oui", "okk" → "ok"): emphasis is not a change."""
    return re.sub(r"(.)\1+", r"\1", text)


def test_the_table_holds_at_least_150_common_forms():
    assert len(FORMS) >= 150
    for standard, spellings in FORMS.items():
        assert spellings, standard
        assert standard not in spellings, standard
        assert len(set(spellings)) == len(spellings), standard


_VALUE_WORDS = (
    "zero un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze "
    "quinze seize vingt trente quarante cinquante soixante cent mille janvier fevrier mars "
    "avril mai juin juillet aout septembre octobre novembre decembre lundi mardi mercredi "
    "jeudi vendredi samedi dimanche an ans km min h heure heures mois semaine semaines jour "
    "jours cm mm cv"
)
VALUE_WORDS = set(_VALUE_WORDS.split())


def test_spellings_add_no_digit_and_no_word_that_reads_as_a_value_or_a_cv():
    for standard, spellings in FORMS.items():
        for spelling in spellings:
            assert not re.search(r"\d", spelling), (standard, spelling)
            added = set(re.findall(r"[a-z]+", fold(spelling))) - set(
                re.findall(r"[a-z]+", fold(standard))
            )
            clashes = added & VALUE_WORDS
            # "mm" reads "même" only in "qd mm" (quand même); elsewhere it is millimetres.
            if standard == "quand même":
                clashes -= {"mm"}
            assert not clashes, (standard, spelling, clashes)


def test_every_form_is_applied_inside_a_sentence():
    for i, (standard, spellings) in enumerate(FORMS.items()):
        out = sms(f"bon, {standard} et voilà", random.Random(i), 1.0)
        middle = out.split(", ", 1)[1].rsplit(" et ", 1)[0]
        assert squeeze(middle) in {squeeze(s) for s in spellings}, (standard, out)


@pytest.mark.parametrize("text", WITH_VALUES)
def test_digits_and_units_are_kept(text):
    units = re.findall(r"\d+\s*(?:ans|km|min|h|mois|heures|minutes|kilomètres|euros)\b", text)
    for seed in SEEDS:
        out = sms(text, random.Random(seed), 1.0)
        assert re.findall(r"\d+", out) == re.findall(r"\d+", text), out
        for unit in units:
            assert unit in out, (unit, out)


def capitalised_words(text: str) -> list[str]:
    """Words with a capital letter, except a sentence's first word ("Bonjour", "Je")."""
    words = []
    for match in re.finditer(r"[^\W\d_][\w'’-]*", text):
        before = text[: match.start()].rstrip()
        opens_sentence = not before or before[-1] in ".!?"
        if any(c.isupper() for c in match.group()) and not opens_sentence:
            words.append(match.group())
    return words


@pytest.mark.parametrize("text", WITH_NAMES)
def test_names_places_and_acronyms_are_kept(text):
    kept = capitalised_words(text)
    assert kept
    for seed in SEEDS:
        out = sms(text, random.Random(seed), 1.0)
        for word in kept:
            assert word in out, (word, out)


def test_a_capitalised_first_word_that_is_not_a_common_word_is_kept():
    for seed in SEEDS:
        assert sms("Reims c'est loin", random.Random(seed)).startswith("Reims ")
        assert sms("Ben m'a dit oui", random.Random(seed)).startswith("Ben ")


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholders_are_kept(text):
    placeholders = re.findall(r"<[A-Z_]+\d*>", text)
    for seed in SEEDS:
        out = sms(text, random.Random(seed), 1.0)
        assert re.findall(r"<[A-Z_]+\d*>", out) == placeholders, out


def test_same_seed_same_text_and_different_seeds_differ():
    text = "Bonjour, je ne sais pas encore, peut-être que je pourrais commencer en mars."
    assert sms(text, random.Random(4)) == sms(text, random.Random(4))
    assert len({sms(text, random.Random(seed)) for seed in SEEDS}) > 10


def test_strength_zero_changes_nothing():
    for text in WITH_VALUES + WITH_NAMES + PLACEHOLDERS:
        assert sms(text, random.Random(0), strength=0.0) == text


def test_negation_loses_its_ne_but_not_its_meaning():
    for seed in SEEDS:
        out = sms("Je ne connais personne à Metz, je n'ai jamais habité là.", random.Random(seed))
        words = re.findall(r"[^\W\d_]+", fold(out))
        assert not {"ne", "n", "nai"} & set(words), out
        assert "personne" in out and "Metz" in out
        assert "importe" in sms("je peux aller n'importe où", random.Random(seed))


def test_accents_apostrophes_and_final_punctuation_are_dropped():
    for seed in SEEDS:
        out = sms("L'équipe de nuit à côté de l'entrée.", random.Random(seed))
        assert out.replace(" ", "") == "lequipedenuitacotedelentree", out


def test_spelling_by_ear_and_emphasis_happen_sometimes():
    outs = [sms("J'ai travaillé, je veux continuer. Oui.", random.Random(s)) for s in range(60)]
    assert any("travailler" in out for out in outs)
    assert any(re.search(r"continu[eé](?!r)", out) for out in outs)
    assert any(squeeze(out.split()[-1]) != out.split()[-1] for out in outs)


@pytest.mark.parametrize("module", ["sms.py", "chat_messages.py"])
def test_the_generators_do_not_read_the_engine(module):
    tree = ast.parse((Path(__file__).parents[1] / "evals" / module).read_text(encoding="utf-8"))
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m.split(".")[0] for m in modules} & {"chatbot", "pii", "storage"}, modules
