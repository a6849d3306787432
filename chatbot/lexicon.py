"""The French lexicon: standard words with their frequencies, from an installed package.

pyspellchecker ships a French dictionary of about 140,000 word forms (inflections included,
proper names mostly excluded) with corpus frequencies. It tells a French word from a name and
finds the accented spelling of a word typed without accents. Nothing is downloaded.
"""

from __future__ import annotations

from functools import cache

from chatbot.text import fold


@cache
def _checker():
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1)


@cache
def frequencies() -> dict[str, int]:
    """Lowercase standard French word -> frequency in the dictionary's corpus."""
    return dict(_checker().word_frequency.dictionary)


def slip_fixed(word: str) -> str | None:
    """The frequent word one slip of the finger away: two letters swapped ("niut", "ntaif"), a
    letter doubled ("trrajet") or accents dropped first, else any one-letter edit ("frzre",
    "parldr") to a common word."""
    folded = fold(word.lower())
    swapped = {
        folded[:i] + folded[i + 1] + folded[i] + folded[i + 2 :] for i in range(len(folded) - 1)
    }
    undoubled = {
        folded[:i] + folded[i + 1 :] for i in range(1, len(folded)) if folded[i] == folded[i - 1]
    }
    for candidates, least in (
        (swapped | undoubled, 1),
        (_checker().edit_distance_1(folded), SLIP_COMMON),
    ):
        found = [
            (frequency(spelling), spelling)
            for candidate in candidates - {folded}
            if is_frequent(candidate) and (spelling := dictionary_spelling(candidate))
        ]
        if found and max(found)[0] >= least:
            return max(found)[1]
    return None


SLIP_COMMON = 1_000  # any one-letter edit only to a common word


@cache
def _dictionary_by_folded_form() -> dict[str, str]:
    """Accent-free form -> its most frequent accented spelling in the dictionary."""
    best: dict[str, tuple[int, str]] = {}
    for word, count in frequencies().items():
        key = fold(word)
        if key not in best or count > best[key][0]:
            best[key] = (count, word)
    return {key: word for key, (_, word) in best.items()}


@cache
def _by_folded_form() -> dict[str, str]:
    """Accent-free form -> its spelling: the dictionary's ("agees" -> "âgées"), else the most
    frequent token of written French for newer words ("pandemie" -> "pandémie")."""
    spelt = dict(_dictionary_by_folded_form())
    for word in _frequent_tokens():
        spelt.setdefault(fold(word), word)
    return spelt


@cache
def _frequent_tokens() -> list[str]:
    """The ~30,000 most frequent tokens of written French, most frequent first (wordfreq:
    subtitles, web, Twitter, Reddit), slang, brands and places included."""
    from wordfreq import top_n_list

    return [w for w in top_n_list("fr", FREQUENT_TOKENS) if w.isalpha()]


FREQUENT_TOKENS = 30_000


def _key(word: str) -> str:
    return word.lower().replace("œ", "oe").replace("æ", "ae")  # the dictionary writes "coeur"


def frequency(word: str) -> int:
    return frequencies().get(_key(word), 0)


def is_standard(word: str) -> bool:
    """A word of standard French as written, any accents ("âgées", "assis")."""
    return _key(word) in frequencies()


def dictionary_spelling(word: str) -> str | None:
    """The dictionary's spelling of a word written with or without its accents ("agees")."""
    key = _key(word)
    return key if key in frequencies() else _dictionary_by_folded_form().get(fold(key))


def in_dictionary(word: str) -> bool:
    return dictionary_spelling(word) is not None


def is_frequent(word: str) -> bool:
    """A frequent token of written French, with or without its accents ("perso", "londres",
    "pandemie")."""
    return fold(word) in _frequent_folded()


@cache
def _frequent_folded() -> frozenset[str]:
    return frozenset(fold(w) for w in _frequent_tokens())


def accented(word: str) -> str | None:
    """The standard spelling of a word typed without (or with wrong) accents, if there is one."""
    return _by_folded_form().get(fold(word))


