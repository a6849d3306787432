"""Table-driven tests of the offline French answer parsers."""

import datetime as dt

import pytest

from chatbot.rubric import Option, ScaleLevel
from chatbot.scales import BUILTIN_SCALES
from chatbot.understanding.parsers import (
    Parsed,
    is_dont_know,
    parse_choice,
    parse_date,
    parse_duration,
    parse_level,
    parse_number,
    parse_yes_no,
)
from chatbot.understanding.signals import consent_in_words

NOW = dt.date(2026, 5, 12)  # a Tuesday


def assert_quotes(text: str, parsed: Parsed) -> None:
    assert parsed.evidence, "evidence must not be empty"
    assert text[parsed.start : parsed.end] == parsed.evidence
    assert 0 <= parsed.confidence <= 1


# --- yes / no -----------------------------------------------------------------------------------

YES = [
    "oui",
    "Oui.",
    "OUI OUI",
    "ouais",
    "ouai",
    "bien sûr",
    "bien sur",
    "absolument",
    "évidemment",
    "ok",
    "OK !",
    "d'accord",
    "d’accord",
    "pas de souci",
    "pas de soucis",
    "aucun problème",
    "yes",
    "je l'ai",
    "j'ai le permis",
    "oui j'ai le permis B depuis 2015",
    "ça ne me dérange pas",
    "ca me derange pas",
    "ce n'est pas un problème",
    "tout à fait",
    "oui bien sûr",
    "carrément",
    "👍",
    "Oui, je suis à jour de mes vaccins",
    "non mais en fait oui",
    "pas de pb",
    "c bon",
    "g le permis",
]
NO = [
    "non",
    "Non.",
    "nan",
    "NON",
    "absolument pas",
    "pas du tout",
    "jamais",
    "je n'ai pas le permis",
    "j'ai pas le permis",
    "jai pas le permis",
    "je n ai pas le permis",
    "plus maintenant",
    "je ne suis pas d'accord",
    "bien sûr que non",
    "non merci",
    "impossible pour moi",
    "non, je ne peux pas",
    "je peux pas",
    "je pense pas",
    "oui enfin non",
    "ça me dérange",
]


@pytest.mark.parametrize("text", YES)
def test_yes(text):
    parsed = parse_yes_no(text)
    assert parsed is not None and parsed.value is True, parsed
    assert_quotes(text, parsed)


@pytest.mark.parametrize("text", NO)
def test_no(text):
    parsed = parse_yes_no(text)
    assert parsed is not None and parsed.value is False, parsed
    assert_quotes(text, parsed)


@pytest.mark.parametrize(
    "text, note",
    [
        ("pas encore", "pas encore"),
        ("non pas encore", "pas encore"),
        ("en cours", "en cours"),
        ("je le passe en juin", "en cours"),
        ("je suis en train de le passer", "en cours"),
        ("je ne l'ai plus", "plus maintenant"),
    ],
)
def test_pending_is_no_with_note(text, note):
    parsed = parse_yes_no(text)
    assert parsed is not None and parsed.value is False
    assert parsed.note == note
    assert parsed.confidence < 1
    assert_quotes(text, parsed)


@pytest.mark.parametrize(
    "text",
    [
        "je ne sais pas",
        "je sais pas",
        "peut-être",
        "peut etre",
        "bof",
        "ça dépend",
        "ca depend des jours",
        "aucune idée",
        "",
        "   ",
        "bonjour",
        "si je trouve une place",
        "quelle heure est-il",
    ],
)
def test_undecided(text):
    assert parse_yes_no(text) is None


def test_pourquoi_pas_is_a_weak_yes():
    parsed = parse_yes_no("pourquoi pas")
    assert parsed is not None and parsed.value is True
    assert parsed.confidence <= 0.6


def test_non_seulement_is_not_a_no():
    parsed = parse_yes_no("non seulement j'ai le permis mais aussi une voiture")
    assert parsed is not None and parsed.value is True


def test_contradiction_lowers_confidence():
    parsed = parse_yes_no("oui mais non")
    assert parsed is not None and parsed.confidence <= 0.6


def test_yes_with_a_restriction_is_nuanced():
    parsed = parse_yes_no("oui mais pas le week-end")
    assert parsed is not None and parsed.value is True
    assert parsed.note == "réponse nuancée" and parsed.confidence < 1


