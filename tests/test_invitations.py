"""Invitation links: signed, expiring, bound to one candidate, with plain-French refusals."""

from __future__ import annotations

import stat
import time

import pytest

from chatbot.settings import Settings
from chatbot.web.invitations import (
    EXPIRED_LINK,
    INVALID_LINK,
    MISSING_LINK,
    Invitation,
    InvitationError,
    invitation_url,
    make_token,
    read_token,
    secret_key,
    token_in_url,
)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", public_url="https://chat.example.fr/")


def test_a_token_gives_back_its_invitation(settings):
    invitation = Invitation("FT-123", "soudeur", "yutz-2027-01")
    assert read_token(make_token(invitation, settings), settings) == invitation
    without_session = Invitation("FT-124", "aide-soignant")
    assert read_token(make_token(without_session, settings), settings) == without_session


def test_the_link_carries_the_token_under_the_public_address(settings):
    invitation = Invitation("FT-123", "soudeur")
    url = invitation_url(invitation, settings)
    assert url.startswith("https://chat.example.fr/?invitation=")
    assert read_token(token_in_url(url), settings) == invitation
    assert token_in_url("https://chat.example.fr/") is None
    assert token_in_url(None) is None


@pytest.mark.parametrize("position", [0, 5, 20, -3])
def test_a_tampered_token_is_refused_in_french(settings, position):
    token = make_token(Invitation("FT-123", "soudeur"), settings)
    changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
    with pytest.raises(InvitationError) as refused:
        read_token(changed, settings)
    assert refused.value.message == INVALID_LINK


def test_a_token_cannot_be_rewritten_for_another_candidate(settings):
    import base64
    import json

    token = make_token(Invitation("FT-123", "soudeur"), settings)
    _, timestamp, signature = token.split(".")
    other = base64.urlsafe_b64encode(json.dumps({"c": "FT-999", "t": "soudeur"}).encode())
    forged = f"{other.decode().rstrip('=')}.{timestamp}.{signature}"
    with pytest.raises(InvitationError, match="pas valide"):
        read_token(forged, settings)


def test_a_token_signed_with_another_secret_is_refused(settings, tmp_path):
    other = Settings(
        data_dir=tmp_path / "other", secret_key="an entirely different secret, long enough"
    )
    token = make_token(Invitation("FT-123", "soudeur"), other)
    with pytest.raises(InvitationError):
        read_token(token, settings)


def test_an_expired_token_says_so(settings, monkeypatch):
    token = make_token(Invitation("FT-123", "soudeur"), settings)
    later = time.time() + (settings.invitation_days + 1) * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvitationError) as refused:
        read_token(token, settings)
    assert refused.value.message == EXPIRED_LINK


def test_a_token_within_its_validity_is_accepted(settings, monkeypatch):
    token = make_token(Invitation("FT-123", "soudeur"), settings)
    later = time.time() + (settings.invitation_days - 1) * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert read_token(token, settings).candidate_ref == "FT-123"


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_asks_for_the_link(settings, token):
    with pytest.raises(InvitationError) as refused:
        read_token(token, settings)
    assert refused.value.message == MISSING_LINK


def test_the_generated_secret_is_private_and_stable(settings):
    first = secret_key(settings)
    path = settings.data_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert secret_key(settings) == first


def test_a_configured_secret_is_used_and_nothing_is_written(tmp_path):
    configured = Settings(
        data_dir=tmp_path / "data", secret_key="configured secret value, 32 bytes or more"
    )
    assert secret_key(configured) == "configured secret value, 32 bytes or more"
    assert not (tmp_path / "data" / "secret_key").exists()
