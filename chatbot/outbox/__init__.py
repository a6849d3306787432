"""Messages to candidates: invitations and reminders by e-mail (SMTP) and SMS (a gateway).

Texts are Jinja2 templates in plain French (templates/); `compose` fills them. Nothing here logs
a message's text or link: the links are keys to a candidate's screening.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.resources import files

from itsdangerous import BadData, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chatbot.answers import format_date
from chatbot.settings import Settings
from chatbot.signing import secret_key

TEMPLATES = str(files(__package__) / "templates")
STOP_PATH = "/messages/stop"
SMS_WEBHOOK_PATH = "/messages/sms"
_STOP_SALT = "campaign-opt-out"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    undefined=StrictUndefined,
    autoescape=False,  # plain text for e-mail bodies and SMS
    keep_trailing_newline=False,
)


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str


def compose(
    name: str,
    *,
    training: str,
    deadline: dt.date,
    link: str,
    stop_link: str,
    contact: str,
    started: bool = False,
) -> Composed:
    """`name` is email_invitation, email_reminder, sms_invitation or sms_reminder. An e-mail
    template's first line is "Objet : …" (the subject)."""
    text = _env.get_template(f"{name}.txt").render(
        training=training,
        deadline=format_date(deadline),
        link=link,
        stop_link=stop_link,
        contact=contact,
        started=started,
    )
    if text.startswith("Objet : "):
        subject, _, body = text.partition("\n")
        return Composed(subject.removeprefix("Objet : ").strip(), body.strip() + "\n")
    return Composed("", " ".join(text.split()))


def _stop_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key(settings), salt=_STOP_SALT)


def stop_link(invitation_id: int, settings: Settings) -> str:
    token = _stop_serializer(settings).dumps(invitation_id)
    return f"{settings.public_url.rstrip('/')}{STOP_PATH}?jeton={token}"


def read_stop_token(token: str, settings: Settings) -> int | None:
    try:
        value = _stop_serializer(settings).loads(token)
    except BadData:
        return None
    return value if isinstance(value, int) else None
