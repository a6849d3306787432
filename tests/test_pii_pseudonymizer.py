import pytest

import pii
from pii import Pseudonymizer, Scrubbed, scrub


def test_scrub_replaces_values_and_keeps_places_jobs_ages():
    text = "moi c'est Fatima Benali, 06 12 34 56 78, j'ai 23 ans, aide-soignante à Reims"
    scrubbed = scrub(text)
    assert scrubbed == "moi c'est <PERSONNE_1>, <TELEPHONE_1>, j'ai 23 ans, aide-soignante à Reims"


def test_scrubbed_is_text_but_cannot_be_made_by_hand():
    scrubbed = scrub("bonjour")
    assert isinstance(scrubbed, str) and isinstance(scrubbed, Scrubbed)
    assert type(scrubbed[1:]) is str and type(scrubbed + "x") is str
    with pytest.raises(TypeError):
        Scrubbed("06 12 34 56 78")


def test_concat_keeps_scrubbed_only_for_scrubbed_parts():
    a, b = scrub("c jordan"), scrub("tel 0612345678")
    joined = Scrubbed.concat(a, b, sep="\n")
    assert isinstance(joined, Scrubbed) and joined == f"{a}\n{b}"
    with pytest.raises(TypeError):
        Scrubbed.concat(a, "0612345678")
    with pytest.raises(ValueError):
        Scrubbed.concat(a, b, sep=" 06 ")


def test_same_value_same_placeholder_across_messages():
    p = Pseudonymizer()
    first = p.scrub("mon numéro 06 12 34 56 78")
    second = p.scrub("je répète : 06.12.34.56.78, et mon mail a.b@gmail.com")
    assert first == "mon numéro <TELEPHONE_1>"
    assert second == "je répète : <TELEPHONE_1>, et mon mail <EMAIL_1>"
    assert p.scrub("autre numéro 07 00 00 00 01") == "autre numéro <TELEPHONE_2>"


def test_partial_mention_maps_to_the_same_person():
    p = Pseudonymizer()
    assert p.scrub("Bonjour, je m'appelle Fatima Benali") == "Bonjour, je m'appelle <PERSONNE_1>"
    assert p.scrub("fatima est dispo demain") == "<PERSONNE_1> est dispo demain"
    assert p.scrub("BENALI") == "<PERSONNE_1>"
    assert p.scrub("moi c'est Jordan") == "moi c'est <PERSONNE_2>"


def test_restore_gives_the_candidate_their_own_words():
    p = Pseudonymizer()
    p.scrub("moi c'est Fatima Benali, tel 06 12 34 56 78")
    assert (
        p.restore("Merci <PERSONNE_1>, on vous appelle au <TELEPHONE_1>. <NIR_9> reste.")
        == "Merci Fatima Benali, on vous appelle au 06 12 34 56 78. <NIR_9> reste."
    )


def test_entities_of_last_scrub_point_into_the_raw_text():
    p = Pseudonymizer()
    text = "c jordan, nir 184127645108946"
    p.scrub(text)
    got = [(e.type, text[e.start : e.end], e.placeholder) for e in p.entities_of_last_scrub]
    assert got == [("PERSON", "jordan", "<PERSONNE_1>"), ("FR_NIR", "184127645108946", "<NIR_1>")]


def test_overlapping_detections_leave_no_digit_behind():
    # A phone-shaped run ("04 12 76 451 0") sits inside this NIR; the NIR must win whole.
    scrubbed = scrub("numéro de sécu 1 84 12 76 451 089 46, tel 06 12 34 56 78")
    assert scrubbed == "numéro de sécu <NIR_1>, tel <TELEPHONE_1>"


def test_mapping_is_not_shown_in_repr():
    p = Pseudonymizer()
    p.scrub("moi c'est Fatima Benali")
    assert "Fatima" not in repr(p) and "Benali" not in repr(p)


def test_public_interface():
    assert {"Pseudonymizer", "Scrubbed", "scrub", "warm_up"} <= set(pii.__all__)
