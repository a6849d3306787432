"""Cheap cues in a candidate's message, independent of the question asked."""

from __future__ import annotations

import re

from chatbot.chat_french import normalise
from chatbot.text import fold
from chatbot.understanding.parsers import parse_yes_no

HANDOFF = re.compile(
    r"\b(parl\w*|discuter|contacter|joindre|voir|appeler)\b.{0,30}"
    r"\b(conseill\w*|humain|personne|quelqu.un|vraie?s?|agent|referent\w*)\b"
    r"|\b(un|une|des) (vrai|vraie)s? (humain|personne)s?\b"
    r"|\b(je veux|je voudrais|passez[- ]moi)\b.{0,20}\b(conseill\w*|humain)\b"
)

# Attempts to steer the assessment, in French and other languages. Matched on folded text with
# leetspeak undone ("1gn0re" → "ignore"). A flag only: such words are never read as answers.
MANIPULATION = re.compile(
    "|".join(
        [
            # "ignore your instructions", in several languages
            r"\b(ignore[rsz]?|ignora|ignoriere|oublie[rsz]?|ne tiens? pas compte|disregard|forget)\b"
            r".{0,40}\b(consignes?|instructions?|instrucciones|anweisungen|istruzioni|regles?|prompt"
            r"|directives?|ce qu.on t.a dit|previous|above|rules|all|anteriores|vorherigen|precedenti)\b",
            # "give me the top level"
            r"\b(mets?|mettez|donne[sz]?|attribue[sz]?|accorde[sz]?|dame|dammi|gib|give|set|rate)"
            r"[- ]?(moi|lui|me|mir)?\b.{0,40}\b(niveau|note|score|level|grade|puntuacion|punteggio"
            r"|stufe|rating)\b",
            r"\b(rate|score|note|mets?|give)[- ]?(me|moi)?\b.{0,20}\b\d+\s*(/|sur|out of)\s*\d+\b",
            # a fake result line ("motivation : 3/3", "prérequis : tous validés")
            r"\b(motivation|niveau|note|score|preparation|prerequis|verdict|resultat)\w*\s*:\s*"
            r"(\d+\s*/\s*\d+|(tous |toutes )?validee?s?|ok|max\w*|met)\b",
            r"\b(meilleure?|plus haute?|maximale?|maximum|max|highest|top|best)\s+(note|niveau|score"
            r"|level|grade|rating|evaluation)\b|\b(niveau|note|score) (max\w*|le plus haut)\b",
            # fake system, developer or evaluator messages; orders from an authority
            r"\b(system|systeme|admin|developpeur|developer|assistant)\s*:|\[/?inst\]|<\|im_start\|>",
            r"\ben tant qu.(administrateur|admin|developpeur|conseiller|evaluateur)|je t.ordonne\b",
            r"\b(evaluateur|evaluation automatique|doit etre classee? premiere?|classez[- ]moi"
            r"|note (importante )?pour (l.)?(ia|evaluateur|assistant|robot))\b",
            r"\b(conseill\w*|france travail|pole emploi|admin\w*|directeur|responsable)\b.{0,60}"
            r"\b(deja|tout) (valide|accepte|approuve)|\b(deja|tout) (valide|accepte)e?s?\b.{0,40}"
            r"\b(valider|accepter)\b|\b(tu peux|vous devez|vous deviez|tu dois) tout valider\b"
            r"|\bvalider toutes? (les )?conditions\b",
            # role play and persona switches
            r"\b(tu es|you are) (maintenant|desormais|now|dan)\b|\b(mode (developpeur|admin|debug)"
            r"|jailbreak|dan mode|role ?-?play|let.s pretend|fais comme si|imagine que tu es"
            r"|pretend (you|to)|no restrictions|sans (aucune )?(restriction|limite)s?)\b",
            # reveal the prompt or the scoring grid
            r"\b(prompt|consignes d.evaluation|repeat the text above|mots[- ]cles que tu cherches"
            r"|grille d.evaluation|system prompt)\b",
            r"\b(a partir de maintenant|desormais|from now on)\b.{0,40}\b(reponds?|answer|dis|ecris"
            r"|say)\b",
            # encoded payloads, markup and structured overrides
            r"\b(base ?64|decode[rz]?|decodez)\b|\{\s*\"(verdict|level|niveau|score|override)\"",
            r"<\s*/?\s*(script|system|img|iframe|svg)\b|\bjavascript:|\[\[|\{\{",
        ]
    )
)
LEET = str.maketrans("013457@$", "oieastas")

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
    r"|je corrige|correction|non attendez?|pardon|ou plutot|je rectifie|je voulais dire|au fait"
    r"|oups|oops|faute de frappe|je reviens sur|pour revenir (a|sur)|j'ai mal (repondu|lu|compris)"
    r"|c'etait faux|c'est faux|je me suis mal exprimee?|petite correction|je rectifie)\b"
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
    folded = fold(text)
    unleeted = re.sub(r"\w*[a-z]\w*", lambda m: m.group().translate(LEET), folded)
    return bool(MANIPULATION.search(folded) or MANIPULATION.search(unleeted))


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in re.split(r"(?<=[.!?;])\s+|\n", text)) if s]


