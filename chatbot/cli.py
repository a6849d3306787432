"""`screening`: the one command line for trainers, counsellors' admins and developers."""

from __future__ import annotations

import datetime as dt
import json
import sys
from importlib.resources import files
from pathlib import Path

import typer

from chatbot.answers import format_date

PERSONAS = Path(str(files("evals") / "personas"))  # shipped with the package


class Cli(typer.Typer):
    """Typer, with an outdated database schema told in French (exit 2) instead of a traceback."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception as problem:
            from storage.db import SchemaOutdated

            if not isinstance(problem, SchemaOutdated):
                raise
            typer.echo(str(problem), err=True)
            sys.exit(2)


app = Cli(help="Pré-qualification des candidats aux formations.", no_args_is_help=True)
rubrics_app = typer.Typer(help="Rubriques de formation : vérifier, schéma.", no_args_is_help=True)
app.add_typer(rubrics_app, name="rubrics")


def rubrics_dir() -> Path:
    from chatbot.settings import get_settings

    return get_settings().rubrics_dir


@rubrics_app.command("validate")
def rubrics_validate(paths: list[Path] = typer.Argument(None, help="Fichiers YAML à vérifier")):
    """Vérifie des rubriques ; affiche chaque problème avec son fichier et sa ligne."""
    from chatbot.rubric_loader import check_file

    paths = paths or sorted(rubrics_dir().glob("*.yaml"))
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
def rubrics_schema(
    output: Path | None = typer.Option(
        None, help="Fichier à écrire (par défaut schema.json du dossier des rubriques)"
    ),
):
    """Écrit le schéma JSON des rubriques (complétion et vérification dans l'éditeur)."""
    output = output or rubrics_dir() / "schema.json"
    output.write_text(rubric_schema(), encoding="utf-8")
    typer.echo(f"Schéma écrit dans {output}")


def load(rubric: str):
    """A rubric by path or by id; a broken file prints its problems and exits 1."""
    from chatbot.rubric_loader import RubricError, load_rubric

    path = Path(rubric)
    if not path.exists():
        path = rubrics_dir() / f"{rubric}.yaml"
    try:
        return load_rubric(path)
    except RubricError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


def today() -> dt.date:
    return dt.date.today()


def require_pseudonymiser() -> None:
    """No pass-through scrubber: without the pseudonymiser, stop with a French message."""
    from pii import PseudonymizerUnavailable, warm_up

    try:
        warm_up()
    except PseudonymizerUnavailable as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None


@app.command("try")
def try_answer(
    rubric: str,
    criterion_id: str,
    text: str,
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON"),
):
    """Montre comment une réponse à un critère est comprise."""
    from chatbot.conversation import Conversation
    from chatbot.trial import trial

    loaded = load(rubric)
    if criterion_id not in {c.id for c in loaded.criteria}:
        known = ", ".join(c.id for c in loaded.criteria)
        typer.echo(f"Critère inconnu : {criterion_id}. Critères de {loaded.id} : {known}", err=True)
        raise typer.Exit(1)
    require_pseudonymiser()
    conversation, _ = Conversation.begin(loaded)
    conversation.state = conversation.state.model_copy(update={"pending": criterion_id})
    turn = conversation.handle(text, today())
    found = trial(loaded, criterion_id, conversation, turn)
    if as_json:
        typer.echo(json.dumps(found.as_json(), ensure_ascii=False))
        return
    typer.echo("\n".join(found.lines()))


@app.command("simulate")
def simulate(
    rubric: str,
    session: str | None = typer.Option(None, help="Identifiant de la session"),
    as_json: bool = typer.Option(False, "--json", help="Affiche le résultat en JSON"),
):
    """Déroule toute la conversation dans le terminal (aussi depuis un tube)."""
    from chatbot.conversation import Conversation

    loaded = load(rubric)
    require_pseudonymiser()
    conversation, reply = Conversation.begin(loaded, session, scrubber=_scrubber())
    _show(reply)
    while not reply.done:
        line = sys.stdin.readline()
        if not line:
            break
        typer.echo(f"> {line.rstrip()}")
        reply = conversation.handle(line, today()).reply
        _show(reply)
    result = conversation.result()
    typer.echo(result.model_dump_json(indent=2) if as_json else _result_text(result))


def _scrubber():
    from pii import Pseudonymizer

    return Pseudonymizer()


def _show(reply) -> None:
    from chatbot.messages import chat_text

    typer.echo("Assistant : " + chat_text(reply.messages, reply.progress).replace("\n\n", "\n  "))
    if reply.buttons:
        typer.echo("   " + "  ".join(f"[{b.label}]" for b in reply.buttons))


def _result_text(result) -> str:
    lines = ["", f"Résultat ({'complet' if result.complete else 'incomplet'}) :"]
    for c in result.criteria:
        lines.append(f"  {c.label} : {c.verdict} ({c.value!r}) « {c.evidence or ''} »")
    for d in result.dimensions:
        lines.append(f"  {d.label} : niveau {d.level}/{d.max_level} — {d.rationale}")
    lines.append(f"  Mobilité : {result.mobility}")
    lines.append(f"  Disponibilité : {result.availability}")
    lines.append(f"  Signalements : {', '.join(result.flags) or 'aucun'}")
    return "\n".join(lines)


EVAL_FIGURES = {
    "personas": "personas rejouées",
    "criteria_accuracy": "critères justes",
    "dimension_within_range": "niveaux dans la fourchette",
    "questions_per_criterion": "questions par critère",
    "flags_found": "signalements trouvés",
    "completed": "questionnaires terminés",
}


@app.command("eval")
def evaluate(
    rubrics: list[str],
    personas: Path = typer.Option(PERSONAS, help="Dossier des personas"),
    llm: bool = typer.Option(
        False, "--llm", help="Aussi en mode modèle d'IA (SCREENING_LLM_*), côte à côte"
    ),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON"),
):
    """Rejoue les personas et mesure la qualité de la pré-qualification."""
    from chatbot.settings import get_settings
    from evals.fairness import llm_conversation_factory
    from evals.personas import evaluate as run_eval
    from evals.personas import load_personas
    from evals.table import MODES, NO_MODEL, side_by_side

    if llm and not get_settings().llm_enabled:
        typer.echo(NO_MODEL, err=True)
        raise typer.Exit(1)
    loaded = {r.id: r for r in map(load, rubrics)}
    require_pseudonymiser()  # evals replay through the pseudonymiser, as the chat does
    cast = load_personas(personas)
    reports = {"offline": run_eval(loaded, cast)}
    if llm:
        reports["llm"] = run_eval(loaded, cast, llm_conversation_factory())
    if as_json:
        typer.echo(json.dumps(reports if llm else reports["offline"], ensure_ascii=False, indent=2))
        return
    headers = ["", *(MODES[m] for m in reports)]
    rows = [
        [label, *(_figure(key, r[key]) for r in reports.values())]
        for key, label in EVAL_FIGURES.items()
    ]
    for rubric_id in reports["offline"]["per_rubric"]:
        for key in ("criteria_accuracy", "dimension_within_range"):
            figures = [r["per_rubric"][rubric_id][key] for r in reports.values()]
            rows.append([f"{rubric_id} : {EVAL_FIGURES[key]}", *(_figure(key, f) for f in figures)])
    typer.echo(side_by_side(headers, rows))
    for mode, report in reports.items():
        for failure in report["failures"]:
            typer.echo(
                f"ÉCART ({MODES[mode]}) {Path(failure['persona']).stem} · {failure['item']} : "
                f"attendu {failure['expected']}, obtenu {failure['got']}"
            )


def _figure(key: str, value: float | int | None) -> str | None:
    """Shares as French percentages, other figures as they are (decimal comma)."""
    if value is None:
        return None
    if key in ("criteria_accuracy", "dimension_within_range", "flags_found"):
        return f"{value * 100:.1f} %".replace(".", ",")
    return f"{value:g}".replace(".", ",")


@app.command("invite")
def invite(
    candidate_ref: str = typer.Argument(..., help="Référence (pseudonyme) du candidat"),
    training_id: str = typer.Argument(..., help="Identifiant de la formation (rubrique)"),
    session: str | None = typer.Option(None, help="Identifiant de la session"),
):
    """Crée un lien d'invitation signé (valable SCREENING_INVITATION_DAYS jours)."""
    from chatbot.web.invitations import Invitation, InvitationError
    from chatbot.web.screenings import invite as create_invitation

    _report_broken_rubrics()
    try:
        url, _ = create_invitation(Invitation(candidate_ref, training_id, session))
    except InvitationError:
        typer.echo(_unknown_training(training_id, session), err=True)
        raise typer.Exit(1) from None
    typer.echo(url)


def _report_broken_rubrics() -> None:
    """Each broken rubric file, with its line and field, on stderr: it is skipped, the other
    trainings work."""
    from chatbot.rubric_loader import read_folder

    for line in read_folder(rubrics_dir()).report():
        typer.echo(line, err=True)


def _unknown_training(training_id: str, session: str | None) -> str:
    """Which of the training or the session is unknown, and the valid ones."""
    from chatbot.rubric_loader import rubrics_in
    from chatbot.settings import get_settings

    rubrics = rubrics_in(get_settings().rubrics_dir)
    if training_id not in rubrics:
        known = "\n".join(f"  {r.id}  ({r.training.title})" for r in rubrics.values())
        return f"Formation inconnue : « {training_id} ». Formations possibles :\n{known}"
    sessions = rubrics[training_id].training.sessions
    known = "\n".join(
        f"  {s.id}  (du {format_date(s.start)} au {format_date(s.end)})" for s in sessions
    )
    return (
        f"Session inconnue pour {training_id} : « {session} ». Sessions possibles "
        f"(ou aucune, sans --session) :\n{known}"
    )


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Adresse d'écoute (0.0.0.0 : tout le réseau)"),
    port: int = typer.Option(8000, help="Port"),
):
    """Lance le serveur : discussion candidat, espace conseiller, /healthz."""
    from chatbot.web.server import serve as run_server
    from storage.db import get_engine

    get_engine()  # an outdated schema stops here, before the server starts (see Cli)
    require_pseudonymiser()
    run_server(host, port)


