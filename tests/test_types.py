"""The type checker on the modules where candidate text travels ([tool.mypy] in pyproject.toml).

Text reaches an understander and the model only typed as `pii.Scrubbed`: mypy passes on those
modules, and refuses a plain `str` handed to either door.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys

import pytest

from chatbot.settings import PROJECT_ROOT


def _mypy() -> list[str]:
    if importlib.util.find_spec("mypy") is not None:
        return [sys.executable, "-m", "mypy"]
    if found := shutil.which("mypy"):
        return [found]
    pytest.skip("mypy is not installed (it is in the test extra)")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("mypy-cache")


def _check(cache, *paths: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_mypy(), "--python-executable", sys.executable, "--cache-dir", str(cache), *paths],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_scrubbed_text_modules_type_check(cache):
    done = _check(cache)  # the files listed in pyproject.toml
    assert done.returncode == 0, done.stdout + done.stderr


LEAKS = """
from chatbot.llm import Instructions, ModelGateway
from chatbot.understanding.base import TurnContext, Understander


def to_the_model(gateway: ModelGateway, raw: str) -> None:
    gateway.text(Instructions("Consigne.", "x.j2"), [raw], purpose="test")


def to_an_understander(understander: Understander, raw: str, context: TurnContext) -> None:
    understander.understand(raw, context)
"""


def test_the_checker_refuses_raw_text_at_either_door(cache, tmp_path):
    leaks = tmp_path / "leaks.py"
    leaks.write_text(LEAKS)
    done = _check(cache, "--follow-imports=silent", "--ignore-missing-imports", str(leaks))
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2 and all('"Scrubbed"' in line for line in errors), done.stdout
