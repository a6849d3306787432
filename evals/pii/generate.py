"""Seeded generator of French candidate messages with planted personal data.

Values come from Faker fr_FR plus a few lists of our own (first names common among young job
seekers in France, which Faker's traditional list lacks); templates imitate chat: lowercase,
missing accents, typos, several items per message. About a third of the messages carry no
personal data but are full of job, diploma and place words, to measure precision.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field

from faker import Faker

from pii.policy import fold

EXTRA_FIRST_NAMES = [
    "Fatima",
    "Mohamed",
    "Yasmine",
    "Mamadou",
    "Aïcha",
    "Karim",
    "Inès",
    "Rayan",
    "Kevin",
    "Jordan",
    "Dylan",
    "Enzo",
    "Nadia",
    "Samir",
    "Moussa",
    "Fatoumata",
    "Sofiane",
    "Bilal",
    "Kenza",
    "Yanis",
    "Mehdi",
    "Océane",
    "Lina",
    "Anaïs",
    "Nolan",
    "Théo",
    "Jessica",
    "Sabrina",
    "Amina",
    "Ibrahim",
    "Djamila",
    "Youssef",
    "Leïla",
    "Sandrine",
    "Mélissa",
    "Steven",
    "Brandon",
    "Cindy",
    "Samia",
    "Hakim",
    "Ousmane",
]
EXTRA_LAST_NAMES = [
    "Benali",
    "Diallo",
    "Traoré",
    "Nguyen",
    "Haddad",
    "Mansouri",
    "Kaya",
    "Yilmaz",
    "Boukhris",
    "Da",
    "Silva",
    "Ferreira",
    "Hamidi",
    "Cissé",
    "Keita",
    "Benaïssa",
    "Meyer",
    "Schmitt",
    "Muller",
    "Weber",
    "Klein",
    "Hoffmann",
    "Becker",
    "Wagner",
    "Schneider",
]

PLACES = [
    "Reims",
    "Metz",
    "Strasbourg",
    "Nancy",
    "Mulhouse",
    "Colmar",
    "Troyes",
    "Épinal",
    "Thionville",
    "Haguenau",
    "Charleville-Mézières",
    "Sedan",
    "Verdun",
    "Forbach",
    "Sarreguemines",
    "Lunéville",
    "Épernay",
    "Chaumont",
    "Saint-Dizier",
    "Toul",
]
DEPARTEMENTS = [
    "Moselle",
    "Bas-Rhin",
    "Haut-Rhin",
    "Marne",
    "Ardennes",
    "Vosges",
    "Meuse",
    "Aube",
    "Meurthe-et-Moselle",
]
JOBS = [
    "aide-soignant",
    "aide-soignante",
    "ASH",
    "AES",
    "auxiliaire de vie",
    "soudeur TIG",
    "soudeur MIG",
    "cariste",
    "préparateur de commandes",
    "conducteur de ligne",
    "agent d'entretien",
    "infirmière",
    "magasinier",
    "cuisinier",
    "vendeuse",
    "opérateur de production",
]
DIPLOMAS = [
    "CAP",
    "BEP",
    "bac pro",
    "BTS",
    "DNB",
    "DEAS",
    "DEAES",
    "CAP AEPE",
    "titre pro",
    "CACES 3",
    "CACES R489",
    "permis B",
    "SST",
    "BAFA",
    "brevet",
]
SITES = ["Ehpad", "hôpital", "clinique", "SSIAD", "usine", "entrepôt", "cantine", "crèche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre", "octobre"]

CUED_NAME = [
    "moi c'est {PERSON}",
    "je m'appelle {PERSON}",
    "bonjour je suis {PERSON}",
    "c {PERSON}",
    "Je m'appelle {PERSON}.",
    "mon nom : {PERSON}",
    "Madame {PERSON}",
    "{PERSON} ici",
    "cordialement {PERSON}",
    "jm'appelle {PERSON}",
    "Bonjour, {PERSON}",
    "mon prénom c'est {PERSON}",
    "Monsieur {PERSON}",
    "{PERSON}",
]
PII_CLAUSES = {
    "PHONE_NUMBER": [
        "mon numéro {X}",
        "tel {X}",
        "vous pouvez m'appeler au {X}",
        "mon portable: {X}",
        "{X}",
        "appelez moi au {X} svp",
    ],
    "FR_NIR": [
        "mon numéro de sécu {X}",
        "numero securite sociale {X}",
        "ma carte vitale {X}",
        "nir {X}",
        "{X}",
    ],
    "EMAIL_ADDRESS": ["mon mail {X}", "email : {X}", "{X}", "écrivez moi sur {X}"],
    "IBAN_CODE": ["mon iban {X}", "rib : {X}", "pour le virement {X}"],
    "CREDIT_CARD": ["ma carte bancaire {X}", "cb {X}", "numéro de carte {X}"],
    "FR_FRANCE_TRAVAIL_ID": [
        "mon identifiant france travail {X}",
        "id pole emploi {X}",
        "mon identifiant c'est {X}",
        "numéro demandeur d'emploi {X}",
        "inscrite sous le {X} à france travail",
    ],
    "FR_ADDRESS": [
        "j'habite {X}",
        "mon adresse : {X}",
        "je vis au {X}",
        "domicile {X}",
        "adresse {X}",
    ],
    "FR_BIRTH_DATE": [
        "née le {X}",
        "je suis né le {X}",
        "date de naissance : {X}",
        "ma date de naissance c'est le {X}",
        "né(e) le {X}",
    ],
    "FR_ID_DOCUMENT": [
        "mon passeport {X}",
        "numéro de carte d'identité {X}",
        "ma CNI {X}",
        "pièce d'identité n° {X}",
        "titre de séjour {X}",
    ],
}
NO_PII_CLAUSES = [
    "j'ai {AGE} ans",
    "je suis dispo dès le {DAY} {MONTH}",
    "j'habite à {PLACE} en {DEPT}",
    "je peux aller jusqu'à {PLACE}",
    "je voudrais devenir {JOB}",
    "j'ai le {DIPLOMA}",
    "j'ai travaillé {N} ans en {SITE} comme {JOB}",
    "j'ai fait un stage de {N} semaines à {PLACE}",
    "je suis {JOB} depuis {N} mois",
    "j'ai pas le {DIPLOMA} mais j'ai le {DIPLOMA2}",
    "je n'ai pas de voiture mais il y a le bus pour {PLACE}",
    "dispo à partir du {DAY}/0{N}",
    "je cherche une formation d'{JOB} vers {PLACE} ou {PLACE2}",
    "c'est bon pour moi",
    "je suis motivée",
    "c'est clair",
    "je suis sérieux et ponctuel",
    "Je travaille à {PLACE}",
    "Le {DIPLOMA} je l'ai eu en 20{N}{N}",
    "merci beaucoup",
    "je suis en {DEPT}",
    "J'ai le permis B et une voiture",
    "mon CV est à jour",
    "Reims ou Metz ça me va",
]


@dataclass
class Message:
    text: str
    entities: list[tuple[str, int, int]] = field(default_factory=list)  # (type, start, end)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _group(rng: random.Random, digits: str, sizes: list[int]) -> str:
    sep = rng.choice([" ", " ", "", ".", "-"])
    parts, i = [], 0
    for size in sizes:
        parts.append(digits[i : i + size])
        i += size
    return sep.join(p for p in parts if p)


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)

    def value(self, entity_type: str) -> str:
        return getattr(self, "_" + entity_type.lower())()

    def _person(self) -> str:
        rng, fake = self.rng, self.fake
        first = rng.choice([fake.first_name(), rng.choice(EXTRA_FIRST_NAMES)])
        last = rng.choice([fake.last_name(), rng.choice(EXTRA_LAST_NAMES)])
        return rng.choice([first, f"{first} {last}", f"{first} {last}", f"{last} {first}".upper()])

    def _phone_number(self) -> str:
        rng = self.rng
        digits = "0" + rng.choice("1234567") + _digits(rng, 8)
        if rng.random() < 0.25:
            return self.fake.phone_number()
        if rng.random() < 0.2:
            return "+33 " + _group(rng, digits[1:], [1, 2, 2, 2, 2])
        return _group(rng, digits, [2, 2, 2, 2, 2])

    def _fr_nir(self) -> str:
        nir = self.fake.ssn()
        return self.rng.choice([nir, _group(self.rng, nir, [1, 2, 2, 2, 3, 3, 2])])

    def _email_address(self) -> str:
        if self.rng.random() < 0.5:
            return self.fake.free_email()
        name = fold(self._person()).replace(" ", ".")
        return f"{name}{self.rng.randint(1, 99)}@{self.rng.choice(['gmail.com', 'hotmail.fr', 'orange.fr'])}"

    def _iban_code(self) -> str:
        iban = self.fake.iban()
        return (
            " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
            if self.rng.random() < 0.6
            else iban
        )

    def _credit_card(self) -> str:
        card = self.fake.credit_card_number(card_type=self.rng.choice(["visa16", "mastercard"]))
        return _group(self.rng, card, [4, 4, 4, 4])

    def _fr_france_travail_id(self) -> str:
        rng = self.rng
        return rng.choice(
            [
                _digits(rng, 7) + rng.choice(string.ascii_uppercase),
                _digits(rng, 8),
                _digits(rng, 7) + rng.choice(string.ascii_uppercase) + _digits(rng, 3),
            ]
        )

    def _fr_address(self) -> str:
        rng, fake = self.rng, self.fake
        street = rng.choice(
            [
                fake.street_address(),
                f"{rng.randint(1, 120)} {rng.choice(['bis ', 'ter ', ''])}"
                f"{rng.choice(['impasse', 'allée', 'chemin', 'place', 'route', 'rue', 'avenue'])} "
                f"{rng.choice(['des', 'de la', 'du', ''])} {fake.last_name()}".replace("  ", " "),
            ]
        )
        if rng.random() < 0.4:
            street += f" {fake.postcode()}"
        return street.lower() if rng.random() < 0.3 else street

    def _fr_birth_date(self) -> str:
        d = self.fake.date_of_birth(minimum_age=18, maximum_age=60)
        return self.rng.choice(
            [
                d.strftime("%d/%m/%Y"),
                f"{d.day} {MONTHS[d.month % 9]} {d.year}",
                d.strftime("%d-%m-%Y"),
                d.strftime("%d.%m.%y"),
            ]
        )

    def _fr_id_document(self) -> str:
        rng = self.rng
        letters = string.ascii_uppercase
        return rng.choice(
            [
                _digits(rng, 2) + rng.choice(letters) + rng.choice(letters) + _digits(rng, 5),
                _digits(rng, 12),
                rng.choice(letters)
                + _digits(rng, 2)
                + "".join(rng.choice(letters + string.digits) for _ in range(6)),
            ]
        )

    def no_pii_clause(self) -> str:
        rng = self.rng
        clause = rng.choice(NO_PII_CLAUSES)
        fills = {
            "AGE": str(rng.randint(18, 58)),
            "DAY": str(rng.randint(1, 28)),
            "MONTH": rng.choice(MONTHS),
            "PLACE": rng.choice(PLACES),
            "PLACE2": rng.choice(PLACES),
            "DEPT": rng.choice(DEPARTEMENTS),
            "JOB": rng.choice(JOBS),
            "DIPLOMA": rng.choice(DIPLOMAS),
            "DIPLOMA2": rng.choice(DIPLOMAS),
            "N": str(rng.randint(1, 9)),
            "SITE": rng.choice(SITES),
        }
        for key, val in fills.items():
            clause = clause.replace("{" + key + "}", val)
        return clause

    def message(self, with_pii: bool) -> Message:
        rng = self.rng
        parts: list[tuple[str, str | None]] = []  # (text, entity type of the text or None)
        if with_pii:
            kinds = rng.sample(list(PII_CLAUSES) + ["PERSON"] * 3, k=rng.choice([1, 1, 2, 3]))
            for kind in dict.fromkeys(kinds):
                template = rng.choice(CUED_NAME if kind == "PERSON" else PII_CLAUSES[kind])
                before, _, after = template.replace("{PERSON}", "{X}").partition("{X}")
                parts += [(before, None), (self.value(kind), kind), (after, None)]
                parts.append((rng.choice([", ", ". ", " ", " et ", "\n"]), None))
        for _ in range(rng.choice([0, 1, 2] if with_pii else [1, 2, 3])):
            parts.append((self.no_pii_clause(), None))
            parts.append((rng.choice([", ", ". ", " ", " et "]), None))
        rng.shuffle(chunks := _chunks(parts))
        return self._render([p for chunk in chunks for p in chunk])

    def _render(self, parts: list[tuple[str, str | None]]) -> Message:
        rng = self.rng
        lower, typos = rng.random() < 0.35, rng.random() < 0.3
        text, entities = "", []
        for piece, kind in parts:
            if lower:
                piece = piece.lower()
            if kind is None and typos:
                piece = _typo(rng, piece)
            if kind:
                entities.append((kind, len(text), len(text) + len(piece)))
            text += piece
        stripped = text.lstrip(" ,.\n")
        shift = len(text) - len(stripped)
        stripped = re.sub(r"(?:[ ,.\n]|\bet\b)+$", "", stripped)
        return Message(stripped, [(k, s - shift, e - shift) for k, s, e in entities])


def _chunks(parts):
    """Keep each clause with its own separator when shuffling clause order."""
    chunks, current = [], []
    for part in parts:
        current.append(part)
        if part[1] is None and part[0] in {", ", ". ", " ", " et ", "\n"}:
            chunks.append(current)
            current = []
    return chunks + ([current] if current else [])


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) > 4 and w.isalpha():
        j = rng.randrange(1, len(w) - 1)
        words[i] = (
            w[:j] + w[j + 1 :] if rng.random() < 0.5 else w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        )
    return " ".join(words).replace("é", "e") if rng.random() < 0.5 else " ".join(words)


def generate(n: int = 2400, seed: int = 4, pii_share: float = 0.65) -> list[Message]:
    gen = Generator(seed)
    messages = []
    for _ in range(n):
        msg = gen.message(with_pii=gen.rng.random() < pii_share)
        messages.append(msg)
    return messages