db_app = typer.Typer(help="Base de données : version du schéma, migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade():
    """Met le schéma de la base à jour. Une fois par mise en production, serveurs arrêtés ou
    non : les serveurs refusent de démarrer sur un schéma périmé."""
    from storage.db import current_revision, head_revision, upgrade

    engine = upgrade()
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    typer.echo(
        f"Base de données à jour (version {current}, celle du programme : {head_revision()})."
    )


@db_app.command("current")
def db_current():
    """Affiche la version du schéma de la base et celle qu'attend le programme (sortie 1 si
    elles diffèrent)."""
    from storage.db import current_revision, head_revision, make_engine

    engine = make_engine()
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    typer.echo(f"base : {current or 'vide'} ; programme : {head}")
    if current != head:
        raise typer.Exit(1)


@app.command("pii")
def pii_command(
    jsonl: bool = typer.Option(False, "--jsonl", help="Une chaîne JSON par ligne en entrée."),
):
    """Masque les données personnelles du texte lu sur l'entrée standard (UTF-8)."""
    from pii.cli import scrub_jsonl, scrub_to_json

    require_pseudonymiser()
    stdin = typer.get_text_stream("stdin", encoding="utf-8")
    if jsonl:
        for line in scrub_jsonl(stdin):
            typer.echo(line)
    else:
        typer.echo(scrub_to_json(stdin.read()))


# --- counsellors and GDPR operations (dashboard) ------------------------------------------------

counsellors_app = typer.Typer(help="Comptes des conseillers.", no_args_is_help=True)
app.add_typer(counsellors_app, name="counsellors")


@counsellors_app.command("add")
def counsellors_add(
    email: str = typer.Argument(..., help="Adresse e-mail du conseiller"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Lit le mot de passe sur l'entrée standard"
    ),
    oidc_only: bool = typer.Option(False, "--oidc-only", help="Sans mot de passe (ProConnect)"),
):
    """Crée un compte conseiller (ou change son mot de passe et le réactive)."""
    from chatbot.web.auth import add_counsellor
    from storage.db import session_scope

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not oidc_only:
        password = _new_password()
    try:
        with session_scope() as db:
            add_counsellor(db, email, password, actor="cli")
    except ValueError as exc:
        typer.echo(f"Refusé : {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Compte conseiller prêt : {email.strip().lower()}")


# The rule itself is checked by chatbot.web.auth.add_counsellor; it is said here before typing.
PASSWORD_RULE = (
    "Choisissez un mot de passe d'au moins 12 caractères "
    "(une phrase de plusieurs mots est facile à retenir et difficile à deviner)."
)


def _new_password() -> str:
    """Asked twice, hidden, in French (click's own confirmation prompt is in English)."""
    typer.echo(PASSWORD_RULE)
    for _ in range(3):
        first = typer.prompt("Mot de passe", hide_input=True)
        if typer.prompt("Retapez le mot de passe", hide_input=True) == first:
            return first
        typer.echo("Les deux saisies sont différentes. Recommencez.", err=True)
    typer.echo("Compte non créé.", err=True)
    raise typer.Exit(1)


@counsellors_app.command("disable")
def counsellors_disable(email: str = typer.Argument(..., help="Adresse e-mail du conseiller")):
    """Désactive un compte : il ne peut plus se connecter, ses sessions s'arrêtent."""
    from chatbot.web.auth import set_active
    from storage.db import session_scope

    try:
        with session_scope() as db:
            set_active(db, email, False, actor="cli")
    except LookupError:
        typer.echo(f"Compte inconnu : {email}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Compte désactivé : {email}")


@app.command("purge")
def purge(
    days: int | None = typer.Option(
        None, help="Durée de conservation en jours (par défaut SCREENING_RETENTION_DAYS)"
    ),
    include_open: bool = typer.Option(
        False, "--include-open", help="Efface aussi les questionnaires en cours (non terminés)"
    ),
):
    """Efface les questionnaires sans activité depuis la durée de conservation (tracé).
    Les questionnaires en cours sont gardés, sauf avec --include-open."""
    from chatbot.settings import get_settings
    from storage.db import session_scope
    from storage.repo import purge_older_than

    days = days if days is not None else get_settings().retention_days
    with session_scope() as db:
        count = purge_older_than(db, days, actor="cli", include_open=include_open)
    typer.echo(f"{count} questionnaire(s) de plus de {days} jours effacé(s).")


@app.command("erase")
def erase(candidate_ref: str = typer.Argument(..., help="Référence du candidat")):
    """Efface toutes les données d'un candidat (droit à l'effacement ; tracé)."""
    from storage.db import session_scope
    from storage.repo import erase_candidate

    with session_scope() as db:
        count = erase_candidate(db, candidate_ref, actor="cli")
    if not count:
        typer.echo(f"Candidat inconnu : {candidate_ref}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Données effacées : {count} questionnaire(s).")


@app.command("revoke")
def revoke(
    candidate_ref: str = typer.Argument(..., help="Référence du candidat"),
    training_id: str = typer.Argument(..., help="Identifiant de la formation (rubrique)"),
    session: str | None = typer.Option(None, help="Identifiant de la session"),
):
    """Désactive les liens d'invitation déjà envoyés à ce candidat pour cette formation (tracé)."""
    from storage.db import session_scope
    from storage.repo import revoke_link

    with session_scope() as db:
        revoke_link(db, candidate_ref, training_id, session, actor="cli")
    typer.echo(f"Liens désactivés : {candidate_ref} {training_id} {session or ''}".rstrip())


@app.command("remind")
def remind(
    at: str | None = typer.Option(
        None, "--at", help="Heure de référence ISO 8601 (par défaut maintenant), pour essayer"
    ),
):
    """Relance les candidats des campagnes : lien pas ouvert, ou questionnaire pas fini.

    Une relance par candidat au plus SCREENING_REMINDERS_MAX fois, entre 8 h et 20 h (Paris) ;
    pour cron ou un timer systemd (par exemple toutes les heures)."""
    from chatbot.campaigns import remind as send_reminders
    from chatbot.settings import get_settings
    from storage.db import session_scope

    now = dt.datetime.fromisoformat(at) if at else None
    if now is not None and now.tzinfo is None:
        typer.echo("--at : indiquez le fuseau, par exemple 2026-12-04T10:00:00+01:00", err=True)
        raise typer.Exit(2)
    with session_scope() as db:
        sent = send_reminders(db, get_settings(), now)
    if sent.skipped_night:
        typer.echo("Pas de relance la nuit (8 h – 20 h, heure de Paris).")
        return
    typer.echo(
        f"Candidats relancés : {len(sent.reminded)} ({sent.emails} e-mail(s), {sent.sms} SMS,"
        f" {sent.failed} échec(s))."
    )
    if sent.failed:
        raise typer.Exit(1)


@app.command("audit")
def audit(
    screening: int | None = typer.Option(None, help="Un questionnaire (son numéro)"),
    actor: str | None = typer.Option(None, help="Un conseiller (son adresse e-mail), ou cli"),
    action: str | None = typer.Option(
        None, help="read, export, login, override, decision, erase, revoke_link…"
    ),
    days: int = typer.Option(30, help="Les N derniers jours"),
    limit: int = typer.Option(200, help="Nombre de lignes au plus"),
):
    """Journal d'audit : qui a consulté, exporté ou changé quoi, et quand (le plus récent d'abord)."""
    from storage.audit_trail import entries
    from storage.db import session_scope
    from storage.types import utcnow

    since = utcnow() - dt.timedelta(days=days)
    with session_scope() as db:
        rows = entries(
            db, screening_id=screening, actor=actor, action=action, since=since, limit=limit
        )
    for row in rows:
        about = f"questionnaire {row.screening_id}" if row.screening_id else row.candidate_ref or ""
        details = json.dumps(row.details, ensure_ascii=False) if row.details else ""
        typer.echo(f"{row.at:%Y-%m-%d %H:%M:%S}  {row.actor}  {row.action}  {about}  {details}")
    if not rows:
        typer.echo("Aucune entrée.")


@app.command("export-candidate")
def export_candidate_command(
    candidate_ref: str = typer.Argument(..., help="Référence du candidat"),
    output: Path | None = typer.Option(None, help="Fichier JSON à écrire (sinon : l'écran)"),
):
    """Exporte en JSON tout ce qui est gardé sur un candidat (droit d'accès ; tracé)."""
    from storage.db import session_scope
    from storage.repo import export_candidate

    try:
        with session_scope() as db:
            data = export_candidate(db, candidate_ref, actor="cli")
    except LookupError:
        typer.echo(f"Candidat inconnu : {candidate_ref}", err=True)
        raise typer.Exit(1) from None
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Export écrit dans {output}")
    else:
        typer.echo(text)


@app.command("seed-demo")
def seed_demo(
    screenings: int = typer.Option(1000, help="Nombre de questionnaires fictifs"),
    seed: int = typer.Option(7, help="Graine du hasard (mêmes données à chaque fois)"),
):
    """Remplit la base avec des questionnaires fictifs réalistes (démonstration, mesures)."""
    import time

    from chatbot.rubric_loader import rubrics_in
    from chatbot.settings import get_settings
    from chatbot.web.dashboard.demo import seed as seed_screenings
    from storage.db import session_scope

    started = time.perf_counter()
    rubrics = list(rubrics_in(get_settings().rubrics_dir).values())
    with session_scope() as db:
        seed_screenings(db, rubrics, screenings, seed=seed)
    typer.echo(
        f"{screenings} questionnaire(s) fictif(s) créés en {time.perf_counter() - started:.1f} s."
    )


if __name__ == "__main__":
    app()
