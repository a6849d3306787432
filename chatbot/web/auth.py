"""Counsellor authentication: argon2 passwords, login throttling, signed session cookies that
an account change ends, CSRF, and an optional OpenID Connect login (ProConnect).

Access model: every active counsellor account sees every training (one deployment serves one
agency network). Nobody else sees anything: no anonymous access, no access with an invitation
link (its signature salt differs from the session cookie's), none for deactivated accounts.

Login throttling (docs/security.md has the reasoning): every attempt is counted, before the
password is checked, against its network address and against the account, with the `limits`
library; a browser that logged into this account before counts against its own budget (a signed
"device" cookie), so a stranger who spends the account's budget does not lock its counsellor
out. Failures in a row also slow the answers down. Unknown addresses go through exactly the
same steps, so the answer and its timing do not tell whether an account exists.

The login pages themselves live in `chatbot.web.dashboard.login`; account writes live in
`storage.accounts`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Form, HTTPException, Request, Response
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlmodel import Session
from zxcvbn import zxcvbn

from chatbot.settings import Settings, get_settings
from chatbot.signing import secret_key
from storage import accounts, repo
from storage.accounts import get_counsellor, normalise_email
from storage.db import get_engine

SESSION_COOKIE = "screening_conseiller"
LOGIN_COOKIE = "screening_connexion"  # CSRF token of the login form, and the OIDC state
DEVICE_COOKIE = "screening_appareil"  # this browser logged into this account before
SESSION_HOURS = 10
DEVICE_DAYS = 365
LOGIN_PATH = "/conseiller/connexion"
_SESSION_SALT = "screening-counsellor-session"
_LOGIN_SALT = "screening-counsellor-login"
_DEVICE_SALT = "screening-counsellor-device"
# Asymmetric only: "none" or an HMAC keyed with the public key must never pass.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
# argon2id, RFC 9106's second recommended profile: 64 MiB, 3 passes, 4 lanes (about 60 ms here).
_HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
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


# --- passwords ----------------------------------------------------------------------------------

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0..4: 3 is "safely unguessable: moderate protection offline"
# zxcvbn knows the leaked-password lists and English words; these French ones are added.
FRENCH_GUESSES = (
    "motdepasse", "azerty", "azertyuiop", "bonjour", "soleil", "jetaime", "doudou", "chouchou",
    "loulou", "coucou", "marseille", "paris", "france", "francetravail", "poleemploi", "emploi",
    "travail", "conseiller", "conseillere", "formation", "grandest", "strasbourg", "nancy", "metz",
)  # fmt: skip
WEAK_PASSWORD = (
    "ce mot de passe est trop facile à deviner (courant, déjà publié après une fuite, ou proche "
    "de l'adresse) : choisissez une phrase de plusieurs mots"
)


def password_problem(password: str, email: str) -> str | None:
    """Why `password` is refused for `email`, or None. Offline: zxcvbn ships its lists."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"le mot de passe doit faire au moins {MIN_PASSWORD_LENGTH} caractères"
    local = email.split("@")[0]
    hints = [*FRENCH_GUESSES, email, local, *filter(None, re.split(r"[@._+-]+", email))]
    if zxcvbn(password[:100], user_inputs=hints)["score"] < MIN_PASSWORD_SCORE:
        return WEAK_PASSWORD
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def add_counsellor(db: Session, email: str, password: str | None, *, actor: str):
    """Create an account (or change its password and reactivate it; its sessions end).
    None: an OIDC-only account. Raises ValueError (French) for a bad address or password."""
    email = normalise_email(email)
    if "@" not in email:
        raise ValueError("adresse e-mail invalide")
    if password is not None and (problem := password_problem(password, email)):
        raise ValueError(problem)
    password_hash = hash_password(password) if password is not None else None
    return accounts.save_counsellor(db, email, password_hash, actor=actor)


def set_active(db: Session, email: str, active: bool, *, actor: str) -> None:
    accounts.set_active(db, email, active, actor=actor)


# --- login throttling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginPolicy:
    per_address: str = "20/minute;200/day"  # one network address, browsers new to the account
    per_account: str = "5/minute;20/hour"  # one account, from browsers it never logged in from
    per_device: str = "5/minute;20/hour"  # one account, from one browser it logged in from
    base_delay: float = 0.25  # seconds, doubled at each failure in a row
    max_delay: float = 4.0
    storage: str = "memory://"  # several server processes: a shared store, e.g. redis://

    def delay(self, failures: int) -> float:
        """The slow-down after the `failures`-th failure in a row."""
        return 0.0 if failures <= 0 else min(self.base_delay * 2 ** (failures - 1), self.max_delay)


