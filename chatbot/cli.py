"""`screening`: the one command line for trainers, counsellors' admins and developers."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from chatbot.settings import PROJECT_ROOT

app = typer.Typer(help="Pré-qualification des candidats aux formations.", no_args_is_help=True)
rubrics_app = typer.Typer(help="Rubriques de formation : vérifier, schéma.", no_args_is_help=True)
app.add_typer(rubrics_app, name="rubrics")

SCHEMA_PATH = PROJECT_ROOT / "rubrics" / "schema.json"


@rubrics_app.command("validate")
def rubrics_validate(paths: list[Path] = typer.Argument(None, help="Fichiers YAML à vérifier")):
    """Vérifie des rubriques ; affiche chaque problème avec son fichier et sa ligne."""
    from chatbot.rubric_loader import check_file

    paths = paths or sorted((PROJECT_ROOT / "rubrics").glob("*.yaml"))
    failed = 0
    for path in paths:
        issues = check_file(path)
        for issue in issues:
            typer.echo(str(issue), err=True)
        failed += bool(issues)
        typer.echo(
            f"{'ERREUR' if issues else 'OK'}  {path}"
            + (f" ({len(issues)} problème(s))" if issues else "")
        )
    raise typer.Exit(1 if failed else 0)


def rubric_schema() -> str:
    from chatbot.rubric import Rubric

    schema = Rubric.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


@rubrics_app.command("schema")
def rubrics_schema(output: Path = typer.Option(SCHEMA_PATH, help="Fichier à écrire")):
    """Écrit le schéma JSON des rubriques (complétion et vérification dans l'éditeur)."""
    output.write_text(rubric_schema(), encoding="utf-8")
    typer.echo(f"Schéma écrit dans {output}")


if __name__ == "__main__":
    app()
