"""Answers to candidates' questions, only from what the rubric says about the training and the job."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from chatbot import messages as msg
from chatbot.answers import format_date
from chatbot.rubric import Rubric
from chatbot.text import fold

THRESHOLD = 0.55

# Questions about the assistant itself: transparency is part of the product.
META_CUES = {
    "robot": r"\b(robot|ia|intelligence artificielle|humain|vraie? personne|chatbot|bot|machine)\b",
    "decision": r"\b(qui decide|decision|accepte|refuse|retenu|selectionne)\b",
    "data": r"\b(donnees|rgpd|confidenti\w*|effacer|qui (va )?lire|vie privee)\b",
}

# Topics answered from the training sheet when no FAQ entry fits.
TOPIC_CUES = {
    "pay_range": r"\b(salaire|gagne\w*|paye? apres|combien on gagne|smic|brut|net)\b",
    "missions": r"\b(missions?|taches?|fait (un|une)|quotidien|journee type|en quoi consiste)\b",
    "working_conditions": r"\b(conditions?|horaires? du metier|physique|difficile|fatigant)\b",
    "hiring_outlook": r"\b(embauche|debouches?|trouver (du|un) (travail|emploi)|recrut\w*|apres la formation)\b",
    "duration": r"\b(duree|combien de temps|combien de mois|dure)\b",
    "funding": r"\b(financ\w*|cout|coute|prix|gratuit\w*|payer la formation)\b",
    "pay_during_training": r"\b(remunere\w*|remuneration|paye pendant|indemni\w*|chomage|are)\b",
    "site": r"\b(adresse|ou (se passe|est|a lieu)|lieu|ville|institut)\b",
    "sessions": r"\b(quand|date|commence|debut|rentree|session)\b",
}


def answer_question(rubric: Rubric, question: str) -> str | None:
    """The best grounded answer, or None when the rubric does not say (the counsellor will)."""
    folded = fold(question)
    for topic, pattern in META_CUES.items():
        if re.search(pattern, folded):
            return msg.META_ANSWERS[topic]
    best, score = None, 0.0
    for entry in rubric.training.faq:
        entry_score = _faq_score(folded, entry.question, entry.keywords)
        if entry_score > score:
            best, score = entry.answer, entry_score
    if score >= THRESHOLD:
        return best
    for topic, pattern in TOPIC_CUES.items():
        if re.search(pattern, folded):
            return _topic_answer(rubric, topic)
    return None


def _faq_score(folded_question: str, faq_question: str, keywords: list[str]) -> float:
    hits = sum(bool(re.search(rf"\b{re.escape(fold(k))}\b", folded_question)) for k in keywords)
    similarity = fuzz.token_set_ratio(folded_question, fold(faq_question)) / 100
    return min(1.0, (0.45 + 0.15 * hits if hits else 0.0) + 0.4 * similarity)


def _topic_answer(rubric: Rubric, topic: str) -> str:
    training, job = rubric.training, rubric.training.job
    match topic:
        case "missions":
            return "Les missions du métier : " + " ".join(job.missions)
        case "pay_range" | "working_conditions" | "hiring_outlook":
            return getattr(job, topic)
        case "site":
            site = training.site
            return (
                f"La formation a lieu chez {training.provider.name}, "
                f"{site.address}, {site.postal_code} {site.commune}."
            )
        case "sessions":
            return "Prochaines sessions : " + " ; ".join(
                f"du {format_date(s.start)} au {format_date(s.end)} ({s.schedule})"
                for s in training.sessions
            )
        case _:
            return getattr(training, topic)
