"""The lock files match pyproject.toml: every declared dependency is pinned, with hashes, at a
version its specifier allows (after editing pyproject.toml, run `bash requirements/lock`)."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from chatbot.settings import PROJECT_ROOT

PROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PROJECT["optional-dependencies"]


def _pins(name: str) -> dict[str, str]:
    text = (PROJECT_ROOT / "requirements" / name).read_text()
    pins = re.findall(
        r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+) \\\n\s+--hash=sha256:", text, re.M
    )
    return {canonicalize_name(package): version for package, version in pins}


@pytest.mark.parametrize(
    ("lock", "declared"),
    [
        ("main.txt", PROJECT["dependencies"]),
        ("test.txt", PROJECT["dependencies"] + EXTRAS["test"] + EXTRAS["local"]),
    ],
)
def test_every_dependency_is_pinned_with_hashes_within_its_bounds(lock, declared):
    pins = _pins(lock)
    for line in declared:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements/{lock}: run bash requirements/lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
