"""The pseudonymiser on real French vocabulary: it never raises, keeps everyday words and always
replaces the structured identifiers.

The vocabulary is wordfreq's list of the most frequent French tokens (subtitles, web, Twitter,
Reddit), not a list of this project's: first names are taken out with gender-guesser's
dictionary (any popularity in France-relevant countries), the rest must come out untouched.
"""

from __future__ import annotations

import json
import logging
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from wordfreq import top_n_list

from chatbot.chat_french import normalise
from chatbot.cli import app
from chatbot.lexicon import name_weight
from chatbot.text import fold
from pii import analyzer
from pii.pseudonymizer import Pseudonymizer, scrub

PERSONAS = Path(__file__).resolve().parent.parent / "evals" / "personas"
# The last one as a phone types it: the first word capitalised.
CARRIERS = ("{w}", "je suis {w}", "dans ce cas {w} oui", "ben {w} je pense", "{W} oui je pense")
MAX_REPLACED = 0.005
PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")

# Structured identifiers, typed as people do; each must always be replaced.
IDENTIFIERS = {
    "PHONE_NUMBER": ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "07.81.22.90.13"],
    "EMAIL_ADDRESS": ["jai.dupont@gmail.com", "sabrina.m54@orange.fr"],
    "FR_NIR": ["2 84 05 73 054 125 05", "184127645108946"],
    "IBAN_CODE": ["FR76 3000 6000 0112 3456 7890 189", "fr7630006000011234567890189"],
    "CREDIT_CARD": ["4970 1012 3456 7893", "5555555555554444"],
    "FR_FRANCE_TRAVAIL_ID": ["1234567A", "7654321Z"],
}


@cache
def vocabulary() -> list[str]:
    """The 20,000 most frequent French tokens that hold a letter and are not first names."""
    return [
        w for w in top_n_list("fr", 20_000) if any(c.isalpha() for c in w) and not name_weight(w)
    ]


def replaced_words(words: list[str]) -> dict[str, list[str]]:
    replaced: dict[str, list[str]] = {}
    for word in words:
        for carrier in CARRIERS:
            sentence = carrier.format(w=word, W=word[:1].upper() + word[1:])
            if PLACEHOLDER.search(scrub(sentence)):
                replaced.setdefault(word, []).append(sentence)
    return replaced


@pytest.mark.parametrize("spelling", ["as written", "without accents"])
def test_frequent_french_words_are_not_names(spelling):
    words = vocabulary()
    if spelling == "without accents":  # as typed on a phone: "agees", "deja", "ecole"
        words = sorted({fold(w) for w in words} - set(words))
    assert len(words) > (15_000 if spelling == "as written" else 3_000)
    replaced = replaced_words(words)
    share = len(replaced) / len(words)
    assert share <= MAX_REPLACED, (
        f"{len(replaced)} of {len(words)} words ({share:.2%}) replaced: "
        + "; ".join(f"{w}: {s}" for w, s in sorted(replaced.items()))
    )


def test_common_chat_answers_never_raise_and_stay_whole():
    for text in [
        "ben oui",
        "ben je sais pas",
        "Ben oui",  # capitalised by the phone
        "Ben je sais pas",
        "Euh oui",
        "ben non",
        "del",
        "oui je suis d'accord",
        "euh oui, je pense que oui",
        "Je suis AESH depuis cinq ans",
        "Bénévolat dans association",
        "dans ce cas oui",
        "je suis allé en stage",
        "jai 23 ans",
        "jaime bien aider les gens",
        "c est payé ?",
        "10 km max, j'ai pas de voiture",
        "Salut ! vingt-neuf ans",
        "je suis aide-soignante",
    ]:
        assert scrub(text) == text


def test_names_still_found_after_cues():
    for text, name in [
        ("je m'appelle fatima benali", "fatima benali"),
        ("slt c ousmane jai 30 ans", "ousmane"),
        ("Bonjour, jean, je suis né à Metz", "jean"),
        ("JE SUIS MONIQUE DURAND", "MONIQUE DURAND"),
        ("capucine wagner ici", "capucine wagner"),
        ("c pierre", "pierre"),
        ("Bonjour, Rayan Laporte", "Rayan"),  # "rayan" is one slip from "rayon"
        ("je suis Rayan Laporte", "Rayan"),
        ("je suis Ben", "Ben"),
    ]:
        out = scrub(text)
        assert name not in out and PLACEHOLDER.search(out), (text, out)


