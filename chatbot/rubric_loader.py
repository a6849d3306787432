"""Reading rubric files: YAML with line numbers, plain-French error messages, content hash."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from rapidfuzz import process

from chatbot import rubric as rubric_models
from chatbot.rubric import Rubric
from chatbot.rubric_checks import check

SCHEMA_LINE = "# yaml-language-server: $schema=schema.json"
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@dataclass(frozen=True)
class RubricIssue:
    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path} :" if self.path else ""
        return f"{self.file}:{self.line}:{self.column}:{where} {self.message}"


class RubricError(Exception):
    def __init__(self, issues: list[RubricIssue]):
        self.issues = issues
        super().__init__("\n".join(map(str, issues)))


def load_rubric(path: str | Path) -> Rubric:
    rubric, issues = _read(Path(path))
    if issues:
        raise RubricError(issues)
    return rubric


def check_file(path: str | Path) -> list[RubricIssue]:
    return _read(Path(path))[1]


@dataclass(frozen=True)
class RubricFolder:
    """The rubrics of a folder that load, and the files that do not (skipped, with why)."""

    rubrics: dict[str, Rubric]
    broken: dict[str, list[RubricIssue]]

    def report(self) -> list[str]:
        """One French line per problem: file, line, column, field and what is wrong."""
        return [
            f"Rubrique ignorée : {issue}" for issues in self.broken.values() for issue in issues
        ]


@cache
def read_folder(directory: Path) -> RubricFolder:
    """Read once per process: a rubric edited later is read at the next start."""
    rubrics, broken = {}, {}
    for path in sorted(Path(directory).glob("*.yaml")):
        rubric, issues = _read(path)
        if rubric is None:
            broken[str(path)] = issues
        else:
            rubrics[rubric.id] = rubric
    return RubricFolder(rubrics, broken)


def rubrics_in(directory: Path) -> dict[str, Rubric]:
    """The rubrics of a folder that load; a broken file is skipped (see `read_folder`)."""
    return read_folder(Path(directory)).rubrics


def content_hash(rubric: Rubric) -> str:
    canonical = json.dumps(rubric.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


# --- reading -------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[Rubric | None, list[RubricIssue]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [RubricIssue(name, 1, 1, "", f"fichier illisible ({exc})")]
    try:
        node, raw = _parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote is found at the end of the file: point at where it opened.
        unclosed = "end of stream" in (exc.problem or "")
        mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [
            RubricIssue(name, line, col, "", f"erreur de syntaxe YAML : {_yaml_problem(exc)}")
        ]
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        return None, [
            RubricIssue(name, line, 1, "", "caractère invisible ou interdit dans le texte")
        ]
    except RecursionError:
        return None, [RubricIssue(name, 1, 1, "", "le fichier est trop imbriqué pour être lu")]
    if node is None:
        return None, [RubricIssue(name, 1, 1, "", "le fichier est vide")]
    marks: dict[tuple, tuple[int, int]] = {}
    issues = [
        RubricIssue(name, line, col, _dotted(p, raw), msg)
        for p, msg, (line, col) in _index(node, (), marks)
    ]
    if not isinstance(raw, dict):
        return None, [
            *issues,
            RubricIssue(name, 1, 1, "", "le fichier doit contenir des champs (clé : valeur)"),
        ]

    def issue(loc: tuple, message: str) -> RubricIssue:
        line, col = _nearest_mark(marks, loc)
        return RubricIssue(name, line, col, _dotted(loc, raw), message)

    rubric = None
    try:
        rubric = Rubric.model_validate(raw)
    except ValidationError as exc:
        issues += [issue(loc, msg) for loc, msg in _structural_messages(exc, raw)]
    issues += [issue(loc, msg) for loc, msg in check(raw)]
    if not text.lstrip().startswith(SCHEMA_LINE):
        issues.append(RubricIssue(name, 1, 1, "", f"la première ligne doit être « {SCHEMA_LINE} »"))
    issues.sort(key=lambda i: (i.line, i.column))
    if issues:
        return None, issues
    rubric._version = content_hash(rubric)
    return rubric, []


class _RubricYamlLoader(yaml.SafeLoader):
    """Safe YAML with no aliases (no "billion laughs"), dates left as text for pydantic to check
    (an impossible date gets a line-numbered message) and huge integers kept as text."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "les alias YAML (*nom) ne sont pas acceptés", mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return node.value


_RubricYamlLoader.add_constructor("tag:yaml.org,2002:int", _RubricYamlLoader.construct_yaml_int)


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    loader = _RubricYamlLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


YAML_PROBLEMS = {
    "mapping values are not allowed here": (
        "deux-points inattendu : la ligne est trop décalée, ou un texte contient « : » "
        "(mettez-le entre guillemets)"
    ),
    "could not find expected ':'": "il manque « : » après un nom de champ",
    "found character '\\t' that cannot start any token": "tabulation interdite : indentez avec des espaces",
    "expected <block end>, but found '-'": "tiret mal aligné : vérifiez l'indentation de la liste",
    "expected <block end>, but found": (
        "cette ligne n'est pas alignée sur les autres lignes du même bloc : vérifiez les espaces "
        "en début de ligne"
    ),
    "did not find expected key": "ligne mal alignée : vérifiez les espaces en début de ligne",
    "did not find expected '-' indicator": "tiret mal aligné : vérifiez l'indentation de la liste",
    "found unexpected end of stream": "guillemet ouvert mais jamais fermé",
    "found unknown escape character": "caractère « \\ » inattendu entre guillemets doubles",
    "expected ',' or '}'": "il manque une virgule ou « } » dans { … }",
    "expected ',' or ']'": "il manque une virgule ou « ] » dans [ … ]",
    "found undefined tag handle": "le caractère « ! » ne peut pas commencer une valeur : mettez-la entre guillemets",
    "found character '@' that cannot start any token": "« @ » ne peut pas commencer une valeur : mettez-la entre guillemets",
    "found character '`' that cannot start any token": "« ` » ne peut pas commencer une valeur : mettez-la entre guillemets",
    "expected alphabetic or numeric character": "« & » ou « * » ne peut pas commencer une valeur : mettez-la entre guillemets",
    "expected a single document": "un seul document par fichier : retirez la ligne « --- »",
}


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's English message in plain French; never the English itself."""
    problem = (exc.problem or exc.context or "").strip()
    return next(
        (fr for en, fr in YAML_PROBLEMS.items() if problem.startswith(en)),
        "le texte n'a pas la forme attendue à cet endroit : vérifiez l'indentation, "
        "les deux-points et les guillemets",
    )


