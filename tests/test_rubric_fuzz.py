"""The rubric loader never crashes: `check_file` returns issues, `load_rubric` raises RubricError."""

import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.rubric import Rubric
from chatbot.rubric_loader import RubricError, RubricIssue, check_file, load_rubric

RUBRICS = sorted((Path(__file__).resolve().parent.parent / "rubrics").glob("*.yaml"))
REAL_LINES = RUBRICS[0].read_text(encoding="utf-8").splitlines()
WORKDIR = Path(tempfile.mkdtemp(prefix="rubric-fuzz-"))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

YAML_BITS = [
    "id:", "criteria:", "training:", "levels:", "- ", "  ", "    ", "\n", "\t", ":", ": ", "{", "}",
    "[", "]", ",", "'", '"', "#", "&a", "*a", "<<: *a", "!!python/object:os.system", "!!binary",
    "---", "...", "%YAML 1.1", "|", ">-", "?", "null", "~", "true", "no", "2027-13-45", "1e999",
    "-1", "0x1F", "aide-soignant", "kind: motivation", "answer: {type: yes_no}", "é", "😀",
    "\x00", "\ufeff", "\u2028", "=",
]  # fmt: skip
scalars = st.one_of(
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["null", "~", "[]", "{}", "''", "- a", "&x", "*x", "!!str", "2027-02-30"]),
    st.dates(min_value=dt.date(1, 1, 1)).map(str),
)


def write(content: str | bytes) -> Path:
    path = WORKDIR / "fuzz.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return path


def assert_only_our_errors(path: Path) -> None:
    issues = check_file(path)
    assert isinstance(issues, list)
    assert all(isinstance(i, RubricIssue) and i.line >= 1 and i.message for i in issues)
    try:
        assert isinstance(load_rubric(path), Rubric)
        assert issues == []
    except RubricError as error:
        assert error.issues


@st.composite
def mutated_rubric(draw) -> str:
    lines = list(REAL_LINES)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "indent", "value", "key", "swap"]))
        if operation == "delete":
            del lines[i]
        elif operation == "duplicate":
            lines.insert(i, lines[i])
        elif operation == "indent":
            shift = draw(st.sampled_from(["", " ", "  ", "\t", "      "]))
            lines[i] = shift + lines[i].lstrip(" ") if draw(st.booleans()) else lines[i][1:]
        elif operation == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(scalars)}"
        elif operation == "key":
            indent = " " * draw(st.sampled_from([0, 2, 4, 6]))
            name = draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=12))
            lines.insert(i, f"{indent}{name}: {draw(scalars)}")
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            break
    return "\n".join(lines)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text):
    assert_only_our_errors(write(text))


@FUZZ
@given(st.lists(st.sampled_from(YAML_BITS), max_size=60).map("".join))
def test_yaml_like_text(text):
    assert_only_our_errors(write(text))


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_rubric())
def test_mutated_real_rubric(text):
    assert_only_our_errors(write(text))


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data):
    assert_only_our_errors(write(data))


def test_the_real_rubrics_load():
    for path in RUBRICS:
        assert check_file(path) == []


HOSTILE = {
    "deep-list": "criteria: " + "[" * 5000 + "]" * 5000,
    "deep-map": "id: " + "{a: " * 3000 + "b" + "}" * 3000,
    "deep-dashes": "- " * 2000 + "x",
    "python-tag": "a: !!python/object/apply:os.system ['echo hacked']",
    "bom": "\ufeff# yaml-language-server: $schema=schema.json\nid: x",
    "huge-integer": "x: " + "9" * 5000,
    "control-character": "id: a\x1fb",
    "impossible-date": "training:\n  sessions:\n    - start: 2027-02-30",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_documents(name):
    start = time.monotonic()
    assert_only_our_errors(write(HOSTILE[name]))
    assert time.monotonic() - start < 5


def test_alias_bomb_ends_quickly():
    """An alias bomb ("billion laughs": aliases of aliases) must not hang the loader."""
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        name, previous = chr(97 + i), chr(96 + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    path = WORKDIR / "bomb.yaml"
    path.write_text("\n".join(levels), encoding="utf-8")
    code = (
        "import sys; from chatbot.rubric_loader import check_file; "
        "issues = check_file(sys.argv[1]); assert issues; print('ok')"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            timeout=20,
            cwd=Path(__file__).resolve().parent.parent,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("check_file did not finish within 20 s on an alias bomb")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
