"""Offline scoring of motivation and readiness against the rubric's anchored levels.

Transparent by design: a level is the highest one whose indicator phrases are found, on lemmas,
in the candidate's own words, outside a negated clause. The evidence is the clause where each
indicator was found, verbatim. With no indicator found, the result says so and stays low.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from chatbot.chat_french import normalise
from chatbot.nlp import analyse_all
from chatbot.results import DimensionScore, Method
from chatbot.rubric import AnchoredLevel, Criterion
from chatbot.text import fold, without_inclusive_suffixes
from chatbot.understanding.signals import is_manipulation

NEGATION = re.compile(r"\b(pas|jamais|aucun|aucune|ni|rien|sans)\b")
CLAUSE_END = re.compile(r"[.;!?\n]+|,|\bmais\b")
SUBSTANTIAL_WORDS = 12
NEGATION_WINDOW = 4


def score_dimension(criterion: Criterion, texts: list[str]) -> DimensionScore:
    top = max(level.level for level in criterion.levels)
    base = dict(
        criterion_id=criterion.id,
        kind=criterion.kind,
        label=criterion.label,
        max_level=top,
        method=Method.offline,
    )
    clauses = [c for text in texts for c in _clauses(text) if not is_manipulation(c)]
    if not clauses:
        return DimensionScore(
            **base,
            level=None,
            rationale="Pas de réponse exploitable à cette question.",
            confidence=0.0,
        )
    found = _matches(criterion.levels, clauses)
    if not found:
        words = sum(len(normalise(c).text.split()) for c in clauses)  # "jveu" = "je veux"
        level = 1 if words >= SUBSTANTIAL_WORDS and top >= 1 else 0
        return DimensionScore(
            **base,
            level=level,
            rationale=(
                f"Niveau {level} sur {top}, estimé faute d'indice : aucun des indices décrits "
                "pour ce critère n'a été trouvé dans la réponse. À vérifier par le conseiller."
            ),
            confidence=0.3,
        )
    level = max(found)
    anchor = next(a for a in criterion.levels if a.level == level)
    indicators = sorted({indicator for indicator, _ in found[level]})
    evidence = list(dict.fromkeys(clause for _, clause in found[level]))
    spread = len(found) - 1  # indicators of several levels: less sure
    return DimensionScore(
        **base,
        level=level,
        rationale=(
            f"Niveau {level} sur {top} : {anchor.descriptor} "
            f"Indices trouvés : {', '.join(f'« {i} »' for i in indicators)}."
        ),
        evidence=evidence,
        confidence=round(max(0.4, min(0.9, 0.55 + 0.1 * len(found[level]) - 0.1 * spread)), 2),
    )


def _clauses(text: str) -> list[str]:
    parts, start = [], 0
    for match in CLAUSE_END.finditer(text):
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _matches(levels: list[AnchoredLevel], clauses: list[str]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for clause, words in zip(clauses, _words_of(clauses), strict=True):
        for anchor in levels:
            for indicator in anchor.indicators:
                at = _find_indicator(words, indicator)
                if at is None:
                    continue
                negative_indicator = bool(NEGATION.search(fold(indicator)))
                if anchor.level > 0 and not negative_indicator and _negated(words, at):
                    continue
                found.setdefault(anchor.level, []).append((indicator, clause))
    return found


# Spoken and written French say the same thing: "je sais pas" = "je ne sais pas", "ça" = "cela".
SAME_LEMMA = {"ca": "cela", "celer": "cela", "ceci": "cela"}
CONTENT_POS = {"NOUN", "VERB", "ADJ", "ADV", "PROPN", "NUM"}
NOUNS = {"NOUN", "PROPN"}  # close meanings by word vectors only for things ("maman" ~ "mère")
SUBJECTS = {"je", "tu", "il", "elle", "lui", "on", "nous", "vous", "ils", "elles", "et", "si"}
CLOSE_WORDS = 0.7  # cosine of two word vectors: "maman" ~ "mère", "voisine" ~ "voisin"


@dataclass(frozen=True)
class _Word:
    lemma: str  # accent-folded
    form: str  # as written, lowercase, accent-folded: the lemma depends on the tagger's context
    content: bool  # a noun, verb, adjective, adverb or number that is not a stop word
    vector: np.ndarray | None = field(default=None, compare=False)  # nouns only


def _words(text: str) -> tuple[_Word, ...]:
    return _words_of([text])[0]


def _words_of(texts: list[str]) -> list[tuple[_Word, ...]]:
    """The words of each text read as French ("jai aidé les personnes agees" as "j'ai aidé les
    personnes âgées"), in dictionary form, accents folded, with their word vectors."""
    read = [normalise(without_inclusive_suffixes(text)).text for text in texts]
    return [_doc_words(doc) for doc in analyse_all(read)]


def _doc_words(doc) -> tuple[_Word, ...]:
    words = []
    for token in doc:
        if token.is_punct or token.is_space:
            continue
        lemma = fold(token.lemma_.lower())
        lemma = SAME_LEMMA.get(lemma, lemma)
        if lemma == "ne":
            continue
        content = token.pos_ in CONTENT_POS and not token.is_stop
        vector = token.vector if token.pos_ in NOUNS and token.has_vector else None
        words.append(_Word(lemma, fold(token.text.lower()), content, vector))
    return tuple(words)


@cache
def _indicator_words(indicator: str) -> tuple[_Word, ...]:
    return _words(indicator)


def _find_indicator(words: tuple[_Word, ...], indicator: str) -> int | None:
    """Where the indicator is said: its words in a row ("je sais pas"), or each of its content
    words anywhere in the clause, as such or as a close word ("maman" for "mère", "voisine" for
    "voisin"). Returns the position of the first word found, else None."""
    wanted = _indicator_words(indicator)
    exact = _find(words, wanted)
    content = [w for w in wanted if w.content]
    if exact is not None or len(content) < 2:
        return exact  # "j'ai aidé", "déjà organisé": the small words carry the meaning
    positions = []
    for target in content:
        at = next((i for i, w in enumerate(words) if _same_word(w, target)), None)
        if at is None:
            return None
        positions.append(at)
    return min(positions)


def _same_word(word: _Word, target: _Word) -> bool:
    if _same_form(word, target):
        return True
    if word.vector is None or target.vector is None:
        return False
    norms = float(np.linalg.norm(word.vector) * np.linalg.norm(target.vector))
    return norms > 0 and float(np.dot(word.vector, target.vector)) / norms >= CLOSE_WORDS


def _find(sequence: tuple[_Word, ...], part: tuple[_Word, ...]) -> int | None:
    """Where `part` is said word for word, each word by its lemma or as written."""
    n = len(part)
    return next(
        (
            i
            for i in range(len(sequence) - n + 1)
            if n and all(_same_form(w, t) for w, t in zip(sequence[i : i + n], part, strict=True))
        ),
        None,
    )


def _same_form(word: _Word, target: _Word) -> bool:
    return word.lemma == target.lemma or word.form == target.form


def _negated(words: tuple[_Word, ...], at: int) -> bool:
    """A negation that belongs to the indicator's own words ("je n'ai jamais travaillé en…",
    "je sonne pas"), not to an earlier verb ("si elle sait rien, j'appelle le 15")."""
    for word in reversed(words[max(0, at - NEGATION_WINDOW) : at]):
        if word.lemma in SUBJECTS:
            break
        if NEGATION.fullmatch(word.lemma):
            return True
    return any(NEGATION.fullmatch(w.lemma) for w in words[at + 1 : at + 3])
