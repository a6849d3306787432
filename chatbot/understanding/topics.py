"""Which criteria a message talks about, found from each criterion's own words.

A criterion is described by its label, question, help, follow-up, options (labels and synonyms),
scale levels, unit and, when the trainer wrote some, keywords. Those words, reduced to their
dictionary form and without accents, are its topic. A word that describes one criterion only
("permis", "vaccin") says more than a word shared by many ("formation", "semaine"): each word
weighs its inverse criterion frequency within the rubric. Trainer `keywords` help, but a rubric
without them is understood the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from chatbot import lexicon
from chatbot.rubric import AnswerType, Criterion, Rubric
from chatbot.text import fold

# Words that tell nothing about which criterion is meant: grammar, question words, politeness.
_GENERIC = """avoir etre faire pouvoir vouloir devoir aller venir dire savoir mettre prendre donner
    vous votre vos tu ton ta tes je me mon ma mes moi il elle on nous ils elles le la les un une
    des du de d l au aux en y et ou mais donc car ni que qu qui quoi quel quelle quels quelles
    combien comment pourquoi quand ou est-ce ce cette ces cet ca cela ceci pas ne n plus tres
    bien oui non si deja encore aussi par pour sur sous dans avec sans chez entre vers depuis
    avant apres jusqu a exemple environ moins peu tout tous toute toutes autre autres meme
    possible question reponse repondre dites dire merci svp chose choses fois c s t m j est sont
    juste vrai faux ok d'accord accord rien aucun aucune jamais personne
    fait revenir tromper oups finalement pardon erreur corriger rectifier vouloir ah euh ben
    formation metier"""
GENERIC = frozenset(_GENERIC.split())
WORD = re.compile(r"\d+|[^\W\d_]+", re.UNICODE)
# "j'ai 23 ans" is how French says an age: the message names the age though "âge" is not in it.
AGE_IDIOM = re.compile(r"\b(?:j'?\s*ai|g|il a|elle a|age de|agee? de)\s+(\d{1,2})\s*(?:ans?)\b")
DURATION_WORDS = frozenset({"heure", "minute", "min", "mn", "quart", "demi"})
NAMED = 1.8  # a word of one or two criteria, or two words shared more widely


def words(text: str) -> set[str]:
    """Content words of a text in dictionary form ("années" -> "année"). Accents are kept:
    "âge" is not "âgé" (messages are normalised first, so "agees" reads "âgées")."""
    found = set()
    for token in WORD.findall(text.lower().replace("’", "'")):
        if token.isdigit():
            found.add(token)
            continue
        spelt = (lexicon.accented(token) or token) if token.isascii() else token
        base = lexicon.lemma(spelt)
        if len(base) > 1 and fold(base) not in GENERIC and fold(token) not in GENERIC:
            found.add(base)
    return found


@dataclass(frozen=True)
class Topics:
    by_criterion: dict[str, frozenset[str]]
    weight: dict[str, float]
    named_by: dict[str, frozenset[str]]  # the words of each criterion's label: its name

    def scores(
        self, text: str, among: list[Criterion], besides: str | None = None
    ) -> dict[str, float]:
        """How strongly the text names each criterion of `among` (0 when not at all), counting
        only the words that do not also describe the criterion `besides` (the one asked)."""
        said = words(text) | _implied(text)
        if besides is not None:
            said -= self.by_criterion[besides]
        return {c.id: self._score(said, c.id) for c in among}

    def _score(self, said: set[str], criterion_id: str) -> float:
        """A word of the criterion's label counts twice: "écran" names "À l'aise avec un
        écran" more than the French level whose help mentions "l'écran"."""
        found = said & self.by_criterion[criterion_id]
        return sum(self.weight[w] * (2 if w in self.named_by[criterion_id] else 1) for w in found)

    def named(self, text: str, among: list[Criterion], besides: str | None = None) -> list[str]:
        """The criteria the text names, best first."""
        scores = self.scores(text, among, besides)
        ranked = sorted((s, cid) for cid, s in scores.items() if s >= NAMED)
        return [cid for _, cid in reversed(ranked)]


def _implied(text: str) -> set[str]:
    return {"âge"} if AGE_IDIOM.search(fold(text)) else set()


_CACHE: dict[tuple[str, str], Topics] = {}


def topics(rubric: Rubric) -> Topics:
    key = (rubric.id, rubric.version)
    if key not in _CACHE:
        _CACHE[key] = _topics(rubric)
    return _CACHE[key]


def _topics(rubric: Rubric) -> Topics:
    # A unit ("ans", "km") says what kind of value follows, not which criterion it answers:
    # "16 ans" could be an age or years of driving licence.
    units = set().union(*(words(c.answer.unit or "") for c in rubric.criteria))
    if any(c.answer.type == AnswerType.duration for c in rubric.criteria):
        units |= DURATION_WORDS
    by_criterion = {c.id: frozenset(_description_words(rubric, c) - units) for c in rubric.criteria}
    counts: dict[str, int] = {}
    for described in by_criterion.values():
        for word in described:
            counts[word] = counts.get(word, 0) + 1
    total = len(by_criterion)
    weight = {w: math.log((total + 1) / n) for w, n in counts.items()}
    named_by = {c.id: frozenset(words(c.label)) for c in rubric.criteria}
    return Topics(by_criterion, weight, named_by)


def _description_words(rubric: Rubric, criterion: Criterion) -> set[str]:
    answer = criterion.answer
    texts = [criterion.label, criterion.question, criterion.help or "", criterion.follow_up or ""]
    texts += criterion.keywords
    texts += [o.label for o in answer.options] + [s for o in answer.options for s in o.synonyms]
    if answer.type == AnswerType.level and answer.scale:
        texts += [lvl.label for lvl in rubric.scale(answer.scale)]
    if answer.type == AnswerType.date:
        texts.append("date disponible commencer début")
    found = set().union(*(words(t) for t in texts))
    if re.search(r"\bâge\b", f"{criterion.label} {criterion.question}".lower()):
        found.add("âge")
    return found
