"""Metamorphic checks of understanding over every persona of every rubric, through the chat's
pipeline (normaliser and pseudonymiser included): a correction said in words from the
criterion's own label or question is applied and never filed under another criterion (keywords
kept and removed), and numbers in open answers are evidence, never corrections.

The full sweep (`python -m evals.corrections --all`, 4,000+ corrections) runs by hand; CI runs
one criterion per persona, rotating over the criteria."""

from functools import cache

from evals import corrections


@cache
def sample() -> dict:
    return corrections.run(sample=True)


def test_corrections_in_words_are_applied_on_every_rubric_with_and_without_keywords():
    report = sample()
    assert report["corrections"] >= 300
    assert report["applied_rate"] >= 0.95, report["list"]


def test_no_correction_is_filed_under_another_criterion():
    assert sample()["misfiled"] == 0, [i for i in sample()["list"] if i["misfiled"]]


def test_numbers_in_open_answers_change_no_verdict_and_correct_nothing():
    report = corrections.numbers_in_open_answers()
    assert report["personas"] >= 100
    assert report["changed_verdicts"] == report["corrections"] == report["lower_levels"] == 0, (
        report["list"]
    )