@pytest.mark.parametrize(
    "text, about, value",
    [
        ("j'ai 23 ans, le permis et une voiture", ["permis"], True),
        ("j'ai 23 ans, le permis et une voiture", ["voiture"], True),
        ("j'ai une voiture mais pas le permis", ["permis"], False),
        ("j'ai une voiture mais pas le permis", ["voiture"], True),
        ("pas de voiture mais le permis", ["permis"], True),
        ("je n'ai pas de voiture mais j'ai le permis", ["permis"], True),
        ("je n'ai pas de voiture mais j'ai le permis", ["voiture"], False),
        ("je n'ai ni voiture ni permis", ["permis"], False),
        ("Permis B", ["permis"], True),
        ("le permis je l'ai pas encore", ["permis"], False),
        ("J'AI LE PERMIS", ["permis"], True),
    ],
)
def test_yes_no_about_keyword(text, about, value):
    parsed = parse_yes_no(text, about)
    assert parsed is not None and parsed.value is value, parsed
    assert_quotes(text, parsed)
    assert any(word in parsed.evidence.lower() for word in about)


def test_yes_no_about_absent_keyword():
    assert parse_yes_no("j'ai 23 ans", ["permis"]) is None
    assert parse_yes_no("oui", ["permis"]) is None
    assert parse_yes_no("le permis je sais pas", ["permis"]) is None


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("22", 22),
        ("vingt-deux ans", 22),
        ("vingt deux ans", 22),
        ("dix-sept", 17),
        ("j'ai 23 ans", 23),
        ("J AI 19ANS", 19),
        ("jai 45 ans", 45),
        ("45 ans et demi", 45.5),
        ("j'ai quarante-cinq ans", 45),
        ("j'ai 2 enfants et 34 ans", 34),
        ("34 ans, 2 enfants", 34),
        ("j’ai eu 30 ans en mars", 30),
        ("dix-huit ans révolus", 18),
        ("soixante et onze ans", 71),
    ],
)
def test_age(text, value):
    parsed = parse_number(text, unit="ans")
    assert parsed is not None and parsed.value == value, parsed
    assert_quotes(text, parsed)


def test_integral_numbers_are_int():
    parsed = parse_number("vingt-deux ans", unit="ans")
    assert parsed is not None and isinstance(parsed.value, int)


def test_bientot_keeps_a_note():
    parsed = parse_number("bientôt 18", unit="ans")
    assert parsed is not None and parsed.value == 18
    assert parsed.note == "bientôt" and parsed.confidence < 1
    assert parsed.evidence == "bientôt 18"


@pytest.mark.parametrize(
    "text",
    ["2 enfants", "j'ai un CAP", "en 3ème", "je sais pas", "", "bonjour", "deux voitures"],
)
def test_no_age(text):
    assert parse_number(text, unit="ans") is None


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("Une trentaine de kilomètres.", "km", 30),
        ("une dizaine", "km", 10),
        ("une quinzaine d'années", "ans", 15),
        ("6 mois en intérim, cette année", "ans", 0.5),  # asked in years, said in months
        ("18 mois", "ans", 1.5),
        ("2 ans", "mois", 24),
        ("1 h", "minutes", 60),
    ],
)
def test_round_numbers_and_other_units(text, unit, value):
    parsed = parse_number(text, unit=unit)
    assert parsed is not None and parsed.value == value, parsed
    assert_quotes(text, parsed)


def test_number_without_unit():
    parsed = parse_number("environ 15")
    assert parsed is not None and parsed.value == 15 and parsed.note == "environ"
    assert parse_number("rien") is None


# --- durations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("30 minutes", 30),
        ("30 min", 30),
        ("30mn", 30),
        ("1h30", 90),
        ("1H30", 90),
        ("1 h 15", 75),
        ("1h et 10 min", 70),
        ("une heure", 60),
        ("Une heure.", 60),
        ("une demi-heure", 30),
        ("une demi heure", 30),
        ("trois quarts d'heure", 45),
        ("3/4 d'heure", 45),
        ("un quart d'heure", 15),
        ("une heure et demie", 90),
        ("une heure et demi", 90),
        ("deux heures", 120),
        ("2h", 120),
        ("20 mn", 20),
        ("45'", 45),
        ("à peu près 40 minutes", 40),
        ("environ 25 min en bus", 25),
        ("5 minutes à pied", 5),
        ("vingt minutes en voiture", 20),
        ("1,5 h", 90),
    ],
)
def test_duration(text, minutes):
    parsed = parse_duration(text)
    assert parsed is not None and parsed.value == minutes, parsed
    assert_quotes(text, parsed)


