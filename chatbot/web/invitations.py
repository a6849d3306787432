"""Signed, expiring invitation links: the only key a candidate needs to open their screening.

A token names one candidate (pseudonymous reference), one training and optionally one session,
signed with the server's secret. It gives access to that candidate's screening and nothing else.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from chatbot.settings import Settings, get_settings

QUERY_PARAMETER = "invitation"
SECRET_FILE = "secret_key"
_SALT = "screening-invitation"

INVALID_LINK = (
    "Ce lien n'est pas valide. Il a peut-être été mal copié. "
    "Demandez un nouveau lien à votre conseiller France Travail."
)
EXPIRED_LINK = (
    "Ce lien a expiré. Demandez un nouveau lien à votre conseiller France Travail : "
    "il vous l'enverra rapidement."
)
MISSING_LINK = (
    "Pour répondre au questionnaire, ouvrez le lien reçu de votre conseiller France Travail."
)


class InvitationError(Exception):
    """A link that cannot be used; `message` is the plain-French text to show the candidate."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Invitation:
    candidate_ref: str
    training_id: str
    session_id: str | None = None


def secret_key(settings: Settings | None = None) -> str:
    """The configured secret, or one generated on first use and kept in the data dir (0600)."""
    settings = settings or get_settings()
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(settings), salt=_SALT)


def make_token(invitation: Invitation, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    payload = {"c": invitation.candidate_ref, "t": invitation.training_id}
    if invitation.session_id:
        payload["s"] = invitation.session_id
    return _serializer(settings).dumps(payload)


def read_token(token: str | None, settings: Settings | None = None) -> Invitation:
    """The invitation in `token`; raises InvitationError (French message) if missing, tampered
    with or older than `invitation_days`."""
    settings = settings or get_settings()
    if not token:
        raise InvitationError(MISSING_LINK)
    max_age = settings.invitation_days * 24 * 3600
    try:
        payload = _serializer(settings).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvitationError(EXPIRED_LINK) from None
    except BadData:
        raise InvitationError(INVALID_LINK) from None
    if not (isinstance(payload, dict) and payload.get("c") and payload.get("t")):
        raise InvitationError(INVALID_LINK)
    return Invitation(str(payload["c"]), str(payload["t"]), payload.get("s"))


def invitation_url(invitation: Invitation, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    query = urlencode({QUERY_PARAMETER: make_token(invitation, settings)})
    return f"{settings.public_url.rstrip('/')}/?{query}"


def token_in_url(url: str | None) -> str | None:
    """The invitation token in a page address (the browser's Referer), if any."""
    if not url:
        return None
    values = parse_qs(urlparse(url).query).get(QUERY_PARAMETER)
    return values[0] if values else None
