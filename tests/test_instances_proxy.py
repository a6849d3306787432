"""Two `screening serve` instances on one PostgreSQL behind HAProxy (Debian's package) with
sticky sessions, as docs/deploiement.md sets them up: 20 scripted candidates chat through the
proxy, one instance is killed (SIGKILL) mid-run, its candidates reload the page through the
proxy, land on the other instance and resume from the database. No turn is lost, none is stored
twice, every screening is completed.

The real servers, proxy, socket.io client and database of benchmarks/load.py; no timing is
asserted (figures come from the benchmark itself).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

LOAD_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "load.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("SCREENING_TEST_POSTGRES_URL"), reason="needs PostgreSQL"
    ),
    pytest.mark.skipif(not Path("/usr/sbin/haproxy").exists(), reason="apt-get install haproxy"),
]


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("load_benchmark", LOAD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_killing_one_of_two_instances_loses_no_turn_and_duplicates_none():
    load = _load_benchmark()
    scripts = load.persona_scripts(one_per_training=True)  # every training goes through

    level = load.run_level(
        "postgresql",
        20,
        think=(0.2, 0.6),
        scripts=scripts,
        instances=2,
        kill_after=0.4,
    )

    killed, survivor = level.per_instance
    assert killed.killed and not survivor.killed
    assert level.reconnects > 0  # some candidates were on the killed instance
    assert level.error_detail == {
        "apologies": 0,
        "timeouts": 0,
        "disconnects": 0,
        "exceptions": 0,
        "server_log_errors": 0,
    }
    assert level.completed == 20
    assert level.lost_turns == 0
    assert level.duplicated_turns == 0
    assert level.incomplete_screenings == 0
