"""Chat French is read as French, and standard French is left exactly as written.

The sweep covers every sentence trainers wrote in every rubric (labels, questions, help, options,
synonyms, level descriptors and indicators, FAQ) and every message the assistant sends: the
normaliser runs on rubric indicators too, so a word it misreads there ("ma conseillère" as
"m'a conseillère") silently stops an indicator from ever matching.
"""

import re

import pytest
import yaml

from chatbot import messages
from chatbot.chat_french import learn_words, normalise
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT
from chatbot.web import texts

SKIPPED_KEYS = {"id", "type", "unit", "scale", "rule", "kind", "version", "start", "end"}


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [" ".join(node.split())]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in SKIPPED_KEYS for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def standard_french() -> list[str]:
    found = []
    for path in sorted((PROJECT_ROOT / "rubrics").glob("*.yaml")):
        found += _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
    for module in (messages, texts):
        constants = [v for k, v in vars(module).items() if k.isupper() and isinstance(v, str)]
        found += [re.sub(r"\{\w+\}", "…", v) for v in constants]  # format fields are no words
    return [s for s in dict.fromkeys(found) if re.search(r"[^\W\d_]{2}", s)]


def test_standard_french_is_left_as_written():
    for rubric in rubrics_in(PROJECT_ROOT / "rubrics").values():
        learn_words(rubric)  # as every conversation does: "caces" is a word, not a slip
    phrases = standard_french()
    assert len(phrases) > 1000
    changed = [(p, normalise(p).text) for p in phrases if normalise(p).text != p]
    assert changed == []


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("jai envie d'aider", "j'ai envie d'aider"),  # a noun after "j'ai", no participle
        ("jai aider ma voisine", "j'ai aidé ma voisine"),
        ("ma conseillere ma dit de venir", "ma conseillère m'a dit de venir"),
        ("ça ma plu", "ça m'a plu"),
        ("je veux travaille", "je veux travailler"),
        ("comment venir sans voiture", "comment venir sans voiture"),
        ("ma grand mere", "ma grand-mère"),
        ("je rentre chez moi", "je rentre chez moi"),
        ("stage au CHU de Reims", "stage au CHU de Reims"),  # an acronym is no "chu"
        ("CHUI DISPO", "JE SUIS DISPONIBLE"),  # all in capitals: still chat
        ("oui mais pas la niut", "oui mais pas la nuit"),  # slips of the finger
        ("français ntaif", "français natif"),
        ("jiame bien les enfants", "j'aime bien les enfants"),
        ("pendant la fromation", "pendant la formation"),
        ("mon petit frzre", "mon petit frère"),
        ("je m'appelle kevin", "je m'appelle kevin"),  # a first name is no slip ("devin")
        ("ma mere", "ma mère"),  # "mere" is also English: the common French word wins
        ("mon email", "mon email"),
        ("en fet on me l a retire", "en fait on me l'a retiré"),
        ("mè chui dispo qu en juin", "mais je suis disponible qu'en juin"),
        ("evidemen", "évidemment"),
        ("mè en faite chui dispo", "mais en fait je suis disponible"),
    ],
)
def test_chat_forms_in_context(typed, read):
    assert normalise(typed).text == read
