"""Jinja2 for the dashboard: autoescaping on for every template (whatever its extension), strict
undefined, French filters. Nothing a candidate wrote is ever marked safe."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined

from chatbot.web.dashboard import charts, explain

STATIC = Path(str(files(__package__) / "static"))


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader(__package__, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date=explain.date_text,
        verdict=lambda v: "sans réponse" if v is None else explain.VERDICTS.get(str(v), str(v)),
        method=lambda v: explain.METHODS.get(str(v), str(v)),
        status=lambda v: explain.STATUSES.get(str(v), str(v)),
        decision=lambda v: explain.DECISIONS.get(str(v), "—") if v else "—",
        flag=lambda v: explain.FLAGS.get(str(v), str(v)),
        kind=lambda v: explain.KINDS.get(str(v), str(v)),
        flags=explain.flag_list,
        percent=explain.percent,
        minutes=explain.duration_text,
        score=explain.score_text,
        level=lambda d: explain.level_text(d.level, d.max_level),
    )
    env.globals.update(
        bar_chart=charts.bar_chart,
        OVERRIDDEN=explain.OVERRIDDEN,
        VERDICTS=explain.VERDICTS,
        level_choices=explain.level_choices,
    )
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    counsellor = getattr(request.state, "counsellor", None)
    context.setdefault("counsellor", counsellor)
    context.setdefault("csrf", counsellor.csrf if counsellor else "")
    return templates.TemplateResponse(request, name, context, status_code=status_code)
