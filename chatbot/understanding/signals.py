"""Cheap cues in a candidate's message, independent of the question asked."""

from __future__ import annotations

import re

from chatbot.rubric_checks import fold

HANDOFF = re.compile(
    r"\b(parler|discuter|contacter|joindre|voir|appeler)\b.{0,30}"
    r"\b(conseill\w*|humain|personne|quelqu.un|vrai\w*|agent|referent\w*)\b"
    r"|\b(un|une|des) (vrai|vraie)s? (humain|personne)s?\b"
    r"|\b(je veux|je voudrais|passez[- ]moi)\b.{0,20}\b(conseill\w*|humain)\b"
)

MANIPULATION = re.compile(
    r"\b(ignore[rsz]?|oublie[rsz]?|ne tiens? pas compte)\b.{0,40}\b(consignes?|instructions?|regles?"
    r"|prompt|directives?|ce qu.on t.a dit|previous|above|rules)\b"
    r"|\b(mets?|mettez|donne[sz]?|attribue[sz]?|accorde[sz]?)[- ]?(moi|lui)?\b.{0,40}"
    r"\b(niveau|note|score)\b.{0,20}\b(max\w*|maximum|plus haut|3|10|20|meilleur|top)\b"
    r"|\b(niveau|note|score) (max\w*|le plus haut)\b"
    r"|\b(system|systeme|admin|developpeur|developer|assistant)\s*:"
    r"|\b(tu es|you are) (maintenant|desormais|now)\b"
    r"|\b(mode (developpeur|admin|debug)|jailbreak|dan mode|role ?play)\b"
    r"|\b(ignore|disregard|forget) (all|any|the|your|previous|prior)\b"
    r"|\b(highest|maximum|top|max) (level|score|grade|rating)\b"
    r"|\b(give|set|rate|score) (me|him|her|the candidate)\b.{0,30}\b(level|score|3|max\w*)\b"
    r"|<\s*/?\s*(script|system|img|iframe|svg)\b|\bjavascript:|\[\[|\{\{"
)

RUDE = re.compile(
    r"\b(connard|connasse|conn?e|putain|merde|fdp|ta gueule|tg|encul\w*|salope?|batard"
    r"|debile|idiot|stupide|nul(le)?|chiant\w*|casse[- ]couilles?|va te faire|ferme[- ]la)\b"
)

GREETING_ONLY = re.compile(
    r"^\W*(bonjour|bonsoir|salut|coucou|hello|bjr|slt|merci( beaucoup)?|ok merci|d.accord merci"
    r"|re|cc)\W*$"
)

# A sentence that asks by its words; a bare "?" may only be a hesitant answer ("en septembre ?").
ASKING_START = re.compile(
    r"^\W*(est[- ]ce qu|combien|comment|pourquoi(?! pas)|quand (est[- ]ce|commence|debute|finit"
    r"|se termine|a lieu|aura)|ou (est|se|sont|a lieu|aura|se passe)|quel(le)?s? |c.est quoi"
    r"|qu.est[- ]ce|peut[- ]on|puis[- ]je|faut[- ]il|y a[- ]t[- ]il|dois[- ]je|est[- ]il|est[- ]elle)"
)
ASKING_WORD = re.compile(
    r"\b(est[- ]ce qu|combien|comment|pourquoi|c.est quoi|qu.est[- ]ce|quel(le)?s?|faut[- ]il"
    r"|peut[- ]on|quand)\b|-t-(il|elle|on)\b"
)

CORRECTION = re.compile(
    r"\b(en fait|finalement|je me suis trompee?|je me suis tromper|je me trompe|erreur"
    r"|je corrige|correction|non attendez?|pardon|plutot|je rectifie|je voulais dire|au fait)\b"
)

FRENCH_WORDS = re.compile(
    r"\b(je|j|tu|il|elle|on|nous|vous|le|la|les|un|une|des|de|du|et|est|pas|oui|non|ai|suis"
    r"|mon|ma|mes|pour|avec|dans|que|qui|ca|c|en|a|au|aux|ne|n)\b"
)
ENGLISH_WORDS = re.compile(
    r"\b(the|is|are|i|you|my|have|has|do|don.t|not|what|with|for|and|this|that|it|am|can|yes)\b"
)
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def folded(text: str) -> str:
    return fold(text)


def is_handoff(text: str) -> bool:
    return bool(HANDOFF.search(fold(text)))


def is_manipulation(text: str) -> bool:
    return bool(MANIPULATION.search(fold(text)))


def is_rude(text: str) -> bool:
    return bool(RUDE.search(fold(text)))


def is_greeting(text: str) -> bool:
    return bool(GREETING_ONLY.match(fold(text)))


def is_correction(text: str) -> bool:
    return bool(CORRECTION.search(fold(text)))


def question_sentences(text: str) -> tuple[list[str], list[str]]:
    """(sentences that clearly ask something, sentences that only end with a '?')."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]
    asking, hesitant = [], []
    for sentence in sentences:
        folded = fold(sentence)
        if ASKING_START.match(folded) or sentence.endswith("?") and ASKING_WORD.search(folded):
            asking.append(sentence)
        elif sentence.endswith("?"):
            hesitant.append(sentence)
    return asking, hesitant


def is_other_language(text: str) -> bool:
    words = fold(text).split()
    if len(words) < 3:
        return False
    english = len(ENGLISH_WORDS.findall(fold(text)))
    french = len(FRENCH_WORDS.findall(fold(text)))
    return english >= 2 and english > 2 * french


def has_words(text: str) -> bool:
    return bool(LETTERS.search(text)) or any(ch.isdigit() for ch in text)
