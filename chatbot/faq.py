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
    "missions": r"\b(missions?|taches?|fait (un|une)|quotidien|journee type|en quoi consiste)\b",
    "working_conditions": r"\b(conditions?|horaires? du metier|physique|difficile|fatigant)\b",
    "hiring_outlook": r"\b(embauche|debouches?|trouver (du|un) (travail|emploi)|recrut\w*|apres la formation)\b",
    "duration": r"\b(duree|combien de temps|combien de mois|dure)\b",
    "funding": r"\b(financ\w*|cout|coute|prix|gratuit\w*|payer la formation)\b",
    "site": r"\b(adresse|ou (se passe|est|a lieu)|lieu|ville|institut)\b",
    "sessions": r"\b(quand|date|commence|debut|rentree|session|horaires?|emploi du temps|planning)\b",
}

# A keyword that is only a question word ("c'est quoi") says nothing of the topic.
QUESTION_WORDS = re.compile(
    r"c.est quoi|qu.est[- ]ce que|quoi|comment|combien|pourquoi|quand|quel(le)?s?"
)

# Pay: the job's salary and what the candidate receives while training are different answers.
PAY = re.compile(
    r"\b(pay\w*|salaire|gagne\w*|remunere\w*|remuneration|touche\w*|sous|argent|smic|chomage"
    r"|allocation|indemni\w*)\b"
)
IN_TRAINING = re.compile(
    r"\b(pendant|durant|en|pdt) (la )?formation\b|\b(indemni\w*|chomage|are|allocation|aide financiere"
    r"|remunere\w*|remuneration|stagiaire)\b"
)
IN_JOB = re.compile(
    r"\b(salaire|gagne\w*|smic|brut|net|apres|metier|debut de carriere|paye bien|ca paye)\b"
)
PAYING_FOR_TRAINING = re.compile(r"\b(payer|paie|paye) (la|ma|cette) formation\b")


def answer_question(rubric: Rubric, question: str) -> str | None:
    """The best grounded answer, or None when the rubric does not say (the counsellor will)."""
    folded = fold(question)
    for topic, pattern in META_CUES.items():
        if re.search(pattern, folded):
            return msg.META_ANSWERS[topic]
    if pay := _pay_answer(rubric, folded):
        return pay
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


def _pay_answer(rubric: Rubric, folded: str) -> str | None:
    """ "c'est quoi le salaire" is the job's pay; "payé pendant la formation" is the allowance;
    a bare "c'est payé ?" gets both, each named."""
    if not PAY.search(folded) or PAYING_FOR_TRAINING.search(folded):
        return None
    training, job = IN_TRAINING.search(folded), IN_JOB.search(folded)
    if training and not job:
        return rubric.training.pay_during_training
    if job and not training:
        return rubric.training.job.pay_range
    return msg.PAY_BOTH.format(
        during=rubric.training.pay_during_training, after=rubric.training.job.pay_range
    )


def _faq_score(folded_question: str, faq_question: str, keywords: list[str]) -> float:
    topical = [k for k in keywords if not QUESTION_WORDS.fullmatch(fold(k).strip())]
    hits = sum(bool(re.search(rf"\b{re.escape(fold(k))}\b", folded_question)) for k in topical)
    similarity = fuzz.token_set_ratio(folded_question, fold(faq_question)) / 100
    return min(1.0, (0.45 + 0.15 * hits if hits else 0.0) + 0.4 * similarity)


def _topic_answer(rubric: Rubric, topic: str) -> str:
    training, job = rubric.training, rubric.training.job
    match topic:
        case "missions":
            return "Les missions du métier : " + " ".join(job.missions)
        case "working_conditions" | "hiring_outlook":
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
