"""The only public routes under /conseiller/: login (password or OIDC), logout, the stylesheet."""

from __future__ import annotations

import asyncio
import logging
import secrets

import httpx
from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse
from sqlmodel import Session

from chatbot.settings import Settings
from chatbot.web import auth
from chatbot.web.dashboard.templating import STATIC, render
from storage import repo

log = logging.getLogger(__name__)
router = APIRouter(prefix="/conseiller")

REFUSED = "Adresse ou mot de passe incorrect."
LOCKED = "Trop d'essais manqués : ce compte est bloqué quelques minutes. Réessayez plus tard."
OIDC_FAILED = "La connexion n'a pas abouti. Réessayez, ou connectez-vous avec votre mot de passe."
OIDC_UNKNOWN = "Aucun compte conseiller actif pour cette adresse. Contactez votre administrateur."


def _login_form(request: Request, settings: Settings, suite: str, error: str | None, status=200):
    state = auth.login_state(request, settings)
    state.setdefault("csrf", secrets.token_urlsafe(24))
    response = render(
        request,
        "login.html",
        status_code=status,
        login_csrf=state["csrf"],
        suite=auth.safe_next(suite),
        error=error,
        oidc=settings.oidc_enabled,
    )
    auth.save_login_state(response, state, settings)
    return response


@router.get("/connexion", name="login")
def login_page(request: Request, suite: str = "", settings: Settings = Depends(auth.app_settings)):
    return _login_form(request, settings, suite, None)


@router.post("/connexion")
async def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    suite: str = Form(""),
    db: Session = Depends(auth.db_session),
    settings: Settings = Depends(auth.app_settings),
    policy: auth.LoginPolicy = Depends(auth.login_policy),
):
    expected = auth.login_state(request, settings).get("csrf", "")
    if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
        return _login_form(request, settings, suite, "Formulaire expiré : réessayez.", 403)
    outcome = await run_in_threadpool(auth.check_password, db, email, password, policy)
    if outcome.email is None:
        await asyncio.sleep(policy.delay(outcome.failures))
        message = LOCKED if outcome.locked else REFUSED
        return _login_form(request, settings, suite, message, 429 if outcome.locked else 401)
    response = RedirectResponse(auth.safe_next(suite), status_code=303)
    auth.open_session(response, outcome.email, settings)
    return response


@router.post("/deconnexion", name="logout")
def logout(
    counsellor: auth.CurrentCounsellor = Depends(auth.csrf_checked),
    settings: Settings = Depends(auth.app_settings),
):
    response = RedirectResponse(auth.LOGIN_PATH, status_code=303)
    auth.close_session(response, settings)
    return response


@router.get("/static/dashboard.css", include_in_schema=False)
def stylesheet():
    return FileResponse(STATIC / "dashboard.css", media_type="text/css")


# --- OpenID Connect ---------------------------------------------------------------------------


@router.get("/oidc/connexion", name="oidc_login")
async def oidc_login(
    request: Request,
    suite: str = "",
    settings: Settings = Depends(auth.app_settings),
    transport=Depends(auth.oidc_transport),
):
    if not settings.oidc_enabled:
        return _login_form(request, settings, suite, "Connexion par ProConnect non activée.", 404)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier, challenge = auth.pkce_pair()
    try:
        url = await auth.OidcClient(settings, transport).authorization_url(state, nonce, challenge)
    except (httpx.HTTPError, auth.OidcError, KeyError, ValueError):
        log.exception("OIDC discovery failed")
        return _login_form(request, settings, suite, OIDC_FAILED, 502)
    response = RedirectResponse(url, status_code=303)
    saved = auth.login_state(request, settings)
    saved.update(state=state, nonce=nonce, verifier=verifier, suite=auth.safe_next(suite))
    auth.save_login_state(response, saved, settings)
    return response


@router.get("/oidc/retour", name="oidc_callback")
async def oidc_callback(
    request: Request,
    code: str = "",
    state: str = "",
    db: Session = Depends(auth.db_session),
    settings: Settings = Depends(auth.app_settings),
    transport=Depends(auth.oidc_transport),
):
    saved = auth.login_state(request, settings)
    expected = saved.get("state", "")
    if not (settings.oidc_enabled and code and expected):
        return _login_form(request, settings, "", OIDC_FAILED, 400)
    if not secrets.compare_digest(state.encode(), expected.encode()):
        return _login_form(request, settings, "", OIDC_FAILED, 400)
    try:
        client = auth.OidcClient(settings, transport)
        email = await client.email_for(code, saved["verifier"], saved["nonce"])
    except (httpx.HTTPError, auth.OidcError, KeyError, ValueError):
        log.warning("OIDC callback refused", exc_info=True)
        return _login_form(request, settings, "", OIDC_FAILED, 400)
    counsellor = await run_in_threadpool(auth.get_counsellor, db, email)
    if counsellor is None or not counsellor.active:
        return _login_form(request, settings, "", OIDC_UNKNOWN, 403)
    await run_in_threadpool(repo.audit, db, counsellor.email, "login", details={"via": "oidc"})
    response = RedirectResponse(auth.safe_next(saved.get("suite")), status_code=303)
    auth.open_session(response, counsellor.email, settings)
    return response
