"""Table-driven positive and negative examples per French recognizer (through the analyzer,
so context words and thresholds apply as in production)."""

import pytest

from pii.analyzer import analyze


def found(text: str, entity_type: str) -> list[str]:
    return [text[r.start : r.end] for r in analyze(text) if r.entity_type == entity_type]


CASES = {
    "FR_NIR": (
        [
            ("mon numéro de sécu 2 84 12 76 451 089 93", "2 84 12 76 451 089 93"),
            ("nir 184127645108946", "184127645108946"),
            ("carte vitale 1.85.05.2A.006.084.35", "1.85.05.2A.006.084.35"),
            ("secu : 2-62-03-01-053-899", "2-62-03-01-053-899"),
        ],
        ["j'ai 23 ans et 2 enfants", "le 3 mars 2025 à 14 h", "CACES R489 catégorie 3"],
    ),
    "PHONE_NUMBER": (
        [
            ("tel 06 12 34 56 78", "06 12 34 56 78"),
            ("0612345678 svp", "0612345678"),
            ("appelez le 03.26.47.12.90", "03.26.47.12.90"),
            ("mon portable +33 6 12 34 56 78", "+33 6 12 34 56 78"),
            ("0033612345678", "0033612345678"),
            ("+33 (0)7 63 83 12 43", "+33 (0)7 63 83 12 43"),
            ("07-63-83-12-43", "07-63-83-12-43"),
        ],
        ["j'habite à 51100 Reims", "dispo le 12/03/2025", "j'ai travaillé 10 ans", "ligne 4"],
    ),
    "FR_FRANCE_TRAVAIL_ID": (
        [
            ("mon identifiant france travail 1234567A", "1234567A"),
            ("id pole emploi 12345678", "12345678"),
            ("inscrite sous le 1234567B123", "1234567B123"),
        ],
        ["j'ai 23 ans", "CACES 1 3 5", "code postal 57000"],
    ),
    "FR_ADDRESS": (
        [
            ("j'habite 12 rue des Lilas 51100 Reims", "12 rue des Lilas 51100"),
            ("214, avenue Charlotte Gilles", "214, avenue Charlotte Gilles"),
            ("au 5 bis impasse du Moulin, à Metz", "5 bis impasse du Moulin"),
            ("adresse : 3 ter chemin de la fontaine", "3 ter chemin de la fontaine"),
            ("j'habite rue de la République", "rue de la République"),
            ("domicile boulevard de delmas", "boulevard de delmas"),
        ],
        [
            "je suis à la rue depuis un mois",
            "j'habite à Reims dans la Marne",
            "je vis à Strasbourg, Bas-Rhin",
            "j'ai fait 2 ans de place en crèche",
        ],
    ),
    "FR_BIRTH_DATE": (
        [
            ("née le 12/03/1998 à Metz", "12/03/1998"),
            ("je suis né le 3 mars 1990", "3 mars 1990"),
            ("date de naissance : 1998-03-12", "1998-03-12"),
            ("ma date de naissance c'est le 17.09.00", "17.09.00"),
            ("né(e) le 1er janvier 2001", "1er janvier 2001"),
        ],
        ["dispo dès le 3 mars", "entretien le 12/03/2025", "j'ai 23 ans", "née en 1998"],
    ),
    "FR_ID_DOCUMENT": (
        [
            ("mon passeport 12AB34567", "12AB34567"),
            ("carte d'identité 880692310285", "880692310285"),
            ("ma CNI X4RTBPFW4", "X4RTBPFW4"),
            ("titre de séjour 1234567890", "1234567890"),
        ],
        ["CACES R489", "j'ai le permis B", "bac pro ASSP"],
    ),
    "EMAIL_ADDRESS": (
        [
            ("mon mail fatima.benali51@gmail.com", "fatima.benali51@gmail.com"),
            ("écrivez à jordan@orange.fr svp", "jordan@orange.fr"),
        ],
        ["je suis @ Reims", "mail pas encore créé"],
    ),
    "IBAN_CODE": (
        [
            ("mon iban FR76 3000 6000 0112 3456 7890 189", "FR76 3000 6000 0112 3456 7890 189"),
            ("rib fr7630006000011234567890189", "fr7630006000011234567890189"),
        ],
        ["FR76 3000 6000 0112 3456 7890 188", "j'habite en FR"],
    ),
    "CREDIT_CARD": (
        [
            ("ma cb 4970 1012 3456 7893", "4970 1012 3456 7893"),
            ("carte 2223000048400011", "2223000048400011"),
        ],
        ["4970 1012 3456 7898", "j'ai 4 ans d'expérience"],
    ),
    "PERSON": (
        [
            ("Bonjour, je m'appelle Fatima Benali", "Fatima Benali"),
            ("moi c'est fatima", "fatima"),
            ("c jordan", "jordan"),
            ("jm'appelle kevin", "kevin"),
            ("cordialement TRAORÉ Émile", "TRAORÉ Émile"),
            ("Madame Durand a appelé", "Durand"),
            ("leïla ici, j'ai le brevet", "leïla"),
            ("fatima benali, 06 12 34 56 78", "fatima benali"),
            ("je suis astrid martel, j'ai 30 ans", "astrid martel"),
            ("DIALLO YANIS", "DIALLO YANIS"),
        ],
        [
            "je suis aide-soignante à Reims",
            "j'habite à Metz en Moselle, je peux aller à Strasbourg",
            "J'ai travaillé en Ehpad comme ASH, j'ai le DEAES et le CACES 3",
            "Soudeur TIG MIG, permis B, bac pro",
            "c'est bon pour moi, je suis motivée",
            "je suis dispo dès le 3 mars, j'ai 23 ans",
            "Nancy ou Épinal ça me va",
            "je suis en Bas-Rhin, CAP AEPE et BTS",
            "je peux aller jusqu'à Hgauenau",
            "45 min en bus, 20 mn à pied, 30 km",
        ],
    ),
}

POSITIVES = [(t, text, want) for t, (pos, _) in CASES.items() for text, want in pos]
NEGATIVES = [(t, text) for t, (_, neg) in CASES.items() for text in neg]


@pytest.mark.parametrize(("entity_type", "text", "expected"), POSITIVES)
def test_recognizes(entity_type, text, expected):
    assert expected in found(text, entity_type)


@pytest.mark.parametrize(("entity_type", "text"), NEGATIVES)
def test_ignores(entity_type, text):
    assert found(text, entity_type) == []


def test_no_personal_data_in_job_and_place_talk():
    text = (
        "J'ai 23 ans, je vis à Charleville-Mézières dans les Ardennes. J'ai un CAP, un BEP et le "
        "permis B. Je voudrais faire aide-soignant en Ehpad, dispo dès le 3 mars pour 6 mois."
    )
    assert analyze(text) == []


def test_every_entity_we_rely_on_has_a_french_recognizer():
    from pii.analyzer import analyzer, check_supported
    from pii.policy import SCRUBBED_ENTITIES

    engine = analyzer()
    assert set(SCRUBBED_ENTITIES) <= set(engine.get_supported_entities("fr"))
    engine.registry.recognizers = [
        r for r in engine.registry.recognizers if "FR_NIR" not in r.supported_entities
    ]
    try:
        with pytest.raises(RuntimeError, match="FR_NIR"):
            check_supported(engine)
    finally:
        analyzer.cache_clear()
