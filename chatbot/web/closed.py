"""Stand-in for the counsellor dashboard (issue 6) while `chatbot.web.dashboard` has no
`include_dashboard(app)`: /conseiller/ and /api/ refuse everyone, so nothing there is ever
reachable without a login. See `server.include_dashboard`.
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
