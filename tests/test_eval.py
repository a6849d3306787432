"""The persona eval: every persona replays through the real conversation and the targets hold."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from pydantic import ValidationError

from chatbot.rubric import DIMENSION_KINDS
from chatbot.rubric_loader import rubrics_in
from evals.personas import evaluate, load_personas

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ROOT / "evals" / "personas"

CRITERIA_ACCURACY = 0.95
DIMENSION_WITHIN_RANGE = 0.80
QUESTIONS_PER_CRITERION = 1.3


@cache
def _report() -> dict:
    return evaluate(rubrics_in(ROOT / "rubrics"), load_personas(PERSONAS))


def test_every_rubric_has_at_least_sixteen_personas():
    counts = {rubric_id: 0 for rubric_id in rubrics_in(ROOT / "rubrics")}
    for persona in load_personas(PERSONAS):
        counts[persona.rubric] = counts.get(persona.rubric, 0) + 1
    assert all(count >= 16 for count in counts.values()), counts


def test_personas_only_name_criteria_of_their_rubric():
    rubrics = rubrics_in(ROOT / "rubrics")
    problems = []
    for persona in load_personas(PERSONAS):
        rubric = rubrics.get(persona.rubric)
        if rubric is None:
            problems.append(f"{persona.path}: unknown rubric {persona.rubric}")
            continue
        closed = {c.id for c in rubric.criteria if c.kind not in DIMENSION_KINDS}
        dimensions = {c.id for c in rubric.criteria if c.kind in DIMENSION_KINDS}
        named = {
            "answers": set(persona.answers) - closed - dimensions,
            "expected.verdicts": set(persona.expected.verdicts) - closed,
            "expected.levels": set(persona.expected.levels) - dimensions,
            "extra": {e.before or e.after for e in persona.extra if not e.at_recap}
            - closed
            - dimensions,
        }
        problems += [
            f"{persona.path}: {where} {sorted(ids)}" for where, ids in named.items() if ids
        ]
        if persona.session and persona.session not in {s.id for s in rubric.training.sessions}:
            problems.append(f"{persona.path}: unknown session {persona.session}")
    assert not problems, "\n".join(problems)


def test_eval_meets_the_targets():
    report = _report()
    failures = "\n".join(map(str, report["failures"]))
    assert report["personas"] >= 64
    assert report["completed"] == report["personas"]
    assert report["criteria_accuracy"] >= CRITERIA_ACCURACY, failures
    assert report["dimension_within_range"] >= DIMENSION_WITHIN_RANGE, failures
    assert report["questions_per_criterion"] <= QUESTIONS_PER_CRITERION


def test_expected_flags_are_all_raised():
    assert _report()["flags_found"] == 1.0, [
        f for f in _report()["failures"] if f["item"] == "flags"
    ]


def test_a_persona_with_an_unknown_key_is_rejected_with_its_name(tmp_path):
    (tmp_path / "soudeur").mkdir()
    (tmp_path / "soudeur" / "typo.yaml").write_text(
        "rubric: soudeur\nname: Typo\nanswer:\n  calcul: ['oui']\nexpected: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as error:
        load_personas(tmp_path)
    message = str(error.value)
    assert "answer\n" in message  # the misspelt key, named on its own line
    assert "Extra inputs are not permitted" in message
    assert "answers\n  Field required" in message  # and the key it should have been