# gender-guesser's countries whose first names are common among people living in France. A
# name popular only elsewhere ("due" in Vietnam, "hein" in the Netherlands) is not common enough
# here to beat the French word it is spelt like.
NAME_COUNTRIES = frozenset(
    [
        "france",
        "belgium",
        "luxembourg",
        "swiss",
        "italy",
        "spain",
        "portugal",
        "great_britain",
        "ireland",
        "usa",
        "germany",
        "austria",
        "arabia",
        "turkey",
        "romania",
        "poland",
        "other_countries",
    ]
)


@cache
def _first_name_weights() -> dict[str, int]:
    """Accent-folded first name -> its popularity in France's NAME_COUNTRIES (0: known only
    elsewhere, 1 rare .. 13 very common), for gender-guesser's 60,000 first names."""
    import gender_guesser.detector

    detector = gender_guesser.detector.Detector(case_sensitive=False)
    columns = [i for i, country in enumerate(detector.COUNTRIES) if country in NAME_COUNTRIES]
    weights: dict[str, int] = {}
    for name, by_gender in detector.names.items():
        popularity = [int(v[i], 16) for v in by_gender.values() for i in columns if v[i].strip()]
        key = fold(name.replace("+", "-"))
        weights[key] = max(max(popularity, default=0), weights.get(key, 0))
    return weights


@cache
def first_names() -> frozenset[str]:
    return frozenset(_first_name_weights())


def name_weight(word: str) -> int:
    """How common a first name is in France (0: unknown, or known only elsewhere)."""
    return _first_name_weights().get(fold(word), 0)


@cache
def _english() -> dict[str, int]:
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def english_frequency(word: str) -> int:
    return _english().get(word.lower(), 0)


def is_english(word: str) -> bool:
    """A common English word, as French chat borrows them ("email", "job", "love")."""
    return english_frequency(word) >= 1000


@cache
def _lemma_tables() -> tuple[dict, dict, frozenset[str]]:
    """spaCy's French lemmatizer tables: lookup (word hash -> lemmas), irregular verb forms,
    verb lemmas. Those of the process's one loaded model (chatbot/nlp.py): a second copy read
    from the package cost 65 MB per process."""
    from spacy.strings import hash_string

    from chatbot.nlp import french

    lookups = french().get_pipe("lemmatizer").lookups
    verb = hash_string("verb")
    return (
        lookups.get_table("lemma_lookup"),
        lookups.get_table("lemma_exc")[verb],
        frozenset(lookups.get_table("lemma_index")[verb]),
    )


@cache
def is_verb_form(word: str) -> bool:
    """A conjugated French verb ("ai", "aime", "habite"): what follows "j'", "n'", "m'" in chat."""
    from spacy.strings import hash_string

    lookup, irregular, verbs = _lemma_tables()
    low = word.lower()
    return (
        low in irregular
        or low in verbs
        or any(lemma in verbs for lemma in lookup.get(hash_string(low), ()))
    )


@cache
def lemma(word: str) -> str:
    """The dictionary form of a French word ("années" -> "année", "vaccinée" -> "vacciner"), by
    spaCy's lookup table: no pipeline run."""
    from spacy.strings import hash_string

    lookup, _, _ = _lemma_tables()
    low = word.lower()
    found = lookup.get(hash_string(low))
    return found[0] if found else low


@cache
def _folded_verb_forms() -> tuple[frozenset[str], frozenset[str]]:
    _, irregular, verbs = _lemma_tables()
    return frozenset(fold(v) for v in verbs), frozenset(fold(f) for f in irregular)


def is_participle(word: str) -> bool:
    """A past participle as typed on a phone, accents or not ("aidé", "aide", "arrete", "vecu",
    "pris"): what follows the auxiliary in "j'ai aidé ma mère"."""
    verbs, irregular = _folded_verb_forms()
    low = fold(word.lower())
    regular = {"e": "er", "ee": "er", "es": "er", "i": "ir", "is": "ir", "ie": "ir"}
    return low in irregular or any(
        low.endswith(end) and low[: -len(end)] + infinitive in verbs
        for end, infinitive in regular.items()
    )
