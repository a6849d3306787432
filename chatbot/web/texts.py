"""What the chat page says around the questions (the questions themselves are in chatbot.messages)."""

from __future__ import annotations

from chatbot.messages import french_spacing

ACCEPT = "J'accepte"
DECLINE = "Je refuse"
DETAILS = "En savoir plus"

# Short enough that the two buttons show on a phone without scrolling; the rest one tap away.
CONSENT = """Bonjour ! Je suis un **assistant automatique** (une intelligence artificielle), pas une personne.

Je vais vous poser des questions sur la formation {training} : 10 minutes environ. Votre conseiller France Travail décide avec vous.

Acceptez-vous ? Écrivez « oui » ou « non »."""

CONSENT_DETAILS = """**Ce qui est gardé :** vos réponses à ces questions. Votre nom, votre téléphone ou votre adresse sont remplacés par des codes avant d'être enregistrés. Vos réponses sont gardées {retention}, puis effacées.

**Qui décide ?** Pas moi. Votre conseillère ou votre conseiller France Travail lit vos réponses et décide avec vous.

**Vos droits :** vous pouvez voir vos réponses, les faire corriger ou effacer, ou refuser ce questionnaire. Pour cela, contactez {contact}.

**Parler à une personne :** à tout moment, écrivez « je veux parler à quelqu'un », ou contactez {contact}.

Acceptez-vous de répondre aux questions ?"""

CONSENT_FIRST = (
    "Pour commencer, choisissez « J'accepte » ou « Je refuse », ou écrivez « oui » ou « non ». "
    "Vos questions sur la formation viendront juste après."
)

DECLINED = (
    "C'est noté : vous ne répondez pas au questionnaire. Seul votre refus est enregistré. "
    "Pour parler de votre formation, contactez {contact}. "
    "Si vous changez d'avis, demandez un nouveau lien à votre conseiller."
)
ACCEPTED = "Merci ! Vous pouvez répondre avec les boutons ou en écrivant. Commençons."
WELCOME_BACK = "Bon retour ! Voici vos échanges précédents. Reprenons là où nous en étions."
ALREADY_COMPLETED = (
    "Vous avez déjà répondu à ce questionnaire : merci ! Votre conseiller France Travail "
    "vous recontactera. Pour toute question, contactez {contact}."
)
ERASED = (
    "Vos réponses à ce questionnaire ont été effacées : plus rien n'y est enregistré. "
    "Pour toute question, contactez {contact}."
)
APOLOGY = "Désolé, un problème technique est survenu. Vous pouvez réessayer dans un instant."
# Said only when nothing was stored: the candidate sends the same words again.
NOT_STORED = "Votre message n'a pas pu être enregistré. Renvoyez-le dans un instant."
CHOICE_NOT_STORED = "Votre choix n'a pas pu être enregistré. Choisissez à nouveau dans un instant."
STALE = (
    "Vos réponses ont avancé dans une autre fenêtre : ce message n'a pas été enregistré. "
    "Voici où vous en êtes."
)
TOO_LONG = (
    "Votre message est trop long ({limit} caractères au plus) : il n'a pas été enregistré. "
    "Raccourcissez-le ou envoyez-le en plusieurs fois."
)
(
    CONSENT,
    CONSENT_DETAILS,
    CONSENT_FIRST,
    DECLINED,
    ACCEPTED,
    WELCOME_BACK,
    ALREADY_COMPLETED,
    ERASED,
    APOLOGY,
    NOT_STORED,
    CHOICE_NOT_STORED,
    STALE,
    TOO_LONG,
) = map(
    french_spacing,
    (
        CONSENT,
        CONSENT_DETAILS,
        CONSENT_FIRST,
        DECLINED,
        ACCEPTED,
        WELCOME_BACK,
        ALREADY_COMPLETED,
        ERASED,
        APOLOGY,
        NOT_STORED,
        CHOICE_NOT_STORED,
        STALE,
        TOO_LONG,
    ),
)

YOU = "Vous"


def retention(days: int) -> str:
    """'1 an', '2 ans', '90 jours'."""
    if days % 365 == 0:
        years = days // 365
        return f"{years} an" if years == 1 else f"{years} ans"
    return f"{days} jours"
