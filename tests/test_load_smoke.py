"""A small, fast version of benchmarks/load.py: five candidates chat at once with the real server
(subprocess, socket.io as the browser does) and every one of their messages ends up stored.

No latency assertion here (CI machines vary); the figures come from the benchmark itself.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from storage.db import init_db

LOAD_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "load.py"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("load_benchmark", LOAD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def load():
    return _load_benchmark()


@pytest.fixture(scope="module")
def scripts(load):
    every = load.persona_scripts()
    # One persona per training, so every rubric goes through the real server.
    per_training = {s.training_id: s for s in reversed(every)}
    return list(per_training.values())


def _kinds():
    kinds = ["sqlite"]
    if os.environ.get("SCREENING_TEST_POSTGRES_URL"):
        kinds.append("postgresql")
    return kinds


@pytest.mark.parametrize("kind", _kinds())
def test_five_candidates_at_once_finish_without_error_and_every_turn_is_stored(load, scripts, kind):
    level = load.run_level(kind, 5, think=(0.0, 0.0), scripts=scripts)

    assert level.error_detail == {
        "apologies": 0,
        "timeouts": 0,
        "disconnects": 0,
        "exceptions": 0,
        "server_log_errors": 0,
    }
    assert level.completed == 5
    expected_turns = sum(len(scripts[i % len(scripts)].messages) for i in range(5))
    assert level.turns == expected_turns
    assert level.lost_turns == 0
    assert level.duplicated_turns == 0
    assert level.incomplete_screenings == 0


def test_the_database_check_counts_turns_that_were_sent_but_not_stored(load, tmp_path):
    url = f"sqlite:///{tmp_path / 'screening.db'}"
    init_db(url).dispose()
    outcome = load.Outcome("LOAD-NEVER-OPENED", sent=3)

    assert load.check_database(url, [outcome]) == (3, 0, 1)
