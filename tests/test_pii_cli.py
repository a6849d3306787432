import json

import pytest
from typer.testing import CliRunner

from chatbot.cli import app


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def test_pii_reads_stdin_and_prints_json(runner):
    text = "moi c'est Fatima, tel 0612345678, j'habite à Metz"
    result = runner.invoke(app, ["pii"], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["text"] == "moi c'est <PERSONNE_1>, tel <TELEPHONE_1>, j'habite à Metz"
    assert out["entities"][1] == {
        "type": "PHONE_NUMBER",
        "start": 22,
        "end": 32,
        "placeholder": "<TELEPHONE_1>",
    }


def test_pii_jsonl_one_object_per_line(runner):
    lines = [json.dumps("c jordan 0612345678"), json.dumps("aide-soignante à Reims"), "42", ""]
    result = runner.invoke(app, ["pii", "--jsonl"], input="\n".join(lines).encode("utf-8"))
    assert result.exit_code == 0, result.output
    outs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("text") for o in outs] == [
        "c <PERSONNE_1> <TELEPHONE_1>",
        "aide-soignante à Reims",
        None,
    ]
    assert "error" in outs[2]