def test_duration_nuances():
    small = parse_duration("une petite heure")
    assert small is not None and small.value == 60 and small.confidence < 1
    span = parse_duration("entre 20 et 30 minutes")
    assert span is not None and span.value == 30 and span.note == "entre 20 et 30"
    assert span.evidence == "entre 20 et 30 minutes"
    dash = parse_duration("20-30 min")
    assert dash is not None and dash.value == 30
    more = parse_duration("un peu plus d'une heure")
    assert more is not None and more.value == 60 and more.note


@pytest.mark.parametrize(
    "text", ["je sais pas", "pas loin", "à côté", "", "bus", "ça dépend", "je suis à 15 km"]
)
def test_no_duration(text):
    assert parse_duration(text) is None


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, date",
    [
        ("tout de suite", NOW),
        ("Tout de suite !", NOW),
        ("dès maintenant", NOW),
        ("des maintenant", NOW),
        ("immédiatement", NOW),
        ("dès que possible", NOW),
        ("maintenant", NOW),
        ("quand vous voulez", NOW),
        ("je suis disponible", NOW),
        ("demain", dt.date(2026, 5, 13)),
        ("dès le 3 mars", dt.date(2027, 3, 3)),
        ("le 3/03", dt.date(2027, 3, 3)),
        ("le 15/06", dt.date(2026, 6, 15)),
        ("15/06/2026", dt.date(2026, 6, 15)),
        ("3 mars 2027", dt.date(2027, 3, 3)),
        ("le premier juin", dt.date(2026, 6, 1)),
        ("à partir du 15 juin", dt.date(2026, 6, 15)),
        ("en septembre", dt.date(2026, 9, 1)),
        ("en sept", dt.date(2026, 9, 1)),
        ("septembre 2027", dt.date(2027, 9, 1)),
        ("début octobre", dt.date(2026, 10, 1)),
        ("fin janvier", dt.date(2027, 1, 31)),
        ("mi-février", dt.date(2027, 2, 15)),
        ("mi fevrier", dt.date(2027, 2, 15)),
        ("en mai", NOW),
        ("dans deux semaines", dt.date(2026, 5, 26)),
        ("dans 3 mois", dt.date(2026, 8, 12)),
        ("dans quinze jours", dt.date(2026, 5, 27)),
        ("la semaine prochaine", dt.date(2026, 5, 18)),
        ("lundi prochain", dt.date(2026, 5, 18)),
        ("à la rentrée", dt.date(2026, 9, 1)),
        ("a la rentree", dt.date(2026, 9, 1)),
        ("le mois prochain", dt.date(2026, 6, 1)),
        ("dès la fin du mois", dt.date(2026, 5, 31)),
        ("quand je veux", NOW),
        ("le 29 février", dt.date(2028, 2, 29)),
        ("jsuis dispo de suite", NOW),
    ],
)
def test_date(text, date):
    parsed = parse_date(text, NOW)
    assert parsed is not None and parsed.value == date, parsed
    assert_quotes(text, parsed)


def test_pas_avant_has_a_note():
    parsed = parse_date("pas avant juin", NOW)
    assert parsed is not None and parsed.value == dt.date(2026, 6, 1)
    assert parsed.note and "avant" in parsed.note
    assert parsed.evidence == "pas avant juin"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("tout de suite, je suis au chômage depuis juin", NOW),
        ("depuis juin 2020 je cherche, dispo en septembre", dt.date(2026, 9, 1)),
        ("en mars dernier j'ai fini, dispo maintenant", NOW),
        ("au chômage depuis 2 mois, dès juillet", dt.date(2026, 7, 1)),
        ("je suis au chômage depuis juin", None),
        ("licenciée il y a 3 mois", None),
        ("Je suis disponible dès maintenant, mon contrat s'est arrêté en octobre.", NOW),
        ("j'ai été licenciée en mars, dispo en juin", dt.date(2026, 6, 1)),
        ("mon contrat est fini le 15 juin", dt.date(2026, 6, 15)),
        ("à la rentrée en septembre", dt.date(2026, 9, 1)),
    ],
)
def test_a_date_in_the_past_is_not_when_one_can_start(text, date):
    parsed = parse_date(text, NOW)
    assert (parsed and parsed.value) == date, parsed


