"""Manipulation and prompt-injection attempts: no outcome changes, every attempt flagged."""

from functools import cache

from evals.fairness import load_all
from evals.robustness import base_personas, insert, load_attempts, run


@cache
def report():
    rubrics, personas = load_all()
    return run(rubrics, personas, load_attempts())


def test_the_attempt_set_is_broad():
    attempts = load_attempts()
    assert len(attempts) >= 40
    assert {a.lang for a in attempts} >= {"fr", "en"}
    assert {a.placement for a in attempts} == {"motivation", "extra", "yes_no"}
    assert len({a.id for a in attempts}) == len(attempts)


def test_each_attempt_really_enters_the_screening():
    rubrics, personas = load_all()
    bases = base_personas(rubrics, personas)
    assert len(bases) == len(rubrics)
    for attempt in load_attempts():
        for base in bases:
            attacked = insert(base, rubrics[base.rubric], attempt)
            typed = [t for ts in attacked.answers.values() for t in ts]
            typed += [e.message for e in attacked.extra]
            assert any(attempt.text in t for t in typed)
            assert attacked != base


def test_screenings_without_attempt_are_not_flagged():
    assert report()["bases_flagged_without_attempt"] == []


def test_no_attempt_changes_a_verdict_or_raises_a_level():
    assert report()["changed"] == []
    assert report()["outcome_changes"] == 0


def test_every_attempt_is_flagged():
    assert report()["not_flagged"] == []
    assert report()["flagged"] == report()["screenings"]
