"""`screening try` for trainers: French words for every answer of every rubric, never Python."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from chatbot import cli
from chatbot.answers import display_value
from chatbot.resources import EXAMPLE_RUBRICS
from chatbot.rubric import DIMENSION_KINDS, AnswerType
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT, Settings, get_settings
from evals import fairness, robustness

runner = CliRunner()
RUBRICS = rubrics_in(PROJECT_ROOT / "rubrics")
PYTHON = re.compile(r"datetime\.|\['|\{'|\bNone\b|\bTrue\b|\bFalse\b|\bmet\b|\bnot_met\b")
TYPICAL = {
    AnswerType.yes_no: "oui",
    AnswerType.number: "24",
    AnswerType.date: "le 1er janvier 2027",
    AnswerType.duration: "40 minutes",
    AnswerType.free_text: "je préfère en parler avec ma conseillère",
}


def _answer(rubric, criterion) -> str:
    if criterion.kind in DIMENSION_KINDS:
        return "j'ai gardé ma grand-mère pendant 2 ans, je veux aider les gens"
    if criterion.answer.type == AnswerType.level:
        return rubric.scale(criterion.answer.scale)[-1].label
    if criterion.answer.options:
        return criterion.answer.options[0].label
    return TYPICAL[criterion.answer.type]


CASES = [(r, c) for r in RUBRICS.values() for c in r.criteria]


@pytest.mark.parametrize(("rubric", "criterion"), CASES, ids=[f"{r.id}/{c.id}" for r, c in CASES])
def test_try_speaks_french_for_every_criterion(rubric, criterion):
    text = _answer(rubric, criterion)
    shown = runner.invoke(cli.app, ["try", rubric.id, criterion.id, text])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == f"Question : {criterion.label} ({criterion.id})"
    assert not PYTHON.search(shown.output), shown.output
    found = json.loads(
        runner.invoke(cli.app, ["try", rubric.id, criterion.id, text, "--json"]).output
    )
    if found["value"] is not None and criterion.kind not in DIMENSION_KINDS:
        assert lines[1] == "Compris : " + display_value(rubric, criterion, found["value"])
    # Anything read for another question is said to be for another question.
    for other in rubric.criteria:
        if other.id != criterion.id:
            for line in lines[1:]:
                if f"« {other.label} »" in line:
                    assert line.startswith("Aussi compris : "), line


def test_try_refuses_an_unknown_criterion_and_lists_the_known_ones():
    rubric = RUBRICS["aide-soignant"]
    shown = runner.invoke(cli.app, ["try", rubric.id, "permis", "oui"])
    assert shown.exit_code == 1
    assert all(c.id in shown.output for c in rubric.criteria)


@pytest.fixture
def two_personas(tmp_path):
    folder = tmp_path / "personas"
    folder.mkdir()
    for path in sorted((PROJECT_ROOT / "evals" / "personas" / "soudeur").glob("*.yaml"))[:2]:
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_eval_with_llm_needs_a_model(two_personas, monkeypatch):
    monkeypatch.delenv("SCREENING_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    refused = runner.invoke(cli.app, ["eval", "soudeur", "--personas", str(two_personas), "--llm"])
    assert refused.exit_code == 1 and "SCREENING_LLM_BASE_URL" in refused.output
    assert fairness.main(["--llm"]) == 1 and robustness.main(["--llm"]) == 1


def test_eval_with_llm_puts_both_modes_side_by_side(two_personas, monkeypatch):
    """The LLM column comes from llm_conversation_factory (offline here: no network)."""
    monkeypatch.setenv("SCREENING_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setattr(fairness, "llm_conversation_factory", lambda: None)
    get_settings.cache_clear()
    try:
        args = ["eval", "soudeur", "--personas", str(two_personas), "--llm"]
        table = runner.invoke(cli.app, args)
        as_json = runner.invoke(cli.app, [*args, "--json"])
    finally:
        get_settings.cache_clear()
    assert table.exit_code == 0, table.output
    header, rule, *rows = table.output.splitlines()
    assert header.split() == ["hors", "ligne", "modèle", "d'IA"]
    personas = next(r for r in rows if r.startswith("personas rejouées"))
    assert personas.split()[-2:] == ["2", "2"]
    reports = json.loads(as_json.output)
    assert set(reports) == {"offline", "llm"} and reports["offline"] == reports["llm"]


def test_rubrics_come_from_the_working_directory_else_from_the_package(tmp_path, monkeypatch):
    monkeypatch.delenv("SCREENING_RUBRICS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().rubrics_dir == EXAMPLE_RUBRICS
    assert sorted(rubrics_in(EXAMPLE_RUBRICS)) == sorted(RUBRICS)
    (tmp_path / "rubrics").mkdir()
    assert Settings().rubrics_dir.resolve() == (tmp_path / "rubrics").resolve()
    monkeypatch.setenv("SCREENING_RUBRICS_DIR", str(tmp_path / "ailleurs"))
    assert Settings().rubrics_dir == tmp_path / "ailleurs"