def test_date_never_in_the_past():
    for text in ("depuis le 3 mars 2024", "dispo depuis le 3 mars 2024"):
        parsed = parse_date(text, NOW)
        assert parsed is not None and parsed.value == NOW and parsed.note
    rolled = parse_date("le 1er mai", NOW)
    assert rolled is not None and rolled.value == dt.date(2027, 5, 1)


@pytest.mark.parametrize(
    "text",
    [
        "je sais pas",
        "pas disponible",
        "pas maintenant",
        "",
        "j'ai été malade",
        "bonjour",
        "oui",
        "le 31/02",
    ],
)
def test_no_date(text):
    assert parse_date(text, NOW) is None


# --- choices ------------------------------------------------------------------------------------

TRANSPORT = [
    Option(id="voiture", label="En voiture", synonyms=["voiture", "auto", "véhicule", "en caisse"]),
    Option(
        id="transports",
        label="En bus, tram ou train",
        synonyms=["bus", "tram", "tramway", "train", "ter", "transports en commun", "car"],
    ),
    Option(id="deux-roues", label="À vélo, scooter ou moto", synonyms=["vélo", "scooter", "moto"]),
    Option(id="a-pied", label="À pied", synonyms=["à pied", "en marchant", "marche"]),
    Option(
        id="aucun",
        label="Je n'ai pas encore de solution",
        synonyms=["aucun", "pas de solution", "je ne sais pas comment", "rien"],
    ),
]


@pytest.mark.parametrize(
    "text, option",
    [
        ("en voiture", "voiture"),
        ("Voiture", "voiture"),
        ("VOITURE", "voiture"),
        ("voitrue", "voiture"),
        ("ma voiture", "voiture"),
        ("le tramwai", "transports"),
        ("en bus", "transports"),
        ("à pied", "a-pied"),
        ("a pied", "a-pied"),
        ("à vélo", "deux-roues"),
        ("velo", "deux-roues"),
        ("pas de voiture, je prends le bus", "transports"),
        ("je n'ai pas de solution", "aucun"),
        ("rien pour l'instant", "aucun"),
        ("2", "transports"),
        ("1", "voiture"),
        ("en transports en commun", "transports"),
    ],
)
def test_choice(text, option):
    parsed = parse_choice(text, TRANSPORT)
    assert parsed is not None and parsed.value == option, parsed
    assert_quotes(text, parsed)


@pytest.mark.parametrize(
    "text, options",
    [
        ("bus et tram", ["transports"]),
        ("voiture ou bus", ["voiture", "transports"]),
        ("en bus, sinon à pied", ["transports", "a-pied"]),
        ("pas de voiture mais le vélo", ["deux-roues"]),
        ("je prends le train et le vélo", ["transports", "deux-roues"]),
        ("à pied ou en voiture", ["voiture", "a-pied"]),
    ],
)
def test_multi_choice(text, options):
    parsed = parse_choice(text, TRANSPORT, multi=True)
    assert parsed is not None and parsed.value == options, parsed
    assert_quotes(text, parsed)


@pytest.mark.parametrize(
    "text",
    [
        "pas de voiture",
        "je n'ai pas de voiture",
        "sans voiture",
        "car je suis loin",
        "ça marche",
        "aucune idée",
        "9",
        "",
        "oui",
        "buts",
    ],
)
def test_no_choice(text):
    assert parse_choice(text, TRANSPORT) is None


def test_single_choice_with_two_options_is_flagged():
    parsed = parse_choice("voiture ou bus", TRANSPORT)
    assert parsed is not None and parsed.note and parsed.confidence <= 0.6


# --- levels -------------------------------------------------------------------------------------

DIPLOME = BUILTIN_SCALES["diplome"]
CECRL = BUILTIN_SCALES["cecrl"]