def _index(node: yaml.Node, path: tuple, marks: dict) -> list[tuple[tuple, str, tuple[int, int]]]:
    """Record where each path starts in the file; report keys written twice."""
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    duplicates = []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*path, key)
            if key in seen:
                duplicates.append(
                    (
                        child,
                        f"le champ « {key} » est écrit deux fois",
                        (key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    )
                )
            seen.add(key)
            duplicates += _index(value_node, child, marks)
            marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            duplicates += _index(item, (*path, index), marks)
    return duplicates


def _nearest_mark(marks: dict, loc: tuple) -> tuple[int, int]:
    for end in range(len(loc), -1, -1):
        if loc[:end] in marks:
            return marks[loc[:end]]
    return 1, 1


def _dotted(loc: tuple, raw: Any = None) -> str:
    """criteria[age].rule.min: list items are named by their `id` when they have one."""
    out, current = "", raw
    for part in loc:
        if isinstance(part, int):
            item = current[part] if isinstance(current, list) and part < len(current) else None
            name = item.get("id") if isinstance(item, dict) else None
            out += f"[{name}]" if isinstance(name, str) and SLUG.match(name) else f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
            item = current.get(part) if isinstance(current, dict) else None
        current = item
    return out


# --- plain-French messages for pydantic errors ---------------------------------------------------


def _field_names() -> list[str]:
    names = set()
    for obj in vars(rubric_models).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names |= set(obj.model_fields)
    return sorted(names)


def _data_path(loc: tuple, raw: Any) -> tuple:
    """Drop pydantic's union tags ('date', "literal[...]") that are not part of the file."""
    kept, current = [], raw
    for part in loc:
        if isinstance(current, dict):
            kept.append(part)
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            kept.append(part)
            current = current[part]
        else:
            break
    return tuple(kept)


def _structural_messages(exc: ValidationError, raw: Any) -> list[tuple[tuple, str]]:
    by_loc: dict[tuple, list[str]] = {}
    for error in exc.errors():
        loc = _data_path(error["loc"], raw)
        message = _message(error, loc)
        if message not in by_loc.setdefault(loc, []):
            by_loc[loc].append(message)
    return [(loc, " ou ".join(msgs) if len(msgs) > 1 else msgs[0]) for loc, msgs in by_loc.items()]


PATTERN_HINTS = {
    "rome": "un code ROME est une lettre et quatre chiffres (ex. J1501)",
    "postal_code": "un code postal a cinq chiffres (ex. 51100)",
    "rncp": "un code RNCP s'écrit RNCP suivi de chiffres (ex. RNCP35830)",
}


def _message(error: dict, loc: tuple) -> str:
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return f"champ obligatoire manquant : « {loc[-1]} »"
    if kind == "extra_forbidden":
        guess = process.extractOne(str(loc[-1]), _field_names(), score_cutoff=75)
        hint = f" (vouliez-vous dire « {guess[0]} » ?)" if guess else ""
        return f"champ inconnu « {loc[-1]} »{hint}"
    if kind == "string_pattern_mismatch":
        return f"« {value} » : " + PATTERN_HINTS.get(
            field,
            (
                "un identifiant s'écrit en minuscules sans accents, avec des chiffres et des tirets "
                "(ex. permis-b)"
            ),
        )
    if kind in ("enum", "literal_error"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        listed = ", ".join(f"« {a} »" for a in allowed[:-1])
        listed = (
            f"{listed} ou « {allowed[-1]} »" if listed else "".join(f"« {a} »" for a in allowed)
        )
        return f"valeur « {value} » non reconnue ; valeurs possibles : {listed}"
    if kind.startswith(("int_", "float_")):
        return f"nombre attendu, pas « {value} »"
    if kind.startswith("bool_"):
        return f"oui ou non attendu (écrivez true ou false), pas « {value} »"
    if kind.startswith("date_"):
        return f"date attendue au format AAAA-MM-JJ (ex. 2027-01-04), pas « {value} »"
    if kind == "string_type":
        return "texte attendu"
    if kind == "list_type":
        return "liste attendue (des lignes qui commencent par « - »)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "bloc de champs attendu (des lignes « nom : valeur » indentées)"
    if kind == "too_short":
        return (
            "ce champ est vide"
            if isinstance(value, str)
            else (f"il faut au moins {ctx.get('min_length', 1)} élément(s)")
        )
    if kind in ("greater_than", "greater_than_equal"):
        return f"valeur trop petite : {value} (minimum {ctx.get('gt', ctx.get('ge'))})"
    if kind in ("less_than", "less_than_equal"):
        return f"valeur trop grande : {value} (maximum {ctx.get('lt', ctx.get('le'))})"
    return error["msg"]
