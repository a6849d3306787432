"""Who may see the dashboard: counsellors only. Login, cookies, CSRF, lock-out, OIDC, and every
route refused to anyone else (anonymous, invitation holders, deactivated accounts)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from dashboard_support import (
    EMAIL,
    PASSWORD,
    RUBRIC,
    SESSION,
    add_counsellor,
    csrf_in,
    log_in,
    make_client,
    settings_for,
    store_screening,
)
from sqlmodel import Session

from chatbot.web import auth
from chatbot.web.dashboard import api, pages
from chatbot.web.invitations import Invitation, make_token
from storage.models import Counsellor


@pytest.fixture
def setup(db, tmp_path):
    add_counsellor(db)
    settings = settings_for(tmp_path)
    screening_id = store_screening(db, "cand-secret")
    return db, settings, screening_id


def _urls(screening_id: int):
    values = {"training_id": RUBRIC.id, "key": SESSION, "screening_id": str(screening_id)}
    values["name"] = "swagger-ui.css"  # an API docs asset
    for router in (pages.router, api.router, api.docs):
        for route in router.routes:
            path = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], route.path)
            for method in route.methods:
                yield method, path


def test_every_dashboard_and_api_route_refuses_anonymous_visitors(setup):
    db, settings, screening_id = setup
    client = make_client(db, settings)
    urls = list(_urls(screening_id))
    assert len(urls) >= 15
    for method, path in urls:
        answer = client.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert answer.status_code == 401, (method, path)
        else:
            assert answer.status_code == 303, (method, path)
            assert answer.headers["location"].startswith("/conseiller/connexion?suite=")
        assert "cand-secret" not in answer.text


def test_an_invitation_link_gives_no_access(setup):
    db, settings, screening_id = setup
    client = make_client(db, settings)
    token = make_token(Invitation("cand-secret", RUBRIC.id, SESSION), settings)
    client.cookies.set(auth.SESSION_COOKIE, token)
    for path in (f"/conseiller/candidatures/{screening_id}", f"/api/screenings/{screening_id}"):
        answer = client.get(path, params={"invitation": token}, follow_redirects=False)
        assert answer.status_code in (303, 401) and "cand-secret" not in answer.text


def test_tampered_or_foreign_cookies_and_deactivated_accounts_are_refused(setup):
    db, settings, screening_id = setup
    client = make_client(db, settings)
    assert log_in(client).status_code == 303
    path = f"/api/screenings/{screening_id}"
    assert client.get(path).status_code == 200
    cookie = client.cookies[auth.SESSION_COOKIE]
    _replace_cookie(client, cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))
    assert client.get(path).status_code == 401
    other = make_client(
        db, settings_for(settings.data_dir, secret_key="another-server-secret-of-32-bytes-or-more")
    )
    other.cookies.set(auth.SESSION_COOKIE, cookie)
    assert other.get(path).status_code == 401
    _replace_cookie(client, cookie)
    assert client.get(path).status_code == 200
    with Session(db) as s:
        auth.set_active(s, EMAIL, False, actor="test")
    assert client.get(path).status_code == 401


def _replace_cookie(client, value: str) -> None:
    client.cookies.clear()
    client.cookies.set(auth.SESSION_COOKIE, value)


def test_a_session_for_one_training_never_shows_another_trainings_screening(setup):
    db, settings, _ = setup
    client = make_client(db, settings)
    log_in(client)
    other_training = next(t for t in ("soudeur", "conducteur-ligne") if t != RUBRIC.id)
    url = f"/conseiller/formations/{other_training}/sessions/{SESSION}"
    assert client.get(url).status_code == 404
    assert client.get(url + "/export.csv").status_code == 404


def test_login_sets_a_secure_session_cookie_and_logout_ends_it(setup, tmp_path):
    db, _, _ = setup
    settings = settings_for(tmp_path, public_url="https://screening.example.fr")
    client = make_client(db, settings)
    answer = log_in(client, suite="/conseiller/formations/x/statistiques")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/conseiller/formations/x/statistiques"
    cookie = next(
        h for h in answer.headers.get_list("set-cookie") if h.startswith(auth.SESSION_COOKIE + "=")
    )
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered
    plain = make_client(db, settings_for(tmp_path))
    cookie = next(
        h for h in log_in(plain).headers.get_list("set-cookie") if h.startswith(auth.SESSION_COOKIE)
    )
    assert "secure" not in cookie.lower()
    home = plain.get("/conseiller/")
    plain.post("/conseiller/deconnexion", data={"csrf": csrf_in(home.text)})
    assert plain.get("/api/trainings").status_code == 401


def test_login_never_redirects_to_another_site(setup):
    db, settings, _ = setup
    client = make_client(db, settings)
    for target in ("https://evil.example/", "//evil.example/", "/api/../../x"):
        assert log_in(client, suite=target).headers["location"] == "/conseiller/"


def test_login_form_needs_its_csrf_token(setup):
    db, settings, _ = setup
    client = make_client(db, settings)
    answer = client.post(
        "/conseiller/connexion", data={"email": EMAIL, "password": PASSWORD, "csrf": "forged"}
    )
    assert answer.status_code == 403 and auth.SESSION_COOKIE not in client.cookies


def test_passwords_are_stored_as_argon2_hashes(setup):
    db, _, _ = setup
    with Session(db) as s:
        stored = auth.get_counsellor(s, EMAIL.upper()).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(setup):
    db, settings, _ = setup
    client = make_client(db, settings)
    unknown = log_in(client, email="nobody@francetravail.fr")
    wrong = log_in(client, password="not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Adresse ou mot de passe incorrect." in unknown.text


# --- OIDC with a fake provider ------------------------------------------------------------------

ISSUER = "https://proconnect.example"
CLIENT_ID = "screening-client"


class FakeProvider:
    """Plays an OIDC provider over httpx.MockTransport: discovery, token (checks PKCE), JWKS."""

    def __init__(self, email: str = EMAIL):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.email = email
        self.codes: dict[str, dict] = {}
        self.claims_override: dict = {}
        self.algorithm = "RS256"

    def authorize(self, location: str) -> str:
        query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        assert query["code_challenge_method"] == "S256" and query["client_id"] == CLIENT_ID
        code = f"code-{len(self.codes)}"
        self.codes[code] = query
        return code

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                },
            )
        if path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return httpx.Response(200, json={"keys": [{**jwk, "kid": "k1", "use": "sig"}]})
        if path == "/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            asked = self.codes.pop(form["code"], None)
            digest = hashlib.sha256(form["code_verifier"].encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if asked is None or asked["code_challenge"] != challenge:
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(
                200, json={"access_token": "at", "id_token": self.id_token(asked)}
            )
        if path == "/userinfo":
            return httpx.Response(200, json={"email": self.email})
        return httpx.Response(404)

    def id_token(self, asked: dict) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "u1", "iat": now, "exp": now + 300}
        claims |= {"nonce": asked["nonce"], **self.claims_override}
        if self.algorithm == "none":
            return jwt.encode(claims, None, algorithm="none")
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})


def _oidc_client(db, tmp_path, provider):
    settings = settings_for(
        tmp_path, oidc_issuer=ISSUER, oidc_client_id=CLIENT_ID, oidc_client_secret="s3cret"
    )
    return make_client(db, settings, oidc_transport=provider.transport())


def _round_trip(client, provider, tamper_state: bool = False):
    start = client.get("/conseiller/oidc/connexion?suite=/conseiller/", follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"].startswith(f"{ISSUER}/authorize?")
    state = parse_qs(urlparse(start.headers["location"]).query)["state"][0]
    code = provider.authorize(start.headers["location"])
    return client.get(
        "/conseiller/oidc/retour",
        params={"code": code, "state": "forged" if tamper_state else state},
        follow_redirects=False,
    )


def test_oidc_login_with_pkce_logs_a_known_counsellor_in(db, tmp_path):
    add_counsellor(db, password=None)
    provider = FakeProvider()
    client = _oidc_client(db, tmp_path, provider)
    assert "ProConnect" in client.get("/conseiller/connexion").text
    back = _round_trip(client, provider)
    assert back.status_code == 303 and back.headers["location"] == "/conseiller/"
    assert client.get("/api/trainings").status_code == 200


@pytest.mark.parametrize(
    "problem", ["state", "nonce", "audience", "expired", "alg_none", "unknown_email"]
)
def test_oidc_callback_refuses_anything_untrustworthy(db, tmp_path, problem):
    add_counsellor(db, password=None)
    provider = FakeProvider(email="stranger@example.fr" if problem == "unknown_email" else EMAIL)
    provider.claims_override = {
        "nonce": {"nonce": "other"},
        "audience": {"aud": "someone-else"},
        "expired": {"exp": int(time.time()) - 10},
    }.get(problem, {})
    provider.algorithm = "none" if problem == "alg_none" else "RS256"
    client = _oidc_client(db, tmp_path, provider)
    back = _round_trip(client, provider, tamper_state=problem == "state")
    assert back.status_code in (400, 403)
    assert auth.SESSION_COOKIE not in client.cookies
    assert client.get("/api/trainings").status_code == 401


def test_oidc_is_off_when_not_configured(setup):
    db, settings, _ = setup
    client = make_client(db, settings)
    assert "ProConnect" not in client.get("/conseiller/connexion").text
    assert client.get("/conseiller/oidc/connexion", follow_redirects=False).status_code == 404
    assert client.get("/conseiller/oidc/retour?code=x&state=y").status_code == 400


def test_counsellor_accounts_are_normalised_and_need_long_passwords(db):
    with Session(db) as s:
        with pytest.raises(ValueError, match="12 caractères"):
            auth.add_counsellor(s, "a@b.fr", "short", actor="test")
        auth.add_counsellor(s, "  Jean.Dupont@FranceTravail.fr ", None, actor="test")
        assert s.get(Counsellor, 1).email == "jean.dupont@francetravail.fr"
