"""Every sentence the assistant says to a candidate, in plain French, in one place."""

from __future__ import annotations

import re

NBSP = "\u00a0"
_SPACE_BEFORE = re.compile(r"[ \t]+(?=[?!:;»])")
_SPACE_AFTER = re.compile(r"(?<=«)[ \t]+")


def french_spacing(text: str) -> str:
    """French typography: the space before ? ! : ; » and after « never breaks a line."""
    return _SPACE_AFTER.sub(NBSP, _SPACE_BEFORE.sub(NBSP, text))


def chat_text(messages: list[str], progress: str | None = None) -> str:
    """One chat message as plain text (it is stored as shown): what answers the last message
    (« C'est noté. »), then the progress line, then the next question."""
    parts = [*messages[:-1], progress, *messages[-1:]] if progress else messages
    return french_spacing("\n\n".join(p for p in parts if p))


PROGRESS = "Question {index} sur {total}"

RETRY_DEFAULT = "Je n'ai pas bien compris. Pouvez-vous répondre plus simplement ?"
NOT_UNDERSTOOD = "Je n'ai pas bien compris."
RETRY_DONT_KNOW = "Ce n'est pas grave. Essayez de répondre au mieux, même approximativement."
RETRY_OUT_OF_BOUNDS = "Cette réponse me semble étonnante. Pouvez-vous vérifier ?"
RETRY_YES_NO = "Vous pouvez répondre simplement par « oui » ou par « non »."
RETRY_FREE_TEXT = "Pouvez-vous m'en dire un peu plus, avec vos mots ?"
MOVE_ON = (
    "Pas de souci, nous passons à la suite. Votre conseiller pourra revoir ce point avec vous."
)

ACK = ("Merci.", "C'est noté.", "Très bien, merci.", "D'accord, c'est noté.")
CORRECTED = "C'est corrigé : {label} → {value}."
ALREADY_KNOWN = "Vous m'avez déjà répondu pour « {label} » : c'est noté."
PROPOSE_CORRECTION = "Vous corrigez « {label} » : {value} ?"
NOT_THAT = "Non, ce n'est pas ça"
UNDONE = "D'accord, je garde votre réponse d'avant : {label} → {value}."
UNDONE_EMPTY = "D'accord, j'annule. Je vous reposerai la question « {label} »."
KEPT = "D'accord, je ne change rien."
WHICH = "Vous voulez corriger quelle réponse ?"
QUALIFIED = (
    "Vous avez répondu « {said} ». Pour cette question, pouvez-vous répondre par oui ou par non ?"
)
RETRY_NUMBER = "Répondez avec un nombre, par exemple « {example} »."

OFF_TOPIC = "Je suis là pour vous aider à préparer votre entrée en formation."
GREETING = "Bonjour ! Continuons."
RUDE = "Je comprends que ce soit agaçant. Je suis là pour vous aider, prenons le temps qu'il faut."
OTHER_LANGUAGE = (
    "Je ne parle que français pour le moment. Si c'est difficile, votre conseiller peut vous aider."
)
EMPTY = "Je n'ai rien reçu. Vous pouvez écrire votre réponse ou utiliser les boutons."
TOO_LONG = "Votre message est très long. Pouvez-vous répondre en quelques phrases ?"
NOISE = "Je n'ai pas compris ce message. Vous pouvez répondre avec des mots ou avec les boutons."
MANIPULATION = (
    "Je ne peux pas modifier la façon dont vos réponses sont évaluées. Ce sont vos "
    "réponses, et la décision de votre conseiller, qui comptent."
)

HANDOFF = (
    "Bien sûr. Pour parler à une personne, contactez {contact}. J'ai aussi signalé votre "
    "demande à votre conseiller. Si vous le souhaitez, nous pouvons continuer ici en attendant."
)

DONT_KNOW_ANSWER = (
    "Je ne connais pas la réponse à cette question. Votre conseiller pourra vous répondre."
)
BACK_TO_QUESTION = "Revenons à la question :"
PAY_BOTH = "**Pendant la formation :** {during}\n\n**Après, dans le métier :** {after}"

META_ANSWERS: dict[str, str] = {
    "robot": (
        "Je suis un assistant automatique qui utilise l'intelligence artificielle. "
        "Je ne prends aucune décision : c'est votre conseiller qui décide."
    ),
    "decision": (
        "Ce n'est pas moi qui décide. Vos réponses sont transmises à votre conseiller "
        "France Travail, qui les lit et décide avec vous."
    ),
    "data": (
        "Vos réponses sont gardées pour votre conseiller, sans votre nom ni vos coordonnées "
        "dans les messages. Vous pouvez demander à les voir ou à les effacer."
    ),
}

RECAP_INTRO = "Voici le résumé de vos réponses :"
RECAP_ASK = (
    "Est-ce que tout est juste ? Si une réponse est fausse, dites-le-moi "
    "(par exemple : « en fait, j'ai le permis »)."
)
RECAP_WHICH = "Quelle réponse voulez-vous corriger ?"
RECAP_YES = "Oui, tout est juste"
RECAP_NO = "Je veux corriger"
NO_ANSWER = "pas de réponse"
UNCLEAR_VALUE = "à voir avec votre conseiller"

CLOSING = (
    "Merci, c'est terminé ! Vos réponses sont transmises à votre conseiller France Travail. "
    "Il les lira et vous recontactera pour la suite (entretien ou inscription). "
    "Ce n'est pas une décision : c'est votre conseiller qui décide, avec vous. "
    "Si vous avez une question, contactez {contact}."
)
ALREADY_DONE = "Votre questionnaire est terminé. Votre conseiller vous recontactera."

YES = "Oui"
NO = "Non"
