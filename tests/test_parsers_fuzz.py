"""No parser ever raises, and every quote is verbatim, whatever the text."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.rubric import Option
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

TRANSPORT = [
    Option(id="voiture", label="En voiture", synonyms=["voiture", "auto"]),
    Option(id="transports", label="En bus ou tram", synonyms=["bus", "tramway", "car"]),
    Option(id="a-pied", label="À pied", synonyms=["marche"]),
    Option(id="aucun", label="Pas de solution", synonyms=["pas de solution", "rien"]),
]
FRENCH_BITS = [
    "oui", "non", "pas", "n'", "ne", "j'ai", "le permis", "voiture", "bus", "car", "1h30",
    "vingt-deux", "ans", "et demi", "dès le", "3 mars", "sept", "mi-", "fin", "dans", "semaines",
    "quart d'heure", "bac", "+", "2", "CAP", "B1", "je sais pas", "é", "’", ",", ".", " ", "\n",
    "😀", "\x00", "\u200b", "İ", "ﬁ", "½", "\u0301", "99999999999999999999", "/", "-",
]  # fmt: skip
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FRENCH_BITS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(FRENCH_BITS), max_size=40).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=4000, max_size=5000),
)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2098, 12, 31))


def check(text: str, parsed) -> None:
    assert parsed is None or isinstance(parsed, Parsed)
    if parsed is not None:
        assert text[parsed.start : parsed.end] == parsed.evidence
        assert 0 <= parsed.confidence <= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, dates)
def test_parsers_never_raise(text, now):
    check(text, parse_yes_no(text))
    check(text, parse_yes_no(text, ["permis", "voiture"]))
    check(text, parse_number(text))
    check(text, parse_number(text, "ans"))
    check(text, parse_duration(text))
    check(text, parse_date(text, now))
    check(text, parse_choice(text, TRANSPORT))
    check(text, parse_choice(text, TRANSPORT, multi=True))
    check(text, parse_level(text, BUILTIN_SCALES["diplome"]))
    check(text, parse_level(text, BUILTIN_SCALES["cecrl"]))
    assert isinstance(is_dont_know(text), bool)


def test_long_paste_and_noise():
    for text in [
        "a" * 5000,
        "😀" * 5000,
        "\x00\x01\x02",
        "oui " * 1500,
        "\u0301" * 10,
        "ﬁn janvier",
    ]:
        check(text, parse_yes_no(text))
        check(text, parse_date(text, dt.date(2026, 5, 12)))
        check(text, parse_choice(text, TRANSPORT, multi=True))
