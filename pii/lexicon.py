"""Word lists the name detectors need, all from installed packages (nothing downloaded).

A name needs evidence: a word of the language ("cas", "allé", "euh", "jai", "love") is not taken
for a name without a cue, however many first-name dictionaries list it.
"""

from __future__ import annotations

from functools import cache, lru_cache

from chatbot import lexicon
from chatbot.text import fold


def first_names() -> frozenset[str]:
    """About 60,000 accent-folded first names (gender-guesser's dictionary, many countries)."""
    return lexicon.first_names()


# A first name that is also a word of the dictionary is a word when the word is common or the
# name rare in France ("rose", "cas", "euh"); a rare homograph of a common name ("maxime",
# "olivier") is the name.
COMMON_WORD = 2000
COMMON_NAME = 4
COMMON_ENGLISH = 100_000


@lru_cache(maxsize=65536)
def is_word(word: str) -> bool:
    """A word of the language rather than a name: standard French with or without its accents
    ("âgées", "agees"), a chat spelling of one ("jai", "chui", "jpense"), a chat interjection
    ("ben", "euh"), a common English word ("love", "email") or any frequent token of written
    French ("perso", "londres")."""
    from chatbot.chat_french import is_chat_word

    low = word.lower()
    if is_chat_word(word):  # as typed: "Rayan" is no slip for "rayon", "rayan" may be
        return True
    weight = lexicon.name_weight(low)
    if weight:
        spelt = lexicon.dictionary_spelling(low)
        if spelt is None:  # "can", "may", "hope" are English chat; "kevin", "mark" names
            return lexicon.english_frequency(low) >= COMMON_ENGLISH
        usage = max(lexicon.frequency(spelt), lexicon.frequency(lexicon.lemma(spelt)))
        return usage >= COMMON_WORD or weight < COMMON_NAME  # "lourdes" as "lourd"
    if "-" in low.strip("-"):  # "vingt-neuf", "aide-soignante"; "jean-pierre" is a name above
        return all(is_word(part) for part in low.split("-") if part)
    return lexicon.in_dictionary(low) or lexicon.is_english(low) or lexicon.is_frequent(low)


def is_dictionary_word(word: str) -> bool:
    """A word of the standard French dictionary, with or without accents. Surnames are not
    ("dupont", "moreau"), even when frequent in the news."""
    return lexicon.in_dictionary(word)


def french_words() -> frozenset[str]:
    """The standard French lexicon (lowercase, accented)."""
    return frozenset(lexicon.frequencies())


@cache
def stop_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    chat = {"j", "m", "c", "jsuis", "chui", "moi", "toi", "ok", "et", "ou", "de", "a", "à", "y"}
    return frozenset(STOP_WORDS | chat)


@cache
def _words_by_start() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for word in {fold(w) for w in lexicon.frequencies()} | stop_words():
        index.setdefault(word[:1], []).append(word)
    return index


def near_french_word(word: str) -> bool:
    """A misspelt French word ("clari", "beacoup"), not an unknown name."""
    from rapidfuzz import fuzz, process

    low = fold(word)
    candidates = [w for w in _words_by_start().get(low[:1], []) if abs(len(w) - len(low)) <= 1]
    return process.extractOne(low, candidates, scorer=fuzz.ratio, score_cutoff=80) is not None
