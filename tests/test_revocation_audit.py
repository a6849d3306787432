"""Invitation revocation and the audit of reads (issue 13, findings 11 and 15): a refusal, an
erasure or a counsellor's revocation make the link say "n'est plus valable"; the audit keeps no
real reference after erasure; every read and export is audited and listed by `screening audit`."""

from __future__ import annotations

import datetime as dt
import json
import time

from dashboard_support import RUBRIC, SESSION, add_counsellor, csrf_in, log_in, make_client
from sqlmodel import Session, select
from typer.testing import CliRunner

from chatbot import cli
from chatbot.settings import Settings, get_settings
from chatbot.web import screenings
from chatbot.web.invitations import REVOKED_LINK, Invitation, InvitationError, make_token, open_link
from storage import repo, revocations
from storage.models import AuditLog, Screening
from storage.types import utcnow

runner = CliRunner()


INVITATION = Invitation("FT-REVOKE-1", RUBRIC.id, SESSION)


def _link(invitation=INVITATION) -> str:
    return make_token(invitation, get_settings())


def _refused(token: str) -> bool:
    try:
        open_link(token)
    except InvitationError as refusal:
        assert refusal.message == REVOKED_LINK
        return True
    return False


def test_a_refusal_revokes_the_link_and_a_new_invitation_works(settings_db, monkeypatch):
    with monkeypatch.context() as earlier:  # the link was sent ten seconds ago
        ten_seconds_ago = time.time() - 10
        earlier.setattr(time, "time", lambda: ten_seconds_ago)
        token = _link()
    opening = screenings.open_screening(open_link(token))
    with monkeypatch.context() as earlier:  # the candidate refused five seconds ago
        five_seconds_ago = utcnow() - dt.timedelta(seconds=5)
        earlier.setattr(revocations, "utcnow", lambda: five_seconds_ago)
        screenings.decline(opening.screening_id)
    assert _refused(token)
    assert "n'est plus valable" in REVOKED_LINK
    assert not _refused(_link(Invitation("FT-REVOKE-2", RUBRIC.id, SESSION)))  # someone else
    assert not _refused(_link())  # the counsellor sends a new link: it works


def test_an_erasure_revokes_every_link_and_the_audit_forgets_the_reference(settings_db):
    token = _link()
    other_training = _link(Invitation(INVITATION.candidate_ref, "soudeur"))
    opening = screenings.open_screening(open_link(token))
    with Session(settings_db) as db:
        repo.export_candidate(db, INVITATION.candidate_ref, actor="cli")  # an audited export
        repo.erase_candidate(db, INVITATION.candidate_ref, actor="cli")
        db.commit()
        rows = db.exec(select(AuditLog)).all()
        stored = json.dumps([r.model_dump(mode="json") for r in rows])
        assert db.get(Screening, opening.screening_id).status == "erased"
    assert _refused(token) and _refused(other_training)
    assert INVITATION.candidate_ref not in stored
    assert {r.action for r in rows} >= {"export", "erase"}


def test_a_counsellor_revokes_a_link_from_the_candidate_page(settings_db, tmp_path):
    token = _link()
    opening = screenings.open_screening(open_link(token))
    add_counsellor(settings_db)
    client = make_client(settings_db, Settings(data_dir=tmp_path / "data"))
    log_in(client)
    page = client.get(f"/conseiller/candidatures/{opening.screening_id}")
    assert "Désactiver le lien" in page.text
    answer = client.post(
        f"/conseiller/candidatures/{opening.screening_id}/revoquer-lien",
        data={"csrf": csrf_in(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert _refused(token)
    with Session(settings_db) as db:
        assert db.exec(select(AuditLog).where(AuditLog.action == "revoke_link")).one()


def test_the_command_line_revokes_a_link(settings_db):
    token = _link()
    assert not _refused(token)
    done = runner.invoke(
        cli.app, ["revoke", INVITATION.candidate_ref, RUBRIC.id, "--session", SESSION]
    )
    assert done.exit_code == 0, done.output
    assert _refused(token)


def test_every_read_and_export_is_audited_and_listed_for_an_administrator(settings_db, tmp_path):
    ids = [
        screenings.open_screening(Invitation(f"FT-WALK-{i}", RUBRIC.id, SESSION)).screening_id
        for i in range(12)
    ]
    add_counsellor(settings_db)
    client = make_client(settings_db, Settings(data_dir=tmp_path / "data"))
    log_in(client)
    walked = range(min(ids), max(ids) + 3)  # walking the ids, two past the end
    for screening_id in walked:
        client.get(f"/api/screenings/{screening_id}")
    client.get(f"/conseiller/candidatures/{ids[0]}")
    client.get(f"/conseiller/formations/{RUBRIC.id}/sessions/{SESSION}/export.csv")
    with Session(settings_db) as db:
        reads = db.exec(select(AuditLog).where(AuditLog.action == "read")).all()
        exports = db.exec(select(AuditLog).where(AuditLog.action == "export")).all()
    assert sorted(r.screening_id for r in reads) == sorted([*walked, ids[0]])
    assert {r.actor for r in reads} == {"claire.martin@francetravail.fr"}
    assert len(exports) == 1 and exports[0].details["training_id"] == RUBRIC.id
    listed = runner.invoke(cli.app, ["audit", "--actor", "claire.martin@francetravail.fr"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.count(" read ") == len(walked) + 1
    assert " export " in listed.output
    one = runner.invoke(cli.app, ["audit", "--screening", str(ids[0]), "--action", "read"])
    assert one.output.count(" read ") == 2
