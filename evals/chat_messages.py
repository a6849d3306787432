"""Generated candidate chat messages that hold no personal data: the over-scrubbing set.

`no_pii_messages(n, seed)` returns `n` distinct messages such as a candidate types in a
pre-screening chat for a vocational training (health, social care, industry, logistics,
transport): ages, durations, distances, dates, towns of the Grand Est, job titles, diplomas,
yes and no with their nuances, questions about pay and hours, greetings, thanks, hesitations.
None of them holds a first name, a surname, a phone number, an e-mail, a street address or an
identifier, so a pseudonymiser must leave every one of them without a placeholder.

They come in three registers, mixed: standard French; SMS French (`evals.sms.sms`, at a
strength drawn per message); and French as written by people still learning it (missing
articles and elisions, "moi avoir permis", "je suis travaillé 3 ans", "je suis 30 ans"). A few
are typed in capitals or end with an emoji. The words are ours, plus the vocabulary of every
rubric in `rubrics/` (criterion labels and questions, answer options and their synonyms,
scale levels, FAQ questions): every one of those phrases appears in at least one message.

Places, organisations and diploma names are not personal data (the screening needs them) and
appear on purpose; numbers never have more than four digits in a row. The hesitation "ben" is
never capitalised: "Ben" opening a message may be a first name.

Run ``python -m evals.chat_messages [N] [SEED]`` to print them, one per line.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

from evals.sms import sms

RUBRICS_DIR = Path(__file__).resolve().parent.parent / "rubrics"

TOWNS = [
    "Strasbourg", "Reims", "Metz", "Mulhouse", "Nancy", "Colmar", "Troyes",
    "Charleville-Mézières", "Châlons-en-Champagne", "Haguenau", "Thionville", "Épinal",
    "Schiltigheim", "Vandœuvre-lès-Nancy", "Illkirch-Graffenstaden", "Saint-Dizier", "Chaumont",
    "Saint-Louis", "Épernay", "Forbach", "Montigny-lès-Metz", "Sarreguemines", "Lunéville",
    "Sélestat", "Saint-Dié-des-Vosges", "Yutz", "Hayange", "Verdun", "Bar-le-Duc", "Sedan",
    "Saint-Avold", "Vitry-le-François", "Toul", "Guebwiller", "Saverne", "Pont-à-Mousson",
    "Creutzwald", "Remiremont", "Langres", "Wittenheim", "Woippy", "Tinqueux", "Rixheim",
    "Florange", "Sarrebourg", "Obernai", "Molsheim", "Rethel", "Romilly-sur-Seine", "Bitche",
    "Gérardmer", "Neufchâteau", "Commercy", "Givet", "Fameck", "Hagondange", "Ban-Saint-Martin",
]  # fmt: skip
AREAS = [
    "la Moselle", "la Meurthe-et-Moselle", "le Bas-Rhin", "le Haut-Rhin", "la Marne", "l'Aube",
    "les Ardennes", "les Vosges", "la Meuse", "la Haute-Marne", "l'Alsace", "la Lorraine",
    "la Champagne", "le Grand Est", "le 57", "le 54", "le 67", "le 68", "le 51", "le 10",
]  # fmt: skip
COUNTRIES = [
    "en Algérie", "au Maroc", "en Tunisie", "au Portugal", "en Roumanie", "en Pologne",
    "en Turquie", "en Syrie", "en Afghanistan", "en Ukraine", "au Sénégal", "au Mali",
    "en Côte d'Ivoire", "en Guinée", "au Congo", "au Cameroun", "au Soudan", "en Érythrée",
    "en Albanie", "en Géorgie", "en Italie", "en Espagne", "au Kosovo", "en Irak",
]  # fmt: skip
AGENCIES = [
    "France Travail", "Pôle emploi", "la mission locale", "Cap emploi", "l'agence d'intérim",
]  # fmt: skip
# With their preposition: "au Greta", "aux Restos du cœur", "chez Lidl".
SCHOOLS = ["à l'Afpa", "au Greta", "à l'IFAS", "à l'IRTS", "au lycée pro", "à l'auto-école"]
CHARITIES = ["à la Croix-Rouge", "aux Restos du cœur", "au Secours populaire", "chez Emmaüs"]
EMPLOYERS = [
    "chez Amazon", "chez Stellantis", "à la SNCF", "à La Poste", "chez Lidl", "chez Carrefour",
    "au CHU",
]  # fmt: skip
WORKPLACES = [
    "en Ehpad", "à l'hôpital", "en clinique", "en maison de retraite", "dans un foyer",
    "en IME", "en MAS", "à la crèche", "à la cantine", "dans une école", "à l'usine",
    "en entrepôt", "sur un chantier", "au supermarché", "dans un restaurant", "dans un hôtel",
    "dans un garage", "en intérim", "dans une boulangerie", "en logistique", "au service de nuit",
    "à domicile", "dans une association", "sur une ligne de production", "au quai de chargement",
]  # fmt: skip
JOBS = [
    "aide-soignant", "aide-soignante", "ASH", "agent de service hospitalier", "auxiliaire de vie",
    "aide à domicile", "AES", "AMP", "AESH", "ATSEM", "assistante maternelle", "agent d'entretien",
    "femme de ménage", "agent de nettoyage", "cariste", "préparateur de commandes",
    "préparatrice de commandes", "magasinier", "manutentionnaire", "chauffeur-livreur",
    "chauffeur poids lourd", "conducteur de bus", "conductrice de bus", "soudeur", "soudeuse",
    "chaudronnier", "opérateur de production", "opératrice de production", "conducteur de ligne",
    "mécanicien", "électricien", "maçon", "peintre en bâtiment", "plaquiste", "caissière",
    "vendeuse", "employé libre-service", "serveur", "serveuse", "cuisinier", "commis de cuisine",
    "plongeur", "agent de sécurité", "animateur", "animatrice", "jardinier", "paysagiste",
    "intérimaire", "ouvrier agricole", "vendangeur", "monteur", "emballeur", "livreur",
]  # fmt: skip
DIPLOMAS = [
    "le brevet", "un CAP", "un BEP", "le bac", "un bac pro", "un BTS", "un DUT", "une licence",
    "le CAP petite enfance", "le CAP AEPE", "un bac pro ASSP", "un bac pro SAPAT", "le bac ES",
    "un CAP cuisine", "un CAP maçon", "un BEP carrosserie", "un bac pro logistique",
    "le CACES 1, 3 et 5", "le CACES R489", "le permis C", "le permis CE", "la FIMO", "le SST",
    "le BAFA", "le DELF A2", "le DELF B1", "un titre pro", "le diplôme d'assistante de vie",
    "un CAP chaudronnerie", "un bac STMG", "le certificat de formation générale",
    "un diplôme de mon pays", "un bac scientifique",
]  # fmt: skip
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
TRANSPORTS = [
    "en voiture", "en bus", "en tram", "en train", "en TER", "à pied", "à vélo", "en scooter",
    "en covoiturage", "avec le Mettis", "en moto", "en trottinette", "avec la navette",
]  # fmt: skip
HESITATIONS = ["euh", "euh…", "ben", "bah", "hmm", "heu", "bon", "alors", "euhh", "ah", "bof"]
GREETINGS = [
    "bonjour", "bonjour", "bonsoir", "salut", "bonjour madame", "bonjour monsieur",
    "bonjour à vous", "coucou", "bonjour, je suis là", "bonjour, désolé pour le retard",
]  # fmt: skip
THANKS = [
    "merci", "merci beaucoup", "merci pour les infos", "merci bien", "d'accord merci",
    "super merci", "merci, bonne journée", "merci à vous, bonne soirée", "ok merci beaucoup",
    "merci pour votre aide", "merci, à bientôt", "merci, au revoir", "top merci",
    "c'est gentil merci", "merci pour tout, bonne journée",
]  # fmt: skip
YES_NO = [
    "oui", "oui.", "oui bien sûr", "oui sans problème", "oui pas de souci", "oui, aucun problème",
    "oui je peux", "oui c'est possible", "oui ça me va", "ouais", "ouais ça va", "carrément",
    "bien sûr", "tout à fait", "absolument", "oui oui", "je pense que oui", "je crois que oui",
    "plutôt oui", "normalement oui", "en principe oui", "oui, ça devrait aller", "ok",
    "ok pour moi", "d'accord", "pas de problème", "ça marche", "oui mais pas le dimanche",
    "oui sauf le mercredi", "oui mais pas la nuit", "oui si c'est pas trop loin",
    "oui, sauf pendant les vacances scolaires", "oui mais il faut que je m'organise",
    "ça dépend des jours", "ça dépend", "peut-être", "je sais pas trop", "je ne sais pas",
    "pas sûr", "je ne suis pas sûre", "à voir", "pourquoi pas", "non", "non.", "non merci",
    "non pas du tout", "non désolé", "pas vraiment", "plutôt non", "je ne pense pas",
    "je crois pas", "non, pas pour l'instant", "non jamais", "pas encore", "non, impossible",
    "malheureusement non", "non, ce n'est pas possible pour moi", "bof", "un peu", "moyen",
]  # fmt: skip
QUESTIONS = [
    "c'est payé pendant la formation ?", "on est payé pendant la formation ?",
    "c'est combien le salaire après ?", "c'est quoi le salaire ?", "on gagne combien par mois ?",
    "est-ce que je garde mon chômage ?", "je garde mes allocations pendant la formation ?",
    "c'est gratuit ?", "qui paye la formation ?", "il y a une rémunération ?",
    "les horaires c'est quoi ?", "c'est quoi les horaires", "on commence à quelle heure le matin ?",
    "on finit à quelle heure ?", "il y a des cours le samedi ?", "c'est du lundi au vendredi ?",
    "combien d'heures par semaine ?", "la formation dure combien de temps ?",
    "c'est quand la rentrée ?", "il reste des places ?", "les stages sont où ?",
    "on peut faire le stage près de chez moi ?", "il faut le permis ?",
    "il y a une cantine sur place ?", "on peut venir en bus ?", "il y a un parking ?",
    "c'est à temps plein obligatoirement ?", "on peut faire à temps partiel ?",
    "il y a des vacances pendant la formation ?", "on a un diplôme à la fin ?",
    "il y a du travail après ?", "on trouve facilement un emploi après ?",
    "c'est dur physiquement ?", "il faut savoir utiliser un ordinateur ?",
    "il y a un examen pour entrer ?", "l'entretien c'est quand ?",
    "je dois apporter quoi pour le dossier ?", "les frais de trajet sont remboursés ?",
    "on peut être logé ?", "c'est où exactement le centre ?", "c'est en alternance ?",
    "vous pouvez répéter la question ?", "je n'ai pas compris la question",
    "ça veut dire quoi 2x8 ?", "c'est quoi un CACES ?", "c'est quoi la différence avec ASH ?",
    "je peux parler à un conseiller ?", "je voudrais parler à quelqu'un",
    "c'est vous qui décidez ?", "vous êtes un robot ?", "c'est une vraie personne ?",
    "je peux revenir plus tard ?", "je peux répondre demain ?", "c'est long encore ?",
]  # fmt: skip
MOTIVATIONS = [
    "j'aime aider les gens", "j'aime bien aider les autres", "je veux être utile",
    "j'aime le contact humain", "je veux un métier qui a du sens",
    "j'ai toujours voulu travailler dans le soin", "prendre soin des personnes âgées",
    "j'ai vu le travail des aides-soignantes quand ma grand-mère était malade",
    "je m'occupe de ma mère depuis deux ans et ça m'a donné envie",
    "il y a du travail dans ce secteur", "je cherche un métier stable",
    "je veux un CDI", "pour trouver du travail", "on m'a conseillé cette formation",
    "j'aime travailler de mes mains", "j'aime bricoler", "j'aime le métal et la mécanique",
    "j'aime quand c'est carré et organisé", "je veux changer de métier",
    "j'en ai marre de l'intérim", "je veux évoluer", "ça paye bien l'industrie",
    "travailler en équipe me plaît", "j'aime conduire", "j'aime la logistique",
    "mon père était soudeur", "j'ai fait un stage et ça m'a plu",
    "je veux aider les personnes handicapées", "j'aime les enfants et les personnes fragiles",
    "je sais pas trop, on verra", "pourquoi pas", "pour le salaire surtout",
]  # fmt: skip
DAY_TASKS = [
    "la toilette, les repas, aider à se lever", "faire les toilettes le matin",
    "aider les personnes à manger", "faire les transmissions à l'infirmière",
    "refaire les lits et ranger les chambres", "surveiller les patients",
    "accompagner aux rendez-vous", "faire les courses et le ménage",
    "surveiller la machine et contrôler les pièces", "remplir les fiches de production",
    "changer les bobines et nettoyer la ligne", "souder des pièces, lire les plans",
    "meuler, poncer, assembler", "préparer les commandes avec le scanner",
    "charger les camions avec le chariot", "ranger les palettes", "livrer les colis",
    "conduire le bus sur la ligne", "vérifier le véhicule avant de partir",
    "travailler debout toute la journée", "faire attention à la sécurité",
    "porter les équipements de protection", "travailler en équipe avec les collègues",
]  # fmt: skip
SITUATIONS = [
    "je reste calme et je parle doucement", "je lui demande pourquoi", "je ne force pas",
    "je préviens l'équipe", "je reviens plus tard", "j'arrête la machine",
    "je préviens le chef d'équipe", "je mets mes gants avant, c'est la sécurité",
    "je refuse de travailler sans protection", "je demande de l'aide", "je note dans le cahier",
    "j'appelle le responsable", "je signale le problème", "je continue et je vois après",
    "je sais pas ce que je ferais",
]  # fmt: skip
ORGANISATION = [
    "ma mère garde les enfants", "j'ai une solution de garde", "mon mari m'emmène",
    "je prends le bus tous les matins", "j'ai prévu le covoiturage", "je me lève tôt, ça va",
    "je révise le soir", "j'ai tout organisé", "je vais m'organiser", "on verra",
    "pas encore réfléchi", "j'ai la voiture, et le bus si elle tombe en panne",
    "mes enfants sont grands", "la crèche est à côté", "je n'ai pas d'enfants, je suis libre",
    "mon voisin travaille là-bas, il peut m'emmener",
]  # fmt: skip
FRENCH_LEVELS = [
    "courant", "langue maternelle", "je me débrouille", "je parle bien, j'écris moins bien",
    "débutant", "je comprends tout mais j'écris avec des fautes", "niveau B1", "A2 je crois",
    "je lis bien", "le français c'est ma langue", "je parle français depuis petit",
    "un peu difficile à l'écrit", "bien à l'oral, moyen à l'écrit",
]  # fmt: skip
SHIFTS = [
    "2x8 ok", "pas de nuit", "les 3x8 ça me va", "la nuit c'est possible", "que la journée",
    "le week-end ça va", "sauf le dimanche", "de jour seulement", "matin ou après-midi",
    "équipe du matin de préférence", "je peux faire les week-ends", "pas le samedi",
    "tous les horaires", "les horaires décalés ça ne me dérange pas",
]  # fmt: skip
SMALL_TALK = [
    "désolé je suis au travail, je réponds vite", "je réponds ce soir", "attendez 2 minutes",
    "je reviens", "j'ai plus de batterie", "c'est bon je suis là", "pardon j'étais occupé",
    "il fait froid aujourd'hui", "j'ai mal compris", "je recommence", "oups faute de frappe",
    "ah d'accord je comprends mieux", "ok je vois", "c'est clair", "super", "parfait",
    "génial", "c'est noté", "je vais y réfléchir", "trop bien",
]  # fmt: skip
EMOJIS = ["🙂", "👍", "🙏", "😊", "😅", "👌"]

# Non-native French: simplified grammar, missing articles, être/avoir, no elision.
LEARNER = [
    "moi avoir permis", "moi pas permis", "moi {age} ans", "je suis {age} ans",
    "je suis travaillé {years} ans {workplace}", "je travaillé {years} ans comme {job}",
    "moi travailler {workplace} avant", "je habite à {town} depuis {years} ans",
    "je suis venu en France il y a {years} ans", "je arrivé en France {year}",
    "je parle français un peu", "je comprends bien, écrire c'est difficile",
    "je peux faire la nuit pas problème", "je veux faire formation {job}",
    "je cherche travail", "moi pas voiture, je prends bus", "{minutes} minute avec bus",
    "je connais pas bien écrire", "je suis disponible tout de suite, pas travail maintenant",
    "diplôme dans mon pays, pas en France", "j'ai diplôme {country}",
    "je fais bénévolat dans association", "je aide ma mère, elle est malade",
    "moi aimer aider les gens", "je suis d'accord pour le examen",
    "oui je peux faire, pas problème", "je suis pas encore le permis",
    "je sais pas conduire", "je suis fatigué de usine", "beaucoup années je travaille {workplace}",
    "je veux apprendre métier", "c'est payé la formation ou pas ?",
    "combien argent pendant formation ?", "je comprends pas la question",
    "vous pouvez parler lentement ?", "je suis pas sûr comprendre",
    "avant dans mon pays je suis {job}", "ma femme elle garde les enfants",
    "mon mari il travaille la nuit", "je peux venir le matin seulement",
    "je suis libre {month}", "je fini mon contrat {month}", "pour moi c'est bon tout",
    "pas de diplôme, école finie {country}", "je lis français mais écrire un peu",
    "merci beaucoup madame", "très bien merci", "je suis content, merci",
]  # fmt: skip


def _pick(rng: random.Random, items: list[str]) -> str:
    return rng.choice(items)


def _minutes(rng: random.Random) -> str:
    m = rng.choice([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 75, 90])
    return (
        rng.choice([f"{m} minutes", f"{m} min", f"{m}min", f"{m} mn"])
        if m < 60
        else (rng.choice(["1h", "une heure", "1 h", "1h30", "une heure et demie", "1 h 15"]))
    )


def _date(rng: random.Random) -> str:
    month, day = rng.choice(MONTHS), rng.randint(1, 28)
    return rng.choice(
        [
            "tout de suite", f"dès {month}", f"à partir du {day} {month}", f"pas avant {month}",
            f"début {month}", f"fin {month}", f"mi-{month}", f"le {day}/{rng.randint(1, 12):02d}",
            f"en {month}", "quand vous voulez", f"dès {rng.choice(WEEKDAYS)}",
            f"après mon contrat qui finit en {month}", "la semaine prochaine",
            f"à la rentrée de {month}", f"le {day} {month} {rng.choice([2026, 2027])}",
            "dans deux semaines", "le mois prochain", "dès que possible",
        ]
    )  # fmt: skip


def _slots(rng: random.Random) -> dict[str, str]:
    return {
        "age": str(rng.randint(16, 62)),
        "years": str(rng.randint(2, 25)),
        "months": str(rng.randint(2, 11)),
        "weeks": str(rng.randint(2, 12)),
        "minutes": str(rng.choice([10, 15, 20, 25, 30, 40, 45])),
        "km": str(rng.choice([2, 5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100])),
        "hour": str(rng.randint(5, 10)),
        "end_hour": str(rng.randint(14, 22)),
        "pay": rng.choice(["1 200", "1 400", "1 500", "1 800", "1900", "2 000", "2100"]),
        "year": str(rng.randint(2005, 2025)),
        "town": _pick(rng, TOWNS),
        "town2": _pick(rng, TOWNS),
        "area": _pick(rng, AREAS),
        "country": _pick(rng, COUNTRIES),
        "agency": _pick(rng, AGENCIES),
        "school": _pick(rng, SCHOOLS),
        "charity": _pick(rng, CHARITIES),
        "employer": _pick(rng, EMPLOYERS),
        "workplace": _pick(rng, WORKPLACES),
        "job": _pick(rng, JOBS),
        "diploma": _pick(rng, DIPLOMAS),
        "month": _pick(rng, MONTHS),
        "weekday": _pick(rng, WEEKDAYS),
        "transport": _pick(rng, TRANSPORTS),
        "duration": _minutes(rng),
        "date": _date(rng),
        "yes_no": _pick(rng, YES_NO),
    }


# One clause a candidate types in answer to a screening question (or beside it).
CLAUSES = {
    "age": [
        "j'ai {age} ans",
        "{age} ans",
        "{age}",
        "j'aurai {age} ans en {month}",
        "je vais avoir {age} ans",
        "{age} ans depuis {month}",
        "j'ai {age} ans et demi",
    ],
    "commute": [
        "{duration} {transport}",
        "environ {duration}",
        "je mets {duration} depuis {town}",
        "{duration} de chez moi",
        "ça dépend, entre {minutes} et 45 minutes",
        "{duration} {transport} et 10 minutes à pied",
        "j'habite à {town}, {duration} {transport}",
        "je suis à {km} km",
        "c'est à {duration} {transport}",
    ],
    "distance": [
        "{km} km",
        "jusqu'à {km} km",
        "pas plus de {km} kilomètres",
        "{km} km max",
        "je peux aller jusqu'à {town}",
        "partout dans {area}",
        "{km}km environ",
        "tout {area} ça me va",
        "pas trop loin, {km} km",
    ],
    "availability": ["{date}", "je suis disponible {date}", "dispo {date}", "libre {date}"],
    "diploma": [
        "{diploma}",
        "j'ai {diploma}",
        "{diploma} obtenu en {year}",
        "pas de diplôme",
        "aucun diplôme",
        "j'ai arrêté en 3e",
        "j'ai {diploma} mais pas le bac",
        "{diploma}, en {year}",
        "je passe {diploma} en {month}",
    ],
    "experience": [
        "j'ai travaillé {years} ans comme {job}",
        "je suis {job} depuis {years} ans",
        "{job} en intérim pendant {months} mois",
        "stage de {weeks} semaines {workplace}",
        "{years} ans {workplace}",
        "j'ai fait {job} à {town}",
        "j'ai été {job} {workplace}",
        "jamais travaillé {workplace}",
        "un peu d'expérience {workplace}",
        "des remplacements {workplace} l'été",
        "je travaille {employer}",
        "j'étais {job} avant, {workplace}",
        "bénévole {charity} depuis {years} ans",
        "{job} pendant {months} mois",
        "formation {school} en {year}",
    ],
    "motivation": ["{motivation}", "parce que {motivation}", "surtout {motivation}"],
    "knowledge": ["{task}", "je pense {task}", "il faut {task}"],
    "situation": ["{situation}", "bah {situation}", "{situation} je pense"],
    "organisation": ["{organisation_plan}", "{organisation_plan}, pas de souci"],
    "french": ["{french}", "{french} je pense", "mon français : {french}"],
    "shifts": ["{shift}", "{yes_no}, {shift}"],
    "yes_no": ["{yes_no}"],
    "question": ["{question}"],
    "pay": [
        "c'est {pay} euros par mois ?",
        "on m'a dit {pay} € net, c'est vrai ?",
        "je touche {pay} euros de chômage",
        "il me faut au moins {pay} euros",
        "les horaires c'est de {hour}h à {end_hour}h ?",
        "on fait {hour}h-{end_hour}h ?",
        "35 heures par semaine ça va",
        "39h c'est possible aussi",
    ],
    "place": [
        "j'habite à {town}",
        "je suis de {town}",
        "j'habite vers {town}",
        "j'habite dans {area}",
        "je viens de {town}",
        "je vis entre {town} et {town2}",
        "je suis né {country}",
        "je viens {country}",
        "j'ai grandi {country}",
        "je connais bien {town}",
        "c'est loin de {town} ?",
        "j'habite à côté de {town}",
    ],
    "agency": [
        "c'est {agency} qui m'envoie",
        "je suis inscrit à {agency}",
        "ma conseillère de {agency} m'a parlé de la formation",
        "j'ai vu l'annonce chez {agency}",
        "j'ai un rendez-vous à {agency} {weekday}",
    ],
    "small_talk": ["{small_talk}"],
    "greeting": ["{greeting}", "{greeting}, je suis prêt", "{greeting}, on commence ?"],
    "thanks": ["{thanks}", "{yes_no}, {thanks}"],
    "hesitation": [
        "{hesitation}",
        "{hesitation} je réfléchis",
        "{hesitation} attendez",
        "{hesitation}…",
    ],
}
FILLERS: dict[str, list[str]] = {
    "motivation": MOTIVATIONS,
    "task": DAY_TASKS,
    "situation": SITUATIONS,
    "organisation_plan": ORGANISATION,
    "french": FRENCH_LEVELS,
    "shift": SHIFTS,
    "question": QUESTIONS,
    "small_talk": SMALL_TALK,
    "greeting": GREETINGS,
    "thanks": THANKS,
    "hesitation": HESITATIONS,
}


def rubric_phrases(paths: Iterable[Path] | None = None) -> list[str]:
    """Labels, questions, options (labels, synonyms), scale levels and FAQ questions."""
    phrases: list[str] = []
    for path in sorted(paths if paths is not None else RUBRICS_DIR.glob("*.yaml")):
        rubric = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        phrases += [faq["question"] for faq in rubric.get("training", {}).get("faq", [])]
        for levels in (rubric.get("scales") or {}).values():
            phrases += [p for level in levels for p in (level["label"], *level.get("synonyms", []))]
        for criterion in rubric.get("criteria", []):
            phrases += [criterion["label"], " ".join(criterion["question"].split())]
            for option in (criterion.get("answer") or {}).get("options") or []:
                phrases += [option["label"], *option.get("synonyms", [])]
    return list(dict.fromkeys(p.strip() for p in phrases if p and p.strip()))


def _from_rubric(phrase: str, rng: random.Random) -> str:
    """A message that carries one rubric phrase as a candidate would type it."""
    lower = phrase[0].lower() + phrase[1:]
    if "?" in phrase:  # a question of the rubric: asked back, or answered
        return rng.choice(
            [phrase, f"pardon, {lower}", f"{phrase} {rng.choice(YES_NO)}", f"vous dites : {lower}"]
        )
    if len(phrase.split()) <= 4:  # an option, a synonym, a short label
        return rng.choice(
            [
                phrase, lower, f"{lower} je pense", f"{rng.choice(HESITATIONS)} {lower}",
                f"plutôt {lower}", f"{lower} pour moi", f"pour « {lower} » c'est bon",
                f"je reviens sur {lower} : {rng.choice(YES_NO)}", f"réponse : {lower}",
            ]
        )  # fmt: skip
    return rng.choice([f"{lower} : {rng.choice(YES_NO)}", f"pour {lower}, c'est bon", phrase])


OPENING_ONLY = {"greeting", "thanks", "hesitation"}


def _clause(rng: random.Random, second: bool = False) -> str:
    kind = rng.choice([k for k in CLAUSES if not (second and k in OPENING_ONLY)])
    template = rng.choice(CLAUSES[kind])
    values = _slots(rng) | {name: rng.choice(items) for name, items in FILLERS.items()}
    return template.format(**values)


def _learner_clause(rng: random.Random) -> str:
    return rng.choice(LEARNER).format(**_slots(rng))


def learner(text: str, rng: random.Random) -> str:
    """Common errors of people learning French: no elision, missing articles, être for avoir."""
    if rng.random() < 0.5:
        text = re.sub(r"\b([jldc])'(?=[aeiouyéèêh])", r"\1e ", text)  # "j'ai" → "je ai"
    if rng.random() < 0.5:
        text = re.sub(r"\b(?:le|la|les|un|une|des|du) (?=\w)", "", text)
    if rng.random() < 0.3:
        text = re.sub(r"\bj'ai (\d+) ans\b", r"je suis \1 ans", text)
    return text


def _message(rng: random.Random) -> str:
    register = rng.random()
    if register < 0.2:
        body = _learner_clause(rng)
        if rng.random() < 0.4:
            body = _join(body, learner(_clause(rng, second=True), rng), rng)
    else:
        body = _clause(rng)
        if rng.random() < 0.35:
            body = _join(body, _clause(rng, second=True), rng)
        if register < 0.3:
            body = learner(body, rng)
    if rng.random() < 0.12:
        body = f"{rng.choice(HESITATIONS)} {body}"
    if rng.random() < 0.08:
        body = f"{rng.choice(GREETINGS)} {body}"
    if rng.random() < 0.06:
        body = f"{body}. {rng.choice(THANKS)}"
    return _style(body, rng, sms_writer=0.3 <= register < 0.65)


def _join(first: str, second: str, rng: random.Random) -> str:
    if first.endswith(("?", "!", ".", "…")):
        return f"{first} {second}"
    return first + rng.choice([", ", ". ", " et ", " mais ", "… ", " "]) + second


def _style(body: str, rng: random.Random, sms_writer: bool) -> str:
    if sms_writer:
        return sms(body, rng, strength=rng.uniform(0.3, 1.0))
    if rng.random() < 0.5 and not body.startswith("ben "):  # "Ben" is also a first name
        body = body[0].upper() + body[1:]
    if rng.random() < 0.3 and not body.endswith(("?", "!", ".", "…")):
        body += rng.choice([".", "!", " !"])
    if rng.random() < 0.03:
        body = body.upper()
    if rng.random() < 0.04:
        body += " " + rng.choice(EMOJIS)
    return body


def no_pii_messages(
    n: int = 2000, seed: int = 7, rubrics: Iterable[Path] | None = None
) -> list[str]:
    """`n` distinct chat messages without personal data; the same for the same seed.

    Every rubric phrase (`rubric_phrases`) comes first, in two messages of its own: one as
    written, one in SMS or learner French; the rest are drawn from the templates above.
    """
    rng = random.Random(seed)
    messages: dict[str, None] = {}
    for phrase in rubric_phrases(rubrics):
        messages[_from_rubric(phrase, rng)] = None
        rewrite = rng.choice([learner, lambda t, r: sms(t, r, r.uniform(0.3, 1.0))])
        messages[rewrite(_from_rubric(phrase, rng), rng)] = None
    for _ in range(50 * n):
        if len(messages) >= n:
            break
        messages[_message(rng)] = None
    if len(messages) < n:
        raise ValueError(f"only {len(messages)} distinct messages could be generated")
    return list(messages)[:n]


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print("\n".join(no_pii_messages(*args)))
