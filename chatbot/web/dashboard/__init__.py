"""The counsellor dashboard: pages under /conseiller/, JSON under /api/ (docs at /api/docs).

`include_dashboard(app)` adds every route to the one server (before the chat's catch-all mount);
`create_dashboard(...)` builds a standalone app, for tests and benchmarks. Every route except the
login form, the OIDC round trip and the stylesheet requires a logged-in counsellor: the
protected routers carry the login dependency themselves, so a new route cannot forget it.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI

from chatbot.settings import Settings


def include_dashboard(app: FastAPI) -> None:
    from chatbot.web.dashboard import api, campaign, login, pages

    app.include_router(login.router)
    app.include_router(pages.router)
    app.include_router(campaign.router)
    api.include(app)


def create_dashboard(
    engine: sa.Engine | None = None,
    settings: Settings | None = None,
    *,
    login_policy=None,
    oidc_transport=None,
) -> FastAPI:
    """A standalone dashboard app; arguments replace the process-wide engine and settings."""
    from chatbot.web import auth

    app = FastAPI(
        title="Tableau de bord conseiller", docs_url=None, redoc_url=None, openapi_url=None
    )
    include_dashboard(app)
    if engine is not None:
        app.dependency_overrides[auth.db_engine] = lambda: engine
    if settings is not None:
        app.dependency_overrides[auth.app_settings] = lambda: settings
    if login_policy is not None:
        throttle = auth.LoginThrottle(login_policy)  # its own counts, apart from other apps'
        app.dependency_overrides[auth.login_throttle] = lambda: throttle
    if oidc_transport is not None:
        app.dependency_overrides[auth.oidc_transport] = lambda: oidc_transport
    return app