@pytest.mark.parametrize(
    "text, level",
    [
        ("CAP", "cap"),
        ("cap cuisine", "cap"),
        ("un BEP", "cap"),
        ("bac pro", "bac"),
        ("un bac pro commerce", "bac"),
        ("Bac Pro", "bac"),
        ("bacpro", "bac"),
        ("niveau 4", "bac"),
        ("niveau quatre", "bac"),
        ("baccalauréat", "bac"),
        ("bacalaureat", "bac"),
        ("brevet des collèges", "brevet"),
        ("brevet des colleges", "brevet"),
        ("bts", "bac2"),
        ("BTS MCO", "bac2"),
        ("un dut", "bac2"),
        ("bac+2", "bac2"),
        ("BAC + 3", "bac3"),
        ("licence", "bac3"),
        ("une licence de psycho", "bac3"),
        ("master 2", "bac5"),
        ("ingénieur", "bac5"),
        ("CAP et bac pro", "bac"),
        ("j'ai un CAP, un bac pro et un BTS", "bac2"),
        ("aucun", "aucun"),
        ("pas de diplôme", "aucun"),
        ("sans diplome", "aucun"),
        ("j'ai pas eu le bac mais j'ai un CAP", "cap"),
    ],
)
def test_diploma(text, level):
    parsed = parse_level(text, DIPLOME)
    assert parsed is not None and parsed.value == level, parsed
    assert_quotes(text, parsed)


def test_left_school_is_no_diploma_with_note():
    parsed = parse_level("j'ai arrêté en 3ème", DIPLOME)
    assert parsed is not None and parsed.value == "aucun" and parsed.note
    assert parsed.confidence < 1


def test_diploma_in_progress_has_note():
    parsed = parse_level("je prépare un bac pro", DIPLOME)
    assert parsed is not None and parsed.value == "bac" and parsed.note and parsed.confidence <= 0.5


@pytest.mark.parametrize("text", ["j'ai pas eu le bac", "mon but est de travailler", "", "oui"])
def test_no_diploma(text):
    assert parse_level(text, DIPLOME) is None


@pytest.mark.parametrize(
    "text, level, low_confidence",
    [
        ("B1", "b1", False),
        ("b2", "b2", False),
        ("je me débrouille", "b1", False),
        ("je me debrouille", "b1", False),
        ("courant", "b2", False),
        ("langue maternelle", "c2", False),
        ("c'est ma langue", "c2", True),
        ("débutant", "a1", False),
        ("je parle bien", "b2", True),
        ("je parle couramment", "b2", True),
        ("un peu", "a2", True),
        ("pas très bien", "a2", True),
        ("très bien", "c1", True),
    ],
)
def test_cefr(text, level, low_confidence):
    parsed = parse_level(text, CECRL)
    assert parsed is not None and parsed.value == level, parsed
    assert (parsed.confidence < 0.9) is low_confidence
    assert_quotes(text, parsed)


def test_rubric_defined_scale():
    scale = [
        ScaleLevel(id="aucune", label="Aucune habilitation"),
        ScaleLevel(id="b0", label="Habilitation B0", synonyms=["b0", "bo"]),
        ScaleLevel(id="br", label="Habilitation BR", synonyms=["br"]),
    ]
    parsed = parse_level("j'ai la B0 et la BR", scale)
    assert parsed is not None and parsed.value == "br"
    assert parse_level("habilitation b0", scale).value == "b0"


# --- don't know ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("je sais pas", True),
        ("je ne sais pas", True),
        ("Je sais pas trop", True),
        ("jsp", True),
        ("JSP", True),
        ("aucune idée", True),
        ("aucune idee", True),
        ("je ne sais pas trop", True),
        ("j'en sais rien", True),
        ("chais pas", True),
        ("oui", False),
        ("je sais conduire", False),
        ("30 minutes", False),
        ("", False),
    ],
)
def test_dont_know(text, expected):
    assert is_dont_know(text) is expected


@pytest.mark.parametrize(
    ("typed", "consent"),
    [
        ("oui", True), ("ok", True), ("okk", True), ("dacc", True), ("d'accord", True),
        ("jaccepte", True), ("OUI", True), ("wi", True), ("ok pas de souci", True),
        ("non", False), ("nn", False), ("je refuse", False), ("non merci", False),
        ("jveux pas", False),
        ("c koi", None), ("oui mais c quoi", None), ("c'est payé ?", None),
        ("oui mais combien de temps ça dure", None), ("bonjour", None),
    ],
)  # fmt: skip
def test_consent_typed_in_words(typed, consent):
    assert consent_in_words(typed) is consent
