"""The French Presidio analyzer: built once per process, never touches the network."""

from __future__ import annotations

import logging
import os
import threading
from functools import cache

# Presidio's email recognizer imports tldextract, which would download the public-suffix list
# (Presidio issue #1205). Must be set before presidio is imported.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import regex  # noqa: E402
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry  # noqa: E402
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer  # noqa: E402
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine  # noqa: E402

from chatbot import nlp  # noqa: E402
from pii import policy, recognizers  # noqa: E402

SPACY_MODEL = nlp.MODEL
LANG = recognizers.LANG

log = logging.getLogger(__name__)

# At DEBUG, Presidio logs the words around each finding: the candidate's raw message.
logging.getLogger("presidio-analyzer").setLevel(logging.INFO)


def _lowercase_lemma(doc):
    """Presidio matches context words against lemmas; the lemmatizer (and the tagger it needs)
    cost more than NER itself, and the lowercase form does the job."""
    for token in doc:
        token.lemma_ = token.lower_
    return doc


class FrenchNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine over our trimmed pipeline (Presidio would load the whole model,
    and download it if missing)."""

    def __init__(self):
        super().__init__(
            models=[{"lang_code": LANG, "model_name": SPACY_MODEL}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping={"PER": "PERSON"},
                labels_to_ignore=["LOC", "ORG", "MISC"],
            ),
        )

    def load(self) -> None:
        """The process's one French model (chatbot/nlp.py), shared with the lemmatiser."""
        self.nlp = {LANG: nlp.french()}

    def process_text(self, text: str, language: str):
        """Run the NER (80 % of the scrubbing time) only when a capitalised word could be a
        name; lowercase chat is left to FrChatNameRecognizer, which handles it better. Only
        the NER runs: the shared model's tagger and lemmatizer are skipped."""
        doc = nlp.entities(text) if needs_ner(text) else self.nlp[language].make_doc(text)
        return self._doc_to_nlp_artifact(_lowercase_lemma(doc), language)


CAPITALISED = regex.compile(r"(?<![\w'’])\p{Lu}[\w'’\-]+")


def needs_ner(text: str) -> bool:
    """True when some capitalised word is neither a stop word nor a kept word."""
    from pii.lexicon import stop_words

    for match in CAPITALISED.finditer(text):
        word = match.group()
        low = word.lower()
        head = regex.split(r"['’]", low)[0]
        if low not in stop_words() and head not in stop_words() and not policy.is_kept(word):
            return True
    return False


def structured_recognizers() -> list:
    """The identifiers found by pattern and checksum alone: they never depend on the language
    model, so they are applied even when everything else fails."""
    return [
        recognizers.FrNirRecognizer(),
        recognizers.FrPhoneRecognizer(),
        recognizers.FranceTravailIdRecognizer(),
        recognizers.FrIdDocumentRecognizer(),
        recognizers.FrEmailRecognizer(),
        recognizers.iban_recognizer(),
        recognizers.FrCreditCardRecognizer(),
    ]


def french_recognizers() -> list:
    return [
        *structured_recognizers(),
        recognizers.FrAddressRecognizer(),
        recognizers.FrBirthDateRecognizer(),
        recognizers.FrSpacyPersonRecognizer(),
        recognizers.FrChatNameRecognizer(),
    ]


def guarded(recognizer):
    """A recognizer that fails is logged (its name and the error type, never the text) and
    finds nothing; the others go on."""
    recognizer.analyze = guarded_call(recognizer, recognizer.analyze)
    return recognizer


def guarded_call(recognizer, analyze_text):
    def analyze(text, entities, nlp_artifacts=None):
        try:
            return analyze_text(text, entities, nlp_artifacts)
        except Exception as error:  # one broken recognizer must not stop the scrub
            log.error("PII recognizer %s failed: %s", recognizer.name, type(error).__name__)
            return []

    return analyze


def check_supported(engine: AnalyzerEngine) -> None:
    """Presidio silently ignores a requested entity nobody recognizes (issue #2256): fail loudly."""
    missing = set(policy.SCRUBBED_ENTITIES) - set(engine.get_supported_entities(LANG))
    if missing:
        raise RuntimeError(f"No French recognizer for: {', '.join(sorted(missing))}")


_BUILDING = threading.Lock()


def analyzer() -> AnalyzerEngine:
    """The process's analyzer, built once: the server's warm-up and the first candidates' turns
    ask for it at once, and a second build would stay in memory."""
    with _BUILDING:
        return _build()


@cache
def _build() -> AnalyzerEngine:
    nlp_engine = FrenchNlpEngine()
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=[LANG])
    for recognizer in french_recognizers():
        registry.add_recognizer(guarded(recognizer))
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[LANG],
        default_score_threshold=policy.SCORE_THRESHOLD,
        context_aware_enhancer=LemmaContextAwareEnhancer(
            context_similarity_factor=0.35,
            min_score_with_context_similarity=0.45,
            context_prefix_count=6,
            context_suffix_count=2,
            context_matching_mode="whole_word",
        ),
    )
    check_supported(engine)
    _warm_up()
    return engine


analyzer.cache_clear = _build.cache_clear  # as with @cache: the next call builds it again


def _warm_up() -> None:
    """Load the word lists now rather than during the first candidate message."""
    from pii.lexicon import _words_by_start, first_names, is_word, stop_words

    first_names(), stop_words(), _words_by_start(), is_word("cas"), is_word("agees")


def analyze(text: str):
    """Every entity found in `text`. If the analysis itself fails (the language model, say),
    the structured identifiers are still found: a failure never lets a phone number through."""
    try:
        return analyzer().analyze(text=text, language=LANG, entities=list(policy.SCRUBBED_ENTITIES))
    except Exception as error:
        log.error("PII analysis failed (%s): structured identifiers only", type(error).__name__)
        return [
            result
            for recognizer in _structured()
            for result in recognizer.analyze(text, recognizer.supported_entities)
            if result.score >= policy.SCORE_THRESHOLD
        ]


@cache
def _structured() -> list:
    return [guarded(r) for r in structured_recognizers()]
