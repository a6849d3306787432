"""The over-scrubbing set: many varied candidate messages, none with personal data."""

import re
from functools import cache

from evals import chat_messages as cm
from evals.sms import FORMS, fold


@cache
def messages() -> tuple[str, ...]:
    return tuple(cm.no_pii_messages())


def test_two_thousand_distinct_messages_the_same_for_a_seed():
    assert len(messages()) == 2000 == len(set(messages()))
    assert cm.no_pii_messages(300, seed=3) == cm.no_pii_messages(300, seed=3)
    assert cm.no_pii_messages(300, seed=3) != cm.no_pii_messages(300, seed=4)
    assert len(cm.no_pii_messages(5000, seed=1)) == 5000


def normalised(text: str) -> str:
    return " ".join(fold(text).split())


def test_every_phrase_of_every_rubric_is_in_a_message():
    phrases = cm.rubric_phrases()
    assert len(phrases) > 100  # labels, questions, options and FAQ of the four rubrics
    everything = "\n".join(normalised(m) for m in messages())
    missing = [p for p in phrases if normalised(p) not in everything]
    assert not missing


def test_no_identifier_of_a_person():
    for message in messages():
        assert "@" not in message and "http" not in message and "www" not in message, message
        digits = re.sub(r"(?<=\d)[\s.\-](?=\d)", "", message)
        assert all(len(run) <= 4 for run in re.findall(r"\d+", digits)), message
        assert not re.search(r"\b(rue|avenue|boulevard|bd|impasse|chemin)\b", fold(message))


def proper_nouns() -> set[str]:
    """Capitalised words the generator may use: places, organisations, diplomas, rubric words."""
    sources = (
        cm.TOWNS + cm.AREAS + cm.COUNTRIES + cm.AGENCIES + cm.SCHOOLS + cm.CHARITIES
        + cm.EMPLOYERS + cm.TRANSPORTS + cm.DIPLOMAS + cm.JOBS + cm.WORKPLACES
        + cm.rubric_phrases() + ["France"]
    )  # fmt: skip
    return {w for s in sources for w in re.findall(r"[^\W\d_]+", s) if w[0].isupper()}


def test_capitalised_words_are_places_organisations_or_acronyms_never_first_names():
    allowed = proper_nouns()
    for message in messages():
        if message == message.upper():
            continue
        for match in re.finditer(r"[^\W\d_]+", message):
            word, before = match.group(), message[: match.start()].rstrip(" «\"'’-")
            opens_sentence = not before or before[-1] in ".!?…:,"
            if word[0].isupper() and not opens_sentence and not word.isupper():
                assert word in allowed, (word, message)


KINDS = {  # over folded text; written from the list of what the set must hold
    "learner French": r"\bmoi (avoir|pas|aimer|travailler)\b|\bje suis (\d+ ans|travaille)"
    r"|\b(je|le|de) [aeiouh]|\bpas probleme|\bbeaucoup annees|\bapprendre metier",
    "number": r"\d",
    "month": r"\b(janvier|fevrier|mars|avril|juin|juillet|aout|septembre|octobre|novembre)\b",
    "question": r"\?",
    "hesitation": r"^(euh|ben|bah|hmm|heu)",
    "thanks": r"\b(merci|mrc|mci)",
    "greeting": r"\b(bonjour|bjr|bonsoir|bsr|salut|slt|coucou|cc)\b",
    "diploma": r"\b(cap|bep|bac|bts|brevet|caces|delf|licence)\b",
    "pay or hours": r"\b(euros?|€|salaire|paye|horaires|heures)\b",
}


def test_all_registers_and_kinds_of_answer_are_there():
    folded = [normalised(m) for m in messages()]
    counts = {kind: sum(bool(re.search(p, m)) for m in folded) for kind, p in KINDS.items()}
    spellings = {fold(s) for forms in FORMS.values() for s in forms if len(s) > 2}
    counts["SMS spelling"] = sum(bool(spellings & set(m.split())) for m in folded)
    counts["town"] = sum(any(normalised(t) in m for t in cm.TOWNS) for m in folded)
    counts["job"] = sum(any(normalised(j) in m for j in cm.JOBS if len(j) > 4) for m in folded)
    counts["in capitals"] = sum(m.isupper() for m in messages())
    assert min(counts.values()) >= 20, counts
    assert counts["SMS spelling"] >= 400 and counts["learner French"] >= 100, counts
