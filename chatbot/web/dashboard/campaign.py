"""A session's recruitment campaign: invite from a CSV, send, follow the funnel, re-send a link.

Pages under /conseiller/formations/{training}/sessions/{key}/campagne; the same figures as JSON
in the API (api.py) and as CSV here.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from chatbot import campaigns as service
from chatbot import candidates_csv
from chatbot.settings import Settings
from chatbot.web.auth import (
    CurrentCounsellor,
    app_settings,
    audit_access,
    csrf_checked,
    db_session,
    page_counsellor,
)
from chatbot.web.dashboard import common, queries
from chatbot.web.dashboard.charts import bar_chart
from chatbot.web.dashboard.templating import render
from chatbot.web.security import LIST_UPLOAD_BYTES
from storage import campaigns
from storage.models import CampaignInvitation
from storage.types import utcnow

router = APIRouter(
    prefix="/conseiller", dependencies=[Depends(page_counsellor), Depends(audit_access)]
)
CAMPAIGN_PATH = "/formations/{training_id}/sessions/{key}/campagne"
MAX_UPLOAD_BYTES = LIST_UPLOAD_BYTES
PAGE_SIZE = 50

STATUS_LABELS = {
    "invited": "invité",
    "sent": "message envoyé",
    "opened": "lien ouvert",
    "consented": "a accepté",
    "in_progress": "en cours",
    "completed": "terminé",
    "declined": "a refusé",
    "expired": "lien expiré",
    "opted_out": "ne veut plus de message",
}
STEP_LABELS = {
    "invited": "Invités",
    "sent": "Message reçu",
    "opened": "Lien ouvert",
    "consented": "Ont accepté",
    "completed": "Questionnaire terminé",
}


def _base(training_id: str, key: str) -> str:
    return f"/conseiller/formations/{training_id}/sessions/{key}/campagne"


def session_funnel(db: Session, settings: Settings, training_id: str, session_id: str | None):
    return campaigns.funnel(db, training_id, session_id, utcnow(), settings.invitation_days)


@router.get(CAMPAIGN_PATH, name="campaign")
def campaign_page(
    request: Request,
    training_id: str,
    key: str,
    page: int = Query(1, ge=1),
    message: str | None = None,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    session_id = common.session_or_404(db, training_id, key)
    funnel = session_funnel(db, settings, training_id, session_id)
    rubric = common.rubric_of(settings, training_id)
    labels = {c.id: c.label for c in rubric.criteria} if rubric else {}
    dropoff = [
        (labels.get(cid, cid or "avant la première question"), n)
        for cid, n in funnel.dropoff.items()
    ]
    now = utcnow()
    pages = max(1, -(-funnel.invited // PAGE_SIZE))
    shown = campaigns.rows(
        db, training_id, session_id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return render(
        request,
        "campaign.html",
        training=queries.training(db, training_id),
        key=key,
        session_id=session_id,
        base=_base(training_id, key),
        funnel=funnel,
        steps=bar_chart(
            "Candidats arrivés à chaque étape",
            [(STEP_LABELS[s], n) for s, n in funnel.steps.items()],
        ),
        statuses=bar_chart(
            "Où en sont les candidats",
            [(STATUS_LABELS[s], n) for s, n in funnel.statuses.items()],
        ),
        dropoff=bar_chart("Abandons par question", dropoff),
        rows=[(row, STATUS_LABELS[row.status(now, settings.invitation_days)]) for row in shown],
        page=page,
        pages=pages,
        message=message,
        email_enabled=settings.email_enabled,
        sms_enabled=settings.sms_enabled,
        step_labels=STEP_LABELS,
    )


@router.post(CAMPAIGN_PATH + "/apercu", name="campaign_preview")
async def campaign_preview(
    request: Request,
    training_id: str,
    key: str,
    texte: str = Form(""),
    fichier: UploadFile | None = File(None),
    counsellor: CurrentCounsellor = Depends(csrf_checked),
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    """What the pasted or uploaded list gives: line-numbered errors, and the candidates kept."""
    session_id = common.session_or_404(db, training_id, key)
    data: bytes | str = texte
    if fichier is not None and fichier.filename:
        data = await fichier.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        parsed = candidates_csv.Parsed(errors=["Le fichier est trop gros (2 Mo au plus)."])
    else:
        parsed = candidates_csv.parse(data)
    return render(
        request,
        "campaign_preview.html",
        training=queries.training(db, training_id),
        key=key,
        session_id=session_id,
        base=_base(training_id, key),
        parsed=parsed,
        kept=_as_csv(parsed.candidates),
        email_enabled=settings.email_enabled,
        sms_enabled=settings.sms_enabled,
    )


def _as_csv(lines: list[candidates_csv.CandidateLine]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["identifiant", "email", "mobile"])
    for line in lines:
        writer.writerow([line.ref, line.email or "", line.mobile or ""])
    return buffer.getvalue()


@router.post(CAMPAIGN_PATH + "/inviter", name="campaign_invite")
def campaign_invite(
    request: Request,
    training_id: str,
    key: str,
    lignes: str = Form(""),
    envoyer: str = Form(""),
    counsellor: CurrentCounsellor = Depends(csrf_checked),
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    """Create the links at once, send them if asked, and show them."""
    session_id = common.session_or_404(db, training_id, key)
    parsed = candidates_csv.parse(lignes)
    invited = service.invite(
        db, settings, training_id, session_id, parsed.candidates, by=counsellor.email
    )
    sent = None
    if envoyer == "oui":
        sent = service.send_invitations(db, settings, [i.invitation_id for i in invited])
    return render(
        request,
        "campaign_links.html",
        training=queries.training(db, training_id),
        key=key,
        session_id=session_id,
        base=_base(training_id, key),
        invited=invited,
        sent=sent,
    )


@router.get(CAMPAIGN_PATH + "/export-liens.csv", name="campaign_links_csv")
def campaign_links_csv(
    training_id: str,
    key: str,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    """For a mail merge: a fresh link for each candidate who may still answer."""
    session_id = common.session_or_404(db, training_id, key)
    now = utcnow()
    header = ["identifiant", "email", "mobile", "statut", "lien"]
    body = [
        [
            row.ref,
            row.email or "",
            row.mobile or "",
            row.status(now, settings.invitation_days).value,
            link,
        ]
        for row, link in service.links(db, settings, training_id, session_id)
    ]
    return _csv(header, body, f"liens-{training_id}-{key}")


@router.get(CAMPAIGN_PATH + "/export-chiffres.csv", name="campaign_figures_csv")
def campaign_figures_csv(
    training_id: str,
    key: str,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    """The funnel's figures, then drop-off per question."""
    session_id = common.session_or_404(db, training_id, key)
    funnel = session_funnel(db, settings, training_id, session_id)
    body = [[name, "" if value is None else value] for name, value in funnel.figures]
    body += [
        [f"abandon_{cid or 'avant_premiere_question'}", n] for cid, n in funnel.dropoff.items()
    ]
    return _csv(["indicateur", "valeur"], body, f"campagne-{training_id}-{key}")


def _csv(header: list[str], body: list[list], name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(body)
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.post("/campagne/{invitation_id}/renvoyer", name="campaign_resend")
def campaign_resend(
    invitation_id: int,
    counsellor: CurrentCounsellor = Depends(csrf_checked),
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    """Revoke the candidate's links and send a new one (audited)."""
    try:
        sent = service.resend(db, settings, invitation_id, by=counsellor.email)
    except LookupError:
        return Response("introuvable", status_code=404)
    invitation = db.get(CampaignInvitation, invitation_id)
    key = queries.session_key(invitation.session_id)
    channels = sent.emails + sent.sms
    text = (
        f"Ancien lien désactivé. Nouveau lien envoyé ({channels} message(s))."
        if channels
        else "Ancien lien désactivé. Aucun message envoyé : prenez le nouveau lien dans "
        "l'export des liens."
    )
    target = _base(invitation.training_id, key) + "?" + urlencode({"message": text})
    return RedirectResponse(target, status_code=303)
