"""Signed, expiring invitation links: the only key a candidate needs to open their screening.

A token names one candidate (pseudonymous reference), one training and optionally one session,
signed with the server's secret. It gives access to that candidate's screening and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlparse

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from chatbot.settings import Settings, get_settings
from chatbot.signing import secret_key
from storage import revocations
from storage.db import session_scope

QUERY_PARAMETER = "invitation"
_SALT = "screening-invitation"

INVALID_LINK = (
    "Ce lien n'est pas valide. Il a peut-être été mal copié. "
    "Demandez un nouveau lien à votre conseiller France Travail."
)
EXPIRED_LINK = (
    "Ce lien a expiré. Demandez un nouveau lien à votre conseiller France Travail : "
    "il vous l'enverra rapidement."
)
REVOKED_LINK = (
    "Ce lien n'est plus valable. Pour répondre au questionnaire, "
    "demandez un nouveau lien à votre conseiller France Travail."
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
    issued_at: dt.datetime | None = field(default=None, compare=False)


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
        payload, issued_at = _serializer(settings).loads(
            token, max_age=max_age, return_timestamp=True
        )
    except SignatureExpired:
        raise InvitationError(EXPIRED_LINK) from None
    except BadData:
        raise InvitationError(INVALID_LINK) from None
    if not (isinstance(payload, dict) and payload.get("c") and payload.get("t")):
        raise InvitationError(INVALID_LINK)
    return Invitation(str(payload["c"]), str(payload["t"]), payload.get("s"), issued_at)


def open_link(token: str | None, settings: Settings | None = None) -> Invitation:
    """`read_token`, and a link revoked since it was issued (refusal, erasure, a counsellor's
    revocation) is refused too. Reads the database: call it from a worker thread."""
    invitation = read_token(token, settings)
    with session_scope() as db:
        revoked = revocations.revoked_at(
            db, invitation.candidate_ref, invitation.training_id, invitation.session_id
        )
    if revoked is not None and invitation.issued_at <= revoked:
        raise InvitationError(REVOKED_LINK)
    return invitation


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