def is_rude(text: str) -> bool:
    return bool(RUDE.search(fold(text)))


def is_greeting(text: str) -> bool:
    return bool(GREETING_ONLY.match(fold(text)))


def is_correction(text: str) -> bool:
    return bool(CORRECTION.search(fold(text)))


def question_sentences(text: str) -> tuple[list[str], list[str]]:
    """(sentences that clearly ask something, sentences that only end with a '?')."""
    sentences = _outside_quotes([s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text)])
    asking, hesitant = [], []
    for sentence in sentences:
        folded = fold(re.sub(r"«[^»]*»", "", sentence))  # a question quoted is not asked
        if ASKING_START.match(folded) or sentence.endswith("?") and ASKING_WORD.search(folded):
            asking.append(sentence)
        elif sentence.endswith("?"):
            hesitant.append(sentence)
    return asking, hesitant


def _outside_quotes(parts: list[str]) -> list[str]:
    """Sentences, a quotation « … » kept whole inside its sentence."""
    sentences: list[str] = []
    for part in parts:
        if sentences and sentences[-1].count("«") > sentences[-1].count("»"):
            sentences[-1] = f"{sentences[-1]} {part}"
        elif part:
            sentences.append(part)
    return [s for s in sentences if s]


def is_other_language(text: str) -> bool:
    words = fold(text).split()
    if len(words) < 3:
        return False
    english = len(ENGLISH_WORDS.findall(fold(text)))
    french = len(FRENCH_WORDS.findall(fold(text)))
    return english >= 2 and english > 2 * french


def has_words(text: str) -> bool:
    return bool(LETTERS.search(text)) or any(ch.isdigit() for ch in text)


CONSENT_WORDS = re.compile(r"\b(?:j'?accepte|accepte|je refuse|refuse|je ne veux pas)\b")
CONSENT_MAX_WORDS = 6  # "ok", "oui d'accord", "non merci je refuse": longer is a question or more


def consent_in_words(text: str) -> bool | None:
    """Consent typed instead of clicked: "oui", "ok", "dacc", "jaccepte" → True; "non", "nn",
    "je refuse" → False; a question, or anything longer or unsure, → None (ask again)."""
    read = normalise(text).text
    folded = fold(read)
    if "?" in read or ASKING_WORD.search(folded) or len(folded.split()) > CONSENT_MAX_WORDS:
        return None
    word = CONSENT_WORDS.search(folded)
    if word:
        return not word.group().endswith(("refuse", "veux pas"))
    said = parse_yes_no(read)
    return said.value if said is not None and said.confidence >= 0.8 else None
