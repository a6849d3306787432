"""Offline scoring of motivation and readiness against the rubric's anchored levels.

Transparent by design: a level is the highest one whose indicator phrases are found, on lemmas,
in the candidate's own words, outside a negated clause. The evidence is the clause where each
indicator was found, verbatim. With no indicator found, the result says so and stays low.
"""

from __future__ import annotations

import re
from functools import cache

from chatbot.chat_french import normalise
from chatbot.nlp import lemmas
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
        words = sum(len(c.split()) for c in clauses)
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
    for clause in clauses:
        clause_lemmas = _lemma_sequence(clause)
        for anchor in levels:
            for indicator in anchor.indicators:
                at = _find(clause_lemmas, _indicator_lemmas(indicator))
                if at is None:
                    continue
                negative_indicator = bool(NEGATION.search(fold(indicator)))
                if anchor.level > 0 and not negative_indicator and _negated(clause_lemmas, at):
                    continue
                found.setdefault(anchor.level, []).append((indicator, clause))
    return found


@cache
def _indicator_lemmas(indicator: str) -> tuple[str, ...]:
    return _lemma_sequence(indicator)


# Spoken and written French say the same thing: "je sais pas" = "je ne sais pas", "ça" = "cela".
SAME_LEMMA = {"ca": "cela", "celer": "cela", "ceci": "cela"}


def _lemma_sequence(text: str) -> tuple[str, ...]:
    """Lemmas of the text read as French ("jai aidé les personnes agees" as "j'ai aidé les
    personnes âgées"), accents folded."""
    text = normalise(without_inclusive_suffixes(text)).text
    folded = (fold(lemma) for lemma, _, _ in lemmas(text))
    return tuple(SAME_LEMMA.get(lemma, lemma) for lemma in folded if lemma != "ne")


def _find(sequence: tuple[str, ...], part: tuple[str, ...]) -> int | None:
    n = len(part)
    return next(
        (i for i in range(len(sequence) - n + 1) if n and sequence[i : i + n] == part), None
    )


def _negated(sequence: tuple[str, ...], at: int) -> bool:
    """A negation among the few words just before the indicator ("je n'ai jamais travaillé en")."""
    return any(NEGATION.fullmatch(word) for word in sequence[max(0, at - NEGATION_WINDOW) : at])
