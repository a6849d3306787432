"""Candidates who want no more messages: the link in every e-mail, and "STOP" by SMS.

The e-mail link (its token in the query string, which logs leave out) opens a page with one button (a GET changes nothing: mail scanners follow
links); mail clients' one-click unsubscribe (RFC 8058) posts to the same address. The SMS
gateway posts replies to the webhook, signed with its secret (chatbot/outbox/sms.py).
"""

from __future__ import annotations

import html
import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from chatbot import outbox
from chatbot.outbox.sms import gateway
from chatbot.settings import Settings
from chatbot.web.auth import app_settings, db_session
from storage import campaigns

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

ASK = "Vous ne voulez plus recevoir de message pour cette formation ?"
DONE = (
    "C'est noté : vous ne recevrez plus de message pour cette formation. "
    "Votre lien reste valable si vous voulez quand même répondre au questionnaire."
)
UNKNOWN = "Ce lien n'est pas valable. Il a peut-être été mal copié."


def _page(text: str, form: bool = False, status_code: int = 200) -> HTMLResponse:
    button = (
        '<form method="post"><button type="submit">Ne plus recevoir de message</button></form>'
        if form
        else ""
    )
    body = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Messages France Travail</title></head>"
        f"<body><main><h1>Messages France Travail</h1><p>{html.escape(text)}</p>{button}"
        "</main></body></html>"
    )
    return HTMLResponse(body, status_code=status_code)


@router.get(outbox.STOP_PATH)
def stop_page(jeton: str = "", settings: Settings = Depends(app_settings)):
    if outbox.read_stop_token(jeton, settings) is None:
        return _page(UNKNOWN, status_code=404)
    return _page(ASK, form=True)


@router.post(outbox.STOP_PATH)
def stop(
    jeton: str = "", db: Session = Depends(db_session), settings: Settings = Depends(app_settings)
):
    invitation_id = outbox.read_stop_token(jeton, settings)
    if invitation_id is None or not campaigns.opt_out(db, invitation_id):
        return _page(UNKNOWN, status_code=404)
    db.commit()
    return _page(DONE)


@router.post(outbox.SMS_WEBHOOK_PATH)
async def sms_reply(
    request: Request,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    """A reply to our SMS; "STOP" (or "arrêt") stops every campaign texting that number."""
    sms = gateway(settings)
    if sms is None:
        return Response(status_code=404)
    form = {k: str(v) for k, v in (await request.form()).items()}
    url = settings.public_url.rstrip("/") + outbox.SMS_WEBHOOK_PATH
    try:
        sender = sms.stop_sender(url, form, request.headers)
    except PermissionError:
        return Response(status_code=403)
    if sender:
        stopped = campaigns.opt_out_mobile(db, sender)
        db.commit()
        log.info("SMS stop request: %d campaign(s) stopped", stopped)
    # An empty TwiML answer: no automatic reply text.
    return Response("<Response></Response>", media_type="application/xml")
