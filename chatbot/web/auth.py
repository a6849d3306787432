"""Counsellor authentication: accounts, argon2 passwords, signed session cookies, CSRF, lock-out,
and an optional OpenID Connect login (ProConnect).

Access model: every active counsellor account sees every training (one deployment serves one
agency network). Nobody else sees anything: no anonymous access, no access with an invitation
link (its signature salt differs from the session cookie's), none for deactivated accounts.

The login pages themselves live in `chatbot.web.dashboard.login`; this module holds the mechanism.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Form, HTTPException, Request, Response
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlmodel import Session, select

from chatbot.settings import Settings, get_settings
from chatbot.web.invitations import secret_key
from storage import repo
from storage.db import get_engine
from storage.models import Counsellor
from storage.types import utcnow

SESSION_COOKIE = "screening_conseiller"
LOGIN_COOKIE = "screening_connexion"  # CSRF token of the login form, and the OIDC state
SESSION_HOURS = 10
LOGIN_PATH = "/conseiller/connexion"
_SESSION_SALT = "screening-counsellor-session"
_LOGIN_SALT = "screening-counsellor-login"
# Asymmetric only: "none" or an HMAC keyed with the public key must never pass.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so that both cases take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


# --- dependencies that tests and the standalone app override ---------------------------------


def db_engine() -> sa.Engine:
    return get_engine()


def app_settings() -> Settings:
    return get_settings()


def oidc_transport() -> httpx.AsyncBaseTransport | None:
    """None: the network. Tests give an `httpx.MockTransport` playing the provider."""
    return None


def db_session(engine: sa.Engine = Depends(db_engine)):
    with Session(engine, expire_on_commit=False) as session:
        yield session


# --- accounts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock_minutes: int = 15
    base_delay: float = 0.25  # seconds, doubled at each failure in a row
    max_delay: float = 4.0

    def delay(self, failures: int) -> float:
        """The slow-down after the `failures`-th failure in a row."""
        return 0.0 if failures <= 0 else min(self.base_delay * 2 ** (failures - 1), self.max_delay)


def login_policy() -> LoginPolicy:
    return LoginPolicy()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def get_counsellor(db: Session, email: str) -> Counsellor | None:
    return db.exec(select(Counsellor).where(Counsellor.email == normalise_email(email))).first()


def add_counsellor(db: Session, email: str, password: str | None, *, actor: str) -> Counsellor:
    """Create an account (or reset its password and reactivate it). None: OIDC-only account."""
    email = normalise_email(email)
    if "@" not in email:
        raise ValueError("adresse e-mail invalide")
    if password is not None and len(password) < 12:
        raise ValueError("le mot de passe doit faire au moins 12 caractères")
    counsellor = get_counsellor(db, email) or Counsellor(email=email)
    counsellor.password_hash = hash_password(password) if password is not None else None
    counsellor.active = True
    counsellor.failed_logins = 0
    counsellor.locked_until = None
    db.add(counsellor)
    repo.audit(db, actor, "counsellor_add", details={"email": email}, commit=False)
    db.commit()
    return counsellor


def set_active(db: Session, email: str, active: bool, *, actor: str) -> None:
    counsellor = get_counsellor(db, email)
    if counsellor is None:
        raise LookupError(email)
    counsellor.active = active
    db.add(counsellor)
    repo.audit(db, actor, "counsellor_active", details={"email": email, "active": active})


@dataclass(frozen=True)
class LoginOutcome:
    email: str | None  # set on success
    failures: int = 0  # failures in a row after this attempt (0 on success)
    locked: bool = False


def check_password(
    db: Session, email: str, password: str, policy: LoginPolicy, now: dt.datetime | None = None
) -> LoginOutcome:
    """Verify a password, counting failures; a locked account refuses even the right password."""
    now = now or utcnow()
    counsellor = get_counsellor(db, email)
    if counsellor is None or not counsellor.active or counsellor.password_hash is None:
        _verify(_DUMMY_HASH, password)
        return LoginOutcome(None, failures=1)
    if counsellor.locked_until and counsellor.locked_until > now:
        return LoginOutcome(None, failures=counsellor.failed_logins, locked=True)
    if _verify(counsellor.password_hash, password):
        if _HASHER.check_needs_rehash(counsellor.password_hash):
            counsellor.password_hash = hash_password(password)
        counsellor.failed_logins, counsellor.locked_until = 0, None
        db.add(counsellor)
        repo.audit(db, counsellor.email, "login")
        return LoginOutcome(counsellor.email)
    counsellor.failed_logins += 1
    locked = counsellor.failed_logins >= policy.max_failures
    if locked:
        counsellor.locked_until = now + dt.timedelta(minutes=policy.lock_minutes)
        repo.audit(
            db, "system", "counsellor_locked", details={"email": counsellor.email}, commit=False
        )
    db.add(counsellor)
    db.commit()
    return LoginOutcome(None, failures=counsellor.failed_logins, locked=locked)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- session cookie, CSRF -----------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentCounsellor:
    email: str
    csrf: str


def _serializer(settings: Settings, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(settings), salt=salt)


def cookie_options(settings: Settings) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": settings.public_url.startswith("https://"),
        "path": "/",
    }


def open_session(response: Response, email: str, settings: Settings) -> None:
    payload = {"e": email, "c": secrets.token_urlsafe(24)}
    token = _serializer(settings, _SESSION_SALT).dumps(payload)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, **cookie_options(settings)
    )
    response.delete_cookie(LOGIN_COOKIE, **_deletion_options(settings))


def close_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, **_deletion_options(settings))


def _deletion_options(settings: Settings) -> dict[str, Any]:
    return cookie_options(settings)


def read_session(request: Request, db: Session, settings: Settings) -> CurrentCounsellor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        payload = _serializer(settings, _SESSION_SALT).loads(token, max_age=SESSION_HOURS * 3600)
    except BadData:
        return None
    if not (isinstance(payload, dict) and payload.get("e") and payload.get("c")):
        return None
    counsellor = get_counsellor(db, payload["e"])
    if counsellor is None or not counsellor.active:
        return None
    return CurrentCounsellor(counsellor.email, payload["c"])


def _counsellor(
    request: Request,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
) -> CurrentCounsellor | None:
    counsellor = read_session(request, db, settings)
    request.state.counsellor = counsellor
    return counsellor


def page_counsellor(
    request: Request, counsellor: CurrentCounsellor | None = Depends(_counsellor)
) -> CurrentCounsellor:
    """For pages: anonymous visitors are sent to the login form, then back here."""
    if counsellor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"{LOGIN_PATH}?{urlencode({'suite': target})}"
        raise HTTPException(303, "connexion requise", headers={"Location": location})
    return counsellor


def api_counsellor(
    counsellor: CurrentCounsellor | None = Depends(_counsellor),
) -> CurrentCounsellor:
    if counsellor is None:
        raise HTTPException(401, "connexion requise")
    return counsellor


def csrf_checked(
    csrf: str = Form(""), counsellor: CurrentCounsellor = Depends(page_counsellor)
) -> CurrentCounsellor:
    """For every form a logged-in counsellor posts."""
    if not secrets.compare_digest(csrf.encode(), counsellor.csrf.encode()):
        raise HTTPException(403, "formulaire expiré : rechargez la page")
    return counsellor


def safe_next(target: str | None) -> str:
    """Only our own pages: never an open redirect to another site."""
    if target and target.startswith("/conseiller/") and not target.startswith("//"):
        return target
    return "/conseiller/"


# --- the login form's own CSRF token and the OIDC state, in one short-lived cookie -------------


def login_state(request: Request, settings: Settings) -> dict[str, str]:
    token = request.cookies.get(LOGIN_COOKIE)
    if token:
        try:
            data = _serializer(settings, _LOGIN_SALT).loads(token, max_age=1800)
            if isinstance(data, dict):
                return data
        except BadData:
            pass
    return {}


def save_login_state(response: Response, data: dict[str, str], settings: Settings) -> None:
    token = _serializer(settings, _LOGIN_SALT).dumps(data)
    response.set_cookie(LOGIN_COOKIE, token, max_age=1800, **cookie_options(settings))


# --- OpenID Connect (authorization code + PKCE) --------------------------------------------------


class OidcError(Exception):
    """The provider's answer cannot be trusted; the message is for the log, not the user."""


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def oidc_redirect_uri(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + "/conseiller/oidc/retour"


class OidcClient:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self.transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, timeout=10.0)

    async def metadata(self) -> dict[str, Any]:
        issuer = (self.settings.oidc_issuer or "").rstrip("/")
        async with self._client() as client:
            response = await client.get(f"{issuer}/.well-known/openid-configuration")
        response.raise_for_status()
        meta = response.json()
        if meta.get("issuer", "").rstrip("/") != issuer:
            raise OidcError("issuer mismatch in discovery document")
        return meta

    async def authorization_url(self, state: str, nonce: str, challenge: str) -> str:
        meta = await self.metadata()
        query = {
            "response_type": "code",
            "client_id": self.settings.oidc_client_id,
            "redirect_uri": oidc_redirect_uri(self.settings),
            "scope": self.settings.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"{meta['authorization_endpoint']}?{urlencode(query)}"

    async def email_for(self, code: str, verifier: str, nonce: str) -> str:
        """Exchange the code, verify the ID token (signature, issuer, audience, expiry, nonce)
        and return the counsellor's e-mail (from the ID token or the userinfo endpoint)."""
        meta = await self.metadata()
        async with self._client() as client:
            tokens = await client.post(
                meta["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": oidc_redirect_uri(self.settings),
                    "client_id": self.settings.oidc_client_id,
                    "client_secret": self.settings.oidc_client_secret or "",
                    "code_verifier": verifier,
                },
            )
            if tokens.status_code != 200:
                raise OidcError(f"token endpoint answered {tokens.status_code}")
            jwks = (await client.get(meta["jwks_uri"])).json()
            claims = self._verified(tokens.json().get("id_token", ""), jwks, meta["issuer"])
            if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
                raise OidcError("nonce mismatch")
            email = claims.get("email")
            if not email and meta.get("userinfo_endpoint"):
                email = await self._userinfo_email(client, meta, tokens.json(), jwks)
        if not email:
            raise OidcError("no e-mail in the identity")
        return normalise_email(str(email))

    async def _userinfo_email(self, client, meta, tokens, jwks) -> str | None:
        answer = await client.get(
            meta["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {tokens.get('access_token', '')}"},
        )
        if answer.status_code != 200:
            raise OidcError(f"userinfo endpoint answered {answer.status_code}")
        if answer.headers.get("content-type", "").startswith("application/jwt"):
            return self._verified(answer.text, jwks, meta["issuer"]).get("email")
        return answer.json().get("email")

    def _verified(self, token: str, jwks: dict[str, Any], issuer: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            keys = jwt.PyJWKSet.from_dict(jwks)
            if header.get("alg") not in SIGNING_ALGORITHMS:
                raise OidcError(f"algorithm {header.get('alg')!r} refused")
            kid = header.get("kid")
            key = next(k for k in keys.keys if kid is None or k.key_id == kid)
            return jwt.decode(
                token,
                key.key,
                algorithms=[header["alg"]],
                audience=self.settings.oidc_client_id,
                issuer=issuer,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except (jwt.PyJWTError, StopIteration, KeyError, ValueError) as exc:
            raise OidcError(f"invalid token: {exc}") from exc