def persona_messages() -> list[tuple[str, str]]:
    messages = []
    for path in sorted(PERSONAS.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = [t for answers in data["answers"].values() for t in answers]
        texts += [extra["message"] for extra in data.get("extra", [])]
        texts += data.get("recap", [])
        messages += [(path.name, text) for text in texts]
    return messages


def test_persona_messages_keep_every_word():
    """No persona message holds personal data: none may come out with a placeholder, neither
    from the pseudonymiser alone nor in the chat (normalised first)."""
    messages = persona_messages()
    assert len(messages) > 900
    scrubbed = [
        (name, text, str(scrub(text)), str(Pseudonymizer().scrub_chat(normalise(text)).own_words))
        for name, text in messages
    ]
    bad = [s for s in scrubbed if PLACEHOLDER.search(s[2]) or PLACEHOLDER.search(s[3])]
    assert not bad, bad


@cache
def _chat_words() -> list[str]:
    return top_n_list("fr", 5_000)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.sampled_from(_chat_words()), min_size=1, max_size=14),
    punctuation=st.lists(st.sampled_from(["", " ", ", ", ". ", " ! ", " ? ", "\n", "…", " - "])),
    case=st.sampled_from([str.lower, str.upper, str.title, str.capitalize]),
    planted=st.sampled_from(sorted((t, v) for t, vs in IDENTIFIERS.items() for v in vs)),
    at=st.integers(min_value=0, max_value=14),
)
@example(["3"], [], str.lower, ("CREDIT_CARD", "4970 1012 3456 7893"), 0)  # found by CI
def test_random_french_never_raises_and_identifiers_always_go(
    words, punctuation, case, planted, at
):
    pieces = [w + (punctuation[i] if i < len(punctuation) else " ") for i, w in enumerate(words)]
    entity_type, value = planted
    pieces.insert(min(at, len(pieces)), f" {value} ")
    text = case("".join(pieces))
    out = str(scrub(text))
    digits = re.sub(r"\W", "", value.lower())
    assert digits not in re.sub(r"\W", "", out.lower()), (entity_type, text, out)
    chat = Pseudonymizer().scrub_chat(normalise(text))
    assert digits not in re.sub(r"\W", "", str(chat.own_words).lower())


def test_a_failing_recognizer_is_skipped_and_logged_without_the_text(monkeypatch, caplog):
    engine = analyzer.analyzer()
    chat_names = next(r for r in engine.registry.recognizers if r.name == "FrChatNameRecognizer")

    def broken(*args, **kwargs):
        raise TypeError("boom")

    monkeypatch.setattr(chat_names, "analyze", analyzer.guarded_call(chat_names, broken))
    text = "moi c'est secretnom, tel 06 12 34 56 78"
    with caplog.at_level(logging.ERROR):
        out = str(scrub(text))
    assert "<TELEPHONE_1>" in out and "06 12" not in out
    assert "FrChatNameRecognizer" in caplog.text and "TypeError" in caplog.text
    assert "secretnom" not in caplog.text and "06 12" not in caplog.text


def test_when_the_analysis_fails_structured_identifiers_still_go(monkeypatch, caplog):
    def broken_engine():
        raise RuntimeError("model unavailable")

    monkeypatch.setattr(analyzer, "analyzer", broken_engine)
    with caplog.at_level(logging.ERROR):
        out = str(scrub("mon iban FR76 3000 6000 0112 3456 7890 189 et mon tel 0612345678"))
    assert "<IBAN_1>" in out and "<TELEPHONE_1>" in out
    assert "RuntimeError" in caplog.text and "0612345678" not in caplog.text


def test_pii_jsonl_goes_on_after_a_line_that_fails(monkeypatch):
    import pii.cli

    real = pii.cli.scrub_to_json

    def fails_on_boom(text):
        if "boom" in text:
            raise ValueError(text)
        return real(text)

    monkeypatch.setattr(pii.cli, "scrub_to_json", fails_on_boom)
    lines = [json.dumps("ben oui"), json.dumps("boom"), json.dumps("tel 0612345678")]
    result = CliRunner().invoke(app, ["pii", "--jsonl"], input="\n".join(lines).encode())
    assert result.exit_code == 0, result.output
    outs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("text") for o in outs] == ["ben oui", None, "tel <TELEPHONE_1>"]
    assert "boom" not in outs[1]["error"]


def test_two_thousand_chat_messages_without_personal_data_keep_every_word():
    """Generated independently of the engine (evals/chat_messages.py): standard, SMS and
    learner French, every rubric's vocabulary. None may lose a word to a placeholder."""
    from evals.chat_messages import no_pii_messages

    messages = no_pii_messages(n=2000)
    bad = [
        (text, out)
        for text in messages
        for out in (str(scrub(text)), str(Pseudonymizer().scrub_chat(normalise(text)).own_words))
        if PLACEHOLDER.search(out)
    ]
    assert len(messages) == 2000 and not bad, bad[:20]
