"""Ranking score and its one-line explanation."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.ranking import explain_rank, ranker, ranking_parts, ranking_score
from chatbot.results import CriterionResult, DimensionScore, ScreeningResult, Verdict
from chatbot.rubric import DIMENSION_KINDS
from chatbot.rubric_loader import load_rubric

RUBRIC = load_rubric(Path(__file__).resolve().parent.parent / "rubrics" / "aide-soignant.yaml")


def result_with(verdict: Verdict, level_share: float, blocking_fail: str | None = None):
    criteria = [
        CriterionResult(
            criterion_id=c.id,
            kind=c.kind,
            label=c.label,
            blocking=c.blocking,
            verdict=Verdict.not_met if c.id == blocking_fail else verdict,
        )
        for c in RUBRIC.criteria
        if c.kind not in DIMENSION_KINDS
    ]
    dimensions = []
    for c in RUBRIC.dimensions:
        top = max(level.level for level in c.levels)
        dimensions.append(
            DimensionScore(
                criterion_id=c.id,
                kind=c.kind,
                label=c.label,
                level=round(top * level_share),
                max_level=top,
                rationale="test",
            )
        )
    return ScreeningResult(
        rubric_id=RUBRIC.id,
        rubric_version="v",
        complete=True,
        criteria=criteria,
        dimensions=dimensions,
        mobility="",
        availability="",
    )


def test_everything_met_at_top_level_scores_100():
    assert ranking_score(RUBRIC, result_with(Verdict.met, 1.0)) == 100


def test_nothing_met_at_level_zero_scores_0():
    assert ranking_score(RUBRIC, result_with(Verdict.not_met, 0.0)) == 0


def test_unclear_counts_as_not_met_but_levels_still_count():
    score = ranking_score(RUBRIC, result_with(Verdict.unclear, 1.0))
    weights = RUBRIC.weights
    assert score == pytest.approx(weights.motivation + weights.readiness)


def test_one_unmet_prerequisite_costs_its_share_of_the_weight():
    prerequisites = [c for c in RUBRIC.criteria if c.kind == "prerequisite"]
    blocking = next(c for c in prerequisites if c.blocking)
    score = ranking_score(RUBRIC, result_with(Verdict.met, 1.0, blocking.id))
    assert score == pytest.approx(100 - RUBRIC.weights.prerequisites / len(prerequisites), abs=0.1)


def test_dimension_weights_inside_a_family_matter():
    result = result_with(Verdict.met, 0.0)
    heavy = max((c for c in RUBRIC.dimensions if c.kind == "motivation"), key=lambda c: c.weight)
    light = min((c for c in RUBRIC.dimensions if c.kind == "motivation"), key=lambda c: c.weight)
    assert heavy.weight > light.weight
    with_heavy = result.model_copy(deep=True)
    with_heavy.dimension(heavy.id).level = with_heavy.dimension(heavy.id).max_level
    with_light = result.model_copy(deep=True)
    with_light.dimension(light.id).level = with_light.dimension(light.id).max_level
    assert ranking_score(RUBRIC, with_heavy) > ranking_score(RUBRIC, with_light)


def test_parts_weights_add_up_to_100():
    assert sum(p.weight for p in ranking_parts(RUBRIC, result_with(Verdict.met, 1))) == 100


def test_explanation_is_one_french_line_naming_the_blocking_prerequisite():
    blocking = next(c for c in RUBRIC.criteria if c.blocking and c.kind == "prerequisite")
    line = explain_rank(RUBRIC, result_with(Verdict.met, 1.0, blocking.id))
    assert "\n" not in line
    assert "sur 100" in line and "prérequis" in line and "motivation" in line
    assert f"non rempli : {blocking.label}" in line


def test_stored_json_and_model_give_the_same_score_and_explanation():
    result = result_with(Verdict.unclear, 0.5, blocking_fail=RUBRIC.criteria[0].id)
    stored = result.model_dump(mode="json")
    assert ranker(RUBRIC).score(stored) == ranking_score(RUBRIC, result)
    assert ranker(RUBRIC).explain(stored) == explain_rank(RUBRIC, result)
