"""Every validation rule has a failing input whose message names the file, the line and the field."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli import app, rubric_schema
from chatbot.rubric_loader import RubricError, check_file, load_rubric

RUBRICS = Path(__file__).resolve().parent.parent / "rubrics"
BASE = RUBRICS / "aide-soignant.yaml"


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = BASE.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in the base rubric"
    path = tmp_path / "cassee.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if fragment in line)


def single_issue(path: Path, field: str, words: str):
    issues = check_file(path)
    assert issues, "the broken rubric was accepted"
    matching = [i for i in issues if i.path.endswith(field) and words in i.message]
    assert matching, "\n".join(map(str, issues))
    issue = matching[0]
    assert issue.file == str(path)
    assert f"{path}:{issue.line}:" in str(issue)
    return issue


def test_all_shipped_rubrics_validate():
    paths = sorted(RUBRICS.glob("*.yaml"))
    assert paths
    for path in paths:
        assert check_file(path) == [], path
        assert load_rubric(path).version


def test_schema_json_is_current():
    assert (RUBRICS / "schema.json").read_text(encoding="utf-8") == rubric_schema()


def test_version_is_a_content_hash(tmp_path):
    same = broken(tmp_path, "# Formation", "# Un autre commentaire — Formation")
    assert load_rubric(same).version == load_rubric(BASE).version
    changed = broken(tmp_path, "seats: 30", "seats: 31")
    assert load_rubric(changed).version != load_rubric(BASE).version


def test_unknown_key_suggests_the_right_one(tmp_path):
    path = broken(
        tmp_path, "    question: Quel âge avez-vous ?", "    quesiton: Quel âge avez-vous ?"
    )
    issue = single_issue(path, "criteria[age].quesiton", "champ inconnu « quesiton »")
    assert "question" in issue.message.split("dire")[1]
    assert issue.line == line_of(path, "quesiton")


def test_missing_field(tmp_path):
    path = broken(tmp_path, "    label: Âge d'au moins 17 ans\n", "")
    issue = single_issue(path, "criteria[age].label", "manquant")
    assert issue.line == line_of(path, "- id: age")


def test_duplicated_criterion_id(tmp_path):
    path = broken(tmp_path, "  - id: permis-b", "  - id: age")
    issue = single_issue(path, ".id", "déjà utilisé")
    assert issue.line == line_of(path, "question: Avez-vous le permis") - 3


def test_duplicated_session_id(tmp_path):
    path = broken(tmp_path, "id: reims-2027-09", "id: reims-2027-01")
    single_issue(path, "sessions[reims-2027-01].id", "déjà utilisé")


def test_yaml_syntax_error(tmp_path):
    path = broken(tmp_path, "    commune: Reims", "    commune: Reims: centre")
    issue = single_issue(path, "", "syntaxe YAML")
    assert issue.line == line_of(path, "commune: Reims: centre")


def test_tab_indentation(tmp_path):
    path = broken(tmp_path, "    commune: Reims", "\tcommune: Reims")
    issue = single_issue(path, "", "tabulation")
    assert issue.line == line_of(path, "commune: Reims")


def test_key_written_twice(tmp_path):
    path = broken(tmp_path, "    commune: Reims", "    commune: Reims\n    commune: Epernay")
    issue = single_issue(path, "training.site.commune", "deux fois")
    assert issue.line == line_of(path, "commune: Epernay")


def test_level_gap(tmp_path):
    path = broken(
        tmp_path,
        "      - level: 3\n        descriptor: Envie précise",
        "      - level: 4\n        descriptor: Envie précise",
    )
    issue = single_issue(path, "criteria[envie-metier].levels", "il manque le niveau 3")
    assert issue.line == line_of(path, "id: envie-metier") + 6


def test_levels_out_of_order(tmp_path):
    text = BASE.read_text(encoding="utf-8")
    start = text.index("      - level: 0\n        descriptor: Pas de raison")
    end = text.index("      - level: 1\n        descriptor: Raison vague")
    level0 = text[start:end]
    path = tmp_path / "ordre.yaml"
    moved = text[:start] + text[end:]
    anchor = "  - id: connaissance-metier"
    path.write_text(
        moved.replace(anchor, level0.rstrip("\n") + "\n\n" + anchor, 1).replace(
            level0 + "      - level: 1", "      - level: 1"
        ),
        encoding="utf-8",
    )
    single_issue(path, "criteria[envie-metier].levels", "dans l'ordre")


def test_dimension_needs_two_levels(tmp_path):
    text = BASE.read_text(encoding="utf-8")
    start = text.index("      - level: 1\n        descriptor: Raison vague")
    end = text.index("  - id: connaissance-metier")
    path = tmp_path / "un-niveau.yaml"
    path.write_text(text[:start] + "\n" + text[end:], encoding="utf-8")
    single_issue(path, "criteria[envie-metier].levels", "au moins deux niveaux")


def test_levels_on_a_closed_criterion(tmp_path):
    path = broken(
        tmp_path,
        "    rule: {min: 17}\n",
        "    rule: {min: 17}\n    levels:\n      - {level: 0, descriptor: x, indicators: [y]}\n",
    )
    single_issue(path, "criteria[age].levels", "seuls les critères de motivation")


def test_rule_not_suited_to_answer_type(tmp_path):
    path = broken(tmp_path, "    rule: {min: 17}", "    rule: {equals: true}")
    issue = single_issue(path, "criteria[age].rule.equals", "ne convient pas")
    assert issue.line == line_of(path, "rule: {equals: true}")


def test_rule_number_expected(tmp_path):
    path = broken(tmp_path, "    rule: {min: 17}", "    rule: {min: dix-sept}")
    single_issue(path, "criteria[age].rule.min", "attend un nombre")


def test_empty_rule(tmp_path):
    path = broken(tmp_path, "    rule: {min: 17}", "    rule: {}")
    single_issue(path, "criteria[age].rule", "vide")


def test_prerequisite_without_rule(tmp_path):
    path = broken(tmp_path, "    rule: {min: 17}\n", "")
    single_issue(path, "criteria[age].rule", "doit avoir une règle")


def test_dimension_with_rule_or_closed_answer(tmp_path):
    path = broken(
        tmp_path,
        "    question: Qu'est-ce qui vous donne envie",
        "    rule: {equals: true}\n    answer: {type: yes_no}\n"
        "    question: Qu'est-ce qui vous donne envie",
    )
    issues = [i for i in check_file(path) if i.path.startswith("criteria[envie-metier]")]
    assert any("texte libre" in i.message for i in issues)
    assert any("pas de règle" in i.message for i in issues)


def test_level_outside_scale(tmp_path):
    path = broken(tmp_path, "rule: {min: b1}", "rule: {min: b9}")
    single_issue(path, "criteria[niveau-francais].rule.min", "n'est pas dans l'échelle « cecrl »")


def test_unknown_scale(tmp_path):
    path = broken(tmp_path, "scale: cecrl}", "scale: langues}")
    single_issue(
        path, "criteria[niveau-francais].answer.scale", "l'échelle « langues » n'existe pas"
    )


def test_level_answer_without_scale(tmp_path):
    path = broken(tmp_path, "{type: level, scale: cecrl}", "{type: level}")
    single_issue(path, "criteria[niveau-francais].answer", "doit nommer son échelle")


def test_option_referenced_by_rule_exists(tmp_path):
    path = broken(tmp_path, "rule: {none_of: [aucun]}", "rule: {none_of: [aucune]}")
    single_issue(path, "criteria[transport].rule.none_of", "l'option « aucune » n'existe pas")


def test_choice_without_options(tmp_path):
    path = broken(
        tmp_path,
        "    answer: {type: yes_no}\n    rule: {equals: true}\n    blocking: true\n\n"
        "  - id: certificat",
        "    answer: {type: choice}\n    blocking: true\n\n  - id: certificat",
    )
    single_issue(path, "criteria[vaccins].answer", "doit lister ses options")


def test_duplicated_option(tmp_path):
    path = broken(tmp_path, "        - id: a-pied", "        - id: voiture")
    single_issue(path, "answer.options[voiture].id", "déjà utilisé")


def test_number_bounds_inverted(tmp_path):
    path = broken(tmp_path, "min: 14, max: 80", "min: 80, max: 14")
    single_issue(path, "criteria[age].answer.min", "plus grande")


def test_session_dates_ordered(tmp_path):
    path = broken(tmp_path, "end: 2027-12-10", "end: 2026-12-10")
    issue = single_issue(path, "sessions[reims-2027-01].end", "avant ou le jour de son début")
    assert issue.line == line_of(path, "end: 2026-12-10")


def test_bad_date(tmp_path):
    path = broken(tmp_path, "start: 2027-01-04", "start: 4 janvier")
    single_issue(path, "sessions[reims-2027-01].start", "AAAA-MM-JJ")


def test_weights_sum_to_100(tmp_path):
    path = broken(tmp_path, "  prerequisites: 40", "  prerequisites: 45")
    issue = single_issue(path, "weights", "100")
    assert issue.line == line_of(path, "weights:")


def test_weight_for_missing_kind(tmp_path):
    text = BASE.read_text(encoding="utf-8")
    start = text.index("  - id: temps-trajet")
    end = text.index("  - id: envie-metier")
    path = tmp_path / "sans-mobilite.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    single_issue(path, "weights.mobility", "aucun critère")


def test_bad_enum_value_lists_the_allowed_ones_in_french(tmp_path):
    path = broken(tmp_path, "    kind: prerequisite", "    kind: prerequis")
    issue = single_issue(path, "criteria[age].kind", "valeurs possibles")
    assert issue.message.endswith("« motivation » ou « readiness »")
    assert " or " not in issue.message


ENGLISH = re.compile(r"\b(expected|found|while|block|mapping|scalar|could not|stream)\b")


def test_every_indentation_slip_gets_a_french_message_at_its_line(tmp_path):
    """Sweep: each line of a real rubric shifted one space left or right."""
    lines = BASE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "decalee.yaml"
    for number, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        for shifted in (" " + line, line[1:] if line.startswith(" ") else None):
            if shifted is None:
                continue
            path.write_text("\n".join([*lines[:number], shifted, *lines[number + 1 :]]) + "\n")
            issues = check_file(path)
            for issue in issues:
                assert not ENGLISH.search(issue.message), (number + 1, shifted, str(issue))
                assert "[" not in issue.path or not re.search(r"criteria\[\d", issue.path)


def test_bad_slug_and_rome(tmp_path):
    path = broken(tmp_path, "rome: [J1501]", "rome: [J15]")
    single_issue(path, "training.rome[0]", "code ROME")
    path = broken(tmp_path, "  - id: age", "  - id: Âge du candidat")
    single_issue(path, "criteria[0].id", "minuscules")


@pytest.mark.parametrize(
    "question, ground",
    [
        ("Êtes-vous mariée ?", "situation de famille"),
        ("Avez-vous des enfants à charge ?", "situation de famille"),
        ("Avez-vous un projet de grossesse ?", "grossesse"),
        ("Quelle est votre nationalité d'origine ?", "origine"),
        ("Pratiquez-vous une religion ?", "religion"),
        ("Êtes-vous syndiqué ?", "syndicales"),
        ("Avez-vous des problèmes de santé ou un handicap ?", "santé"),
        ("Quel est votre numéro de sécurité sociale ?", "sécurité sociale"),
        ("Pouvez-vous donner votre RIB ?", "bancaires"),
    ],
)
def test_forbidden_question(tmp_path, question, ground):
    path = broken(
        tmp_path, "question: Avez-vous le permis de conduire B ?", f"question: {question}"
    )
    issue = single_issue(path, "criteria[permis-b].question", ground)
    assert issue.line == line_of(path, question)


def test_forbidden_option_and_justification(tmp_path):
    path = broken(
        tmp_path,
        "label: Je n'ai pas encore de solution",
        "label: Je dois d'abord trouver un mode de garde",
    )
    single_issue(path, "answer.options[aucun]", "situation de famille")
    justified = broken(
        tmp_path,
        "    label: Permis B\n    question: Avez-vous le permis de conduire B ?",
        "    label: Santé\n    question: Avez-vous un handicap reconnu (RQTH) ?\n"
        "    justification: Aménagements prévus par l'article L5213-6 du Code du travail.",
    )
    assert check_file(justified) == []


def test_vaccination_and_aptitude_are_allowed():
    # the base rubric asks about vaccinations and an aptitude certificate
    assert check_file(BASE) == []


def test_all_errors_reported_at_once(tmp_path):
    path = broken(
        tmp_path, "    question: Quel âge avez-vous ?", "    quesiton: Quel âge avez-vous ?"
    )
    text = path.read_text(encoding="utf-8").replace("  - id: permis-b", "  - id: vaccins")
    text = text.replace(
        "question: Comment viendriez-vous",
        "question: Quelle est votre religion ? Comment viendriez-vous",
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    messages = " | ".join(i.message for i in caught.value.issues)
    assert "quesiton" in messages and "déjà utilisé" in messages and "religion" in messages


def test_missing_schema_line(tmp_path):
    path = broken(tmp_path, "# yaml-language-server: $schema=schema.json\n", "")
    single_issue(path, "", "première ligne")


def test_empty_and_unreadable_files(tmp_path):
    empty = tmp_path / "vide.yaml"
    empty.write_text("", encoding="utf-8")
    assert "vide" in check_file(empty)[0].message
    binary = tmp_path / "binaire.yaml"
    binary.write_bytes(b"\xff\xfe\x00id")
    assert "illisible" in check_file(binary)[0].message


def test_cli_validate_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["rubrics", "validate", *map(str, sorted(RUBRICS.glob("*.yaml")))])
    assert ok.exit_code == 0, ok.output
    path = broken(tmp_path, "  - id: permis-b", "  - id: age")
    bad = runner.invoke(app, ["rubrics", "validate", str(path)])
    assert bad.exit_code == 1
    assert f"{path}:{line_of(path, 'question: Avez-vous le permis') - 3}:" in bad.output
