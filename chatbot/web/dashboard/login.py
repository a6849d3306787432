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
from storage import accounts

log = logging.getLogger(__name__)
router = APIRouter(prefix="/conseiller")

REFUSED = "Adresse ou mot de passe incorrect."
THROTTLED = (
    "Trop d'essais en peu de temps. Attendez quelques minutes, puis réessayez. "
    "Si vous avez oublié votre mot de passe, contactez votre administrateur."
)
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
    throttle: auth.LoginThrottle = Depends(auth.login_throttle),
):
    expected = auth.login_state(request, settings).get("csrf", "")
    if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
        return _login_form(request, settings, suite, "Formulaire expiré : réessayez.", 403)
    kind, key = auth.throttle_key(request, email, settings)
    # Counted here, on the event loop, before any await: parallel attempts cannot slip through.
    if not throttle.attempt(_address(request), kind, key):
        return _login_form(request, settings, suite, THROTTLED, 429)
    signed_in, _ = await run_in_threadpool(auth.check_password, db, email, password)
    if signed_in is None:
        await asyncio.sleep(throttle.policy.delay(throttle.failures(kind, key) + 1))
        return _login_form(request, settings, suite, REFUSED, 401)
    throttle.forget(kind, key)
    counsellor = await run_in_threadpool(auth.get_counsellor, db, signed_in)
    response = RedirectResponse(auth.safe_next(suite), status_code=303)
    auth.open_session(response, counsellor, settings)
    auth.remember_device(response, counsellor.email, settings)
    return response


def _address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: run uvicorn with
    --proxy-headers and --forwarded-allow-ips so that this is the real client)."""
    return request.client.host if request.client else "unknown"


@router.post("/deconnexion", name="logout")
def logout(
    counsellor: auth.CurrentCounsellor = Depends(auth.csrf_checked),
    db: Session = Depends(auth.db_session),
    settings: Settings = Depends(auth.app_settings),
):
    """Ends every session of the account, on every browser."""
    accounts.end_sessions(db, counsellor.email)
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
    await run_in_threadpool(accounts.record_login, db, counsellor.email, via="oidc")
    response = RedirectResponse(auth.safe_next(saved.get("suite")), status_code=303)
    auth.open_session(response, counsellor, settings)
    return response