class LoginThrottle:
    """Counts attempts (all of them, before the check) per address and per account or device."""

    def __init__(self, policy: LoginPolicy):
        self.policy = policy
        self.limiter = MovingWindowRateLimiter(storage_from_string(policy.storage))
        self.limits = {
            "address": parse_many(policy.per_address),
            "account": parse_many(policy.per_account),
            "device": parse_many(policy.per_device),
        }

    def attempt(self, address: str, kind: str, key: str) -> bool:
        """Count one attempt; False if a budget is spent (then nothing may be checked). A known
        device counts against its own budget only: colleagues behind one agency address, or a
        stranger there, do not spend it."""
        keys = [(kind, key)] if kind == "device" else [("address", address), (kind, key)]
        return all(
            self.limiter.hit(limit, "login", name, value)
            for name, value in keys
            for limit in self.limits[name]
        )

    def failures(self, kind: str, key: str) -> int:
        """Attempts in the longest window of this account or device, this one excluded."""
        limit = self.limits[kind][-1]
        return limit.amount - self.limiter.get_window_stats(limit, "login", kind, key).remaining - 1

    def forget(self, kind: str, key: str) -> None:
        """A success: this account's or device's budget starts again."""
        for limit in self.limits[kind]:
            self.limiter.clear(limit, "login", kind, key)


@cache
def _throttle(policy: LoginPolicy) -> LoginThrottle:
    return LoginThrottle(policy)


def login_throttle() -> LoginThrottle:
    return _throttle(LoginPolicy())


def throttle_key(request: Request, email: str, settings: Settings) -> tuple[str, str]:
    """("device", id) when this browser logged into this very account before, else
    ("account", e-mail): strangers share the account's budget, its counsellor keeps their own."""
    token = request.cookies.get(DEVICE_COOKIE)
    if token:
        try:
            data = _serializer(settings, _DEVICE_SALT).loads(token, max_age=DEVICE_DAYS * 86400)
            if isinstance(data, dict) and data.get("e") == normalise_email(email) and data.get("d"):
                return "device", str(data["d"])
        except BadData:
            pass
    return "account", normalise_email(email)


def remember_device(response: Response, email: str, settings: Settings) -> None:
    token = _serializer(settings, _DEVICE_SALT).dumps({"e": email, "d": secrets.token_urlsafe(18)})
    options = cookie_options(settings) | {"path": LOGIN_PATH, "samesite": "strict"}
    response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_DAYS * 86400, **options)


def check_password(db: Session, email: str, password: str) -> tuple[str | None, int]:
    """(the account's e-mail, 0) if the password is right, else (None, failures in a row as the
    database counted them). Known and unknown addresses take the same steps."""
    counsellor = get_counsellor(db, email)
    usable = counsellor is not None and counsellor.active and counsellor.password_hash
    stored = counsellor.password_hash if usable else _DUMMY_HASH
    if _verify(stored, password) and usable:
        outdated = _HASHER.check_needs_rehash(stored)
        accounts.record_login(db, counsellor.email, hash_password(password) if outdated else None)
        return counsellor.email, 0
    return None, accounts.count_failure(db, email)


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


def open_session(response: Response, counsellor, settings: Settings) -> None:
    """A cookie naming the account and its session version: an account change ends it."""
    payload = {"e": counsellor.email, "v": counsellor.session_version}
    payload["c"] = secrets.token_urlsafe(24)
    token = _serializer(settings, _SESSION_SALT).dumps(payload)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, **cookie_options(settings)
    )
    response.delete_cookie(LOGIN_COOKIE, **cookie_options(settings))


def close_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, **cookie_options(settings))


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
    if payload.get("v") != counsellor.session_version:
        return None  # logged out, password changed or account disabled since
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


def audit_access(
    request: Request,
    counsellor: CurrentCounsellor | None = Depends(_counsellor),
    db: Session = Depends(db_session),
) -> None:
    """Who looked at which screening, or exported which session, and when: one audit row per
    page or API read (writes are audited by what they do). `screening audit` lists them."""
    route = getattr(request.scope.get("route"), "path", "")
    params = request.path_params
    if counsellor is None or request.method != "GET":
        return
    if "{screening_id}" in route and str(params.get("screening_id", "")).isdigit():
        details = {"route": route}
        screening_id = int(params["screening_id"])
        repo.audit(db, counsellor.email, "read", screening_id=screening_id, details=details)
    elif "export" in route.rsplit("/", 1)[-1]:
        details = {"training_id": params.get("training_id"), "session": params.get("key")}
        details["route"] = route
        repo.audit(db, counsellor.email, "export", details=details)
    else:
        return
    db.commit()


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
