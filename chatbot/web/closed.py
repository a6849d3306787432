"""Placeholder for the counsellor dashboard (issue 6): pages under /conseiller/, JSON under /api/.

The dashboard replaces this module; `server.build_app` only calls `include_dashboard(app)`,
which must add its routers before the chat (mounted at /) catches every other path. Until then
both areas refuse everyone, so no route there is ever reachable without a login.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

pages = APIRouter(prefix="/conseiller")
api = APIRouter(prefix="/api")

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@pages.api_route("", methods=_METHODS, include_in_schema=False)
@pages.api_route("/{rest:path}", methods=_METHODS, include_in_schema=False)
def pages_closed(rest: str = "") -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='fr'><title>Espace conseiller</title>"
        "<p>Espace conseiller : connexion requise.</p></html>",
        status_code=401,
    )


@api.api_route("", methods=_METHODS, include_in_schema=False)
@api.api_route("/{rest:path}", methods=_METHODS, include_in_schema=False)
def api_closed(rest: str = "") -> JSONResponse:
    return JSONResponse({"detail": "connexion requise"}, status_code=401)


def include_dashboard(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)
