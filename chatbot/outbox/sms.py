"""SMS through one gateway interface; Twilio's Programmable Messaging REST API is the provider.

Sending: `POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json` with the form fields `To`,
`From`, `Body`, HTTP basic auth (account SID, auth token). Replies ("STOP") come back to our
webhook as a form POST (`From`, `Body`) signed in `X-Twilio-Signature`: base64 of HMAC-SHA1,
keyed with the auth token, of the full URL followed by every parameter name and value sorted by
name (https://www.twilio.com/docs/usage/security#validating-requests).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Protocol

import httpx

from chatbot.settings import Settings

STOP_WORDS = {"stop", "arret", "arrêt", "arreter", "arrêter", "desinscription", "stop sms"}


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> None:
        """Send `text` to `to` (E.164); raise on failure."""

    def stop_sender(self, url: str, form: Mapping[str, str], headers: Mapping[str, str]) -> str:
        """The number that asked to stop, from a genuine webhook call; "" if it is not a stop
        request; raise PermissionError if the call is not from the gateway."""


def is_stop(text: str) -> bool:
    return " ".join(text.lower().split()).strip(" .!") in STOP_WORDS


class TwilioSms:
    def __init__(self, settings: Settings, client: httpx.Client | None = None):
        self.settings = settings
        self.client = client or httpx.Client(timeout=settings.sms_timeout)

    def send(self, to: str, text: str) -> None:
        s = self.settings
        url = f"{s.sms_api_url.rstrip('/')}/2010-04-01/Accounts/{s.sms_account_sid}/Messages.json"
        response = self.client.post(
            url,
            data={"To": to, "From": s.sms_sender, "Body": text},
            auth=(s.sms_account_sid or "", s.sms_auth_token or ""),
        )
        response.raise_for_status()

    def signature(self, url: str, form: Mapping[str, str]) -> str:
        payload = url + "".join(f"{k}{form[k]}" for k in sorted(form))
        key = (self.settings.sms_auth_token or "").encode()
        return base64.b64encode(hmac.new(key, payload.encode(), hashlib.sha1).digest()).decode()

    def stop_sender(self, url: str, form: Mapping[str, str], headers: Mapping[str, str]) -> str:
        given = headers.get("x-twilio-signature", "")
        if not self.settings.sms_auth_token or not hmac.compare_digest(
            given, self.signature(url, form)
        ):
            raise PermissionError("unsigned SMS webhook call")
        return form.get("From", "") if is_stop(form.get("Body", "")) else ""


PROVIDERS = {"twilio": TwilioSms}


def gateway(settings: Settings) -> SmsGateway | None:
    """The configured gateway, or None when SMS is off."""
    if not settings.sms_provider:
        return None
    try:
        return PROVIDERS[settings.sms_provider](settings)
    except KeyError:
        raise ValueError(f"unknown SMS provider {settings.sms_provider!r}") from None
